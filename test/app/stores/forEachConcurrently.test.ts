import { describe, expect, it } from 'vitest';
import { chunked, forEachConcurrently } from '../../../app/stores/forEachConcurrently';

describe('forEachConcurrently', () => {
  it('runs every item once, never more than the concurrency at a time', async () => {
    const done: number[] = [];
    let running = 0;
    let most = 0;
    await forEachConcurrently([...Array(20).keys()], 3, async (item) => {
      running += 1;
      most = Math.max(most, running);
      await Promise.resolve();
      done.push(item);
      running -= 1;
    });
    expect(done.sort((a, b) => a - b)).toEqual([...Array(20).keys()]);
    expect(most).toBe(3);
  });

  it('rejects with the first failure, and the other workers go on through the remaining items', async () => {
    const done: number[] = [];
    let lastDone: () => void = () => {};
    const last = new Promise<void>((resolve) => {
      lastDone = resolve;
    });
    const run = forEachConcurrently([0, 1, 2, 3, 4, 5], 2, async (item) => {
      await Promise.resolve();
      if (item === 0) throw new Error('item 0 failed');
      done.push(item);
      if (item === 5) lastDone();
    });
    await expect(run).rejects.toThrow('item 0 failed');
    await last;
    expect(done).toEqual([1, 2, 3, 4, 5]);
  });
});

describe('chunked', () => {
  it('cuts items into runs of at most the size, in order, the last one shorter', () => {
    const items = [...Array(53).keys()];
    const chunks = chunked(items, 25);
    expect(chunks.map((chunk) => chunk.length)).toEqual([25, 25, 3]);
    expect(chunks.flat()).toEqual(items);
    expect(chunked(items.slice(0, 50), 25).map((chunk) => chunk.length)).toEqual([25, 25]);
    expect(chunked([], 25)).toEqual([]);
  });
});
