import { describe, expect, it } from 'vitest';
import { DeferredSkuWrites, type DeferredWrite } from '../../../app/consumer/DeferredSkuWrites';

/** A deferred write that ends when the test says; it notes the version it was written against. */
function heldWrite(sku: string, expected: number) {
  let end: (error?: Error) => void = () => {};
  const held = {
    writtenAgainst: undefined as number | undefined,
    failures: [] as string[],
    end: (error?: Error) => end(error),
    write: {
      sku,
      expected,
      put: (against: number) => {
        held.writtenAgainst = against;
        return new Promise<void>((resolve, reject) => {
          end = (error) => (error === undefined ? resolve() : reject(error));
        });
      },
      failed: (error: unknown) => held.failures.push((error as Error).message),
    } satisfies DeferredWrite,
  };
  return held;
}

/** Lets every promise callback that is ready run. */
const drained = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('DeferredSkuWrites', () => {
  it('keeps a few writes in flight, the rest queued oldest first, and settles once all are stored', async () => {
    const writes = new DeferredSkuWrites(2);
    const [a, b, c] = [heldWrite('A', 1), heldWrite('B', 1), heldWrite('C', 1)];
    writes.defer([a.write, b.write, c.write]);
    expect([a.writtenAgainst, b.writtenAgainst, c.writtenAgainst]).toEqual([1, 1, undefined]);

    let settled = false;
    const settling = writes.settled().then(() => {
      settled = true;
    });
    a.end();
    await drained();
    expect([c.writtenAgainst, settled]).toEqual([1, false]);

    b.end();
    c.end();
    await settling;
    expect(settled).toBe(true);
  });

  it('settles on the writes deferred before it was asked, not on other SKUs’ deferred after', async () => {
    const writes = new DeferredSkuWrites(4);
    const [a, b] = [heldWrite('A', 1), heldWrite('B', 1)];
    writes.defer([a.write]);
    const settling = writes.settled();
    writes.defer([b.write]);
    a.end();
    await settling;
    expect(b.writtenAgainst).toBe(1); // started, still in flight
    b.end();
    await writes.settled();
  });

  it('writes a SKU’s later record after the one in flight, and a queued one against what the earlier was', async () => {
    const writes = new DeferredSkuWrites(1);
    const [a1, a2, b1, b2] = [heldWrite('A', 4), heldWrite('A', 5), heldWrite('B', 2), heldWrite('B', 3)];
    writes.defer([a1.write, b1.write]);
    writes.defer([a2.write, b2.write]);
    // A's first is in flight; B's first, queued, was replaced by its second, against B's version 2.
    expect([a1.writtenAgainst, a2.writtenAgainst, b1.writtenAgainst]).toEqual([4, undefined, undefined]);

    a1.end();
    await drained();
    expect([a2.writtenAgainst, b2.writtenAgainst]).toEqual([undefined, 2]);
    b2.end();
    await drained();
    expect(a2.writtenAgainst).toBe(5);
    a2.end();
    await writes.settled();
    expect(b1.writtenAgainst).toBeUndefined();
  });

  it('hands a batch that writes a SKU its queued write, against the stored version, and waits for one in flight', async () => {
    const writes = new DeferredSkuWrites(1);
    const [a, b] = [heldWrite('A', 7), heldWrite('B', 3)];
    writes.defer([a.write, b.write]);
    let answer: Awaited<ReturnType<DeferredSkuWrites['takeOver']>> | undefined;
    const taking = writes.takeOver(['A', 'B', 'C']).then((taken) => {
      answer = taken;
    });
    await drained();
    expect(answer).toBeUndefined(); // A is in flight

    a.end();
    await taking;
    expect(answer).toEqual({ expected: new Map([['B', 3]]), unstored: undefined });
    await writes.settled();
    expect(b.writtenAgainst).toBeUndefined();
  });

  it('fails what builds on a write that was not stored, until the SKU is read again', async () => {
    const writes = new DeferredSkuWrites(1);
    const [first, second] = [heldWrite('A', 1), heldWrite('A', 2)];
    writes.defer([first.write]);
    writes.defer([second.write]);
    first.end(new Error('throttled'));
    await writes.settled();

    expect(first.failures).toEqual(['throttled']);
    expect(second.failures).toEqual(['an earlier write of A was not stored']);
    expect(second.writtenAgainst).toBeUndefined();
    expect((await writes.takeOver(['B', 'A'])).unstored).toBe('A');
    writes.reread(['A']);
    expect((await writes.takeOver(['A'])).unstored).toBeUndefined();
  });

  it('drops the queued writes of SKUs a batch reads from DynamoDB, after the one in flight', async () => {
    const writes = new DeferredSkuWrites(1);
    const [a, b] = [heldWrite('A', 1), heldWrite('B', 1)];
    writes.defer([a.write, b.write]);
    let cancelled = false;
    const cancelling = writes.cancel(['A', 'B']).then(() => {
      cancelled = true;
    });
    await drained();
    expect(cancelled).toBe(false);

    a.end();
    await cancelling;
    await writes.settled();
    expect(b.writtenAgainst).toBeUndefined();
  });
});
