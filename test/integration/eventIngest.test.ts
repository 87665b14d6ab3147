import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Producer } from '../../app/producer/Producer';
import { type EventIngest, type IngestAnswer, startEventIngest } from '../../app/serve/EventIngest';
import type { Stack } from '../../app/stack';
import { decodeRecords } from '../../processors/events/decodeRecords';
import type { StreamEvent } from '../../processors/events/schema';
import { splitBySku } from '../../processors/events/splitBySku';
import { inventoryEvent, orderEvent } from '../helpers/events';
import { injectThrottle } from '../helpers/injectThrottle';
import { freshStream, lambdaRecordsByShard } from '../helpers/pipelineStack';
import { startTestStack } from '../helpers/testStack';

/** Every per-SKU event in the stream, as the consumer decodes it. */
async function eventsInStream(stack: Stack): Promise<StreamEvent[]> {
  const records = [...(await lambdaRecordsByShard(stack)).values()].flat();
  return decodeRecords(records).events.map((decoded) => decoded.event);
}

const post = async (ingest: EventIngest, body: string) => {
  const response = await fetch(`${ingest.url}/events`, { method: 'POST', body });
  return { status: response.status, answer: (await response.json()) as IngestAnswer & { error?: string } };
};

const byId = (events: readonly StreamEvent[]) =>
  events.map((event) => JSON.stringify(event)).sort((a, b) => a.localeCompare(b));

describe('HTTP ingest on the local stack', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startTestStack({});
  });
  afterAll(() => stack?.stop());

  const ingestInto = async (run: Stack, options: { maxAttempts?: number; maxBodyBytes?: number } = {}) => {
    const producer = new Producer({
      kinesis: run.kinesis,
      streamName: run.config.streamName,
      maxAttempts: options.maxAttempts ?? 8,
      backoffBaseMs: 1,
    });
    const fatal: Error[] = [];
    const ingest = await startEventIngest({
      producer,
      maxBodyBytes: options.maxBodyBytes,
      onFatal: (error) => fatal.push(error),
    });
    return { ingest, fatal };
  };

  it('puts the valid lines of a request, split per SKU, and names each refused line and field', async () => {
    const run = await freshStream(stack);
    const { ingest } = await ingestInto(run);
    const order = orderEvent({
      orderId: 'o-1',
      lines: [
        { sku: 'ELEC-1', quantity: 2, unitPrice: 1999 },
        { sku: 'BOOK-2', quantity: 1, unitPrice: 899 },
      ],
    });
    const stock = inventoryEvent({ eventId: 'i-1', sku: 'ELEC-1' });
    try {
      const { status, answer } = await post(
        ingest,
        [JSON.stringify(order), '{"type":"order","v":1}', '', JSON.stringify(stock)].join('\n'),
      );

      expect(status).toBe(422);
      expect(answer.accepted).toBe(2);
      expect(answer.failed).toEqual([]);
      expect(answer.refused).toHaveLength(1);
      expect(answer.refused[0]?.line).toBe(2);
      expect(answer.refused[0]?.field).toBeTruthy();
      expect(byId(await eventsInStream(run))).toEqual(byId([...splitBySku(order), ...splitBySku(stock)]));

      const clean = await post(ingest, JSON.stringify(inventoryEvent({ eventId: 'i-2', sku: 'HOME-3' })));
      expect(clean).toEqual({ status: 200, answer: { accepted: 1, refused: [], failed: [] } });
    } finally {
      await ingest.close();
    }
  });

  it('answers 503 with the parts it could not put, and those parts sent again land once', async () => {
    const run = await freshStream(stack);
    const { ingest } = await ingestInto(run, { maxAttempts: 2 });
    const order = orderEvent({
      orderId: 'o-2',
      lines: [
        { sku: 'ELEC-1', quantity: 1, unitPrice: 1999 },
        { sku: 'TOYS-4', quantity: 3, unitPrice: 499 },
      ],
    });
    // Every record of the first request that carries TOYS-4 is throttled until the producer gives up.
    const throttle = injectThrottle(run.kinesis, (entry) => Buffer.from(entry.Data ?? []).includes('TOYS-4'));
    try {
      const { status, answer } = await post(ingest, JSON.stringify(order));
      throttle.remove();

      expect(status).toBe(503);
      expect(answer.accepted).toBe(0);
      // TOYS-4's part failed (with ELEC-1's, should both share an aggregate), and each is named by its line.
      const toys = splitBySku(order).find((part) => part.type === 'order' && part.lines[0]?.sku === 'TOYS-4');
      expect(answer.failed.map(({ event }) => event)).toContainEqual(toys);
      expect(answer.failed.every(({ line }) => line === 1)).toBe(true);
      const again = await post(ingest, answer.failed.map(({ event }) => JSON.stringify(event)).join('\n'));
      expect(again.status).toBe(200);
      expect(byId(await eventsInStream(run))).toEqual(byId(splitBySku(order)));
    } finally {
      throttle.remove();
      await ingest.close();
    }
  });

  it('answers each of several requests sent at once for its own events only', async () => {
    const run = await freshStream(stack);
    const { ingest } = await ingestInto(run, { maxAttempts: 2 });
    const bodies = [1, 2, 3, 4].map((n) =>
      orderEvent({
        orderId: `o-${n}`,
        lines: [{ sku: n === 2 ? 'TOYS-4' : `ELEC-${n}`, quantity: n, unitPrice: 100 }],
      }),
    );
    // Only the second request's SKU is throttled until the producer gives up (with whatever shares its record).
    const throttle = injectThrottle(run.kinesis, (entry) => Buffer.from(entry.Data ?? []).includes('TOYS-4'));
    try {
      const answers = await Promise.all(bodies.map((body) => post(ingest, JSON.stringify(body))));
      throttle.remove();

      // The second fails; another whose part shared its aggregate fails with it. Each answer
      // names its own parts only.
      expect(answers[1]?.status).toBe(503);
      answers.forEach(({ answer }, index) => {
        for (const { event } of answer.failed) expect(event).toEqual(bodies[index]);
      });
      const again = await post(
        ingest,
        answers.flatMap(({ answer }) => answer.failed.map(({ event }) => JSON.stringify(event))).join('\n'),
      );
      expect(again.status).toBe(200);
      expect(byId(await eventsInStream(run))).toEqual(byId(bodies));
    } finally {
      throttle.remove();
      await ingest.close();
    }
  });

  it('refuses a body over its limit, other paths and methods, and stops on a stream that is not there', async () => {
    const run = await freshStream(stack);
    const { ingest } = await ingestInto(run, { maxBodyBytes: 1024 });
    const missing = await ingestInto({ ...run, config: { ...run.config, streamName: 'no-such-stream' } });
    try {
      const large = await post(ingest, JSON.stringify(orderEvent()).padEnd(2048, ' '));
      const get = await fetch(`${ingest.url}/events`);
      const elsewhere = await fetch(`${ingest.url}/other`, { method: 'POST', body: '' });
      const gone = await post(missing.ingest, JSON.stringify(orderEvent()));
      const after = await post(missing.ingest, JSON.stringify(orderEvent()));

      expect(large.status).toBe(413);
      expect(large.answer.error).toContain('the body is over 1024 bytes');
      expect([get.status, elsewhere.status]).toEqual([405, 404]);
      expect(gone.status).toBe(503);
      expect(gone.answer.error).toContain('the stream refused the events');
      expect(missing.fatal).toHaveLength(1);
      expect(after.answer.error).toContain('the ingest has stopped');
      expect(await eventsInStream(run)).toEqual([]);
    } finally {
      await ingest.close();
      await missing.ingest.close();
    }
  });
});
