import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Producer } from '../../app/producer/Producer';
import { simulateStore } from '../../app/producer/storeSimulator';
import type { Stack } from '../../app/stack';
import { ensureStream } from '../../app/stream/ensureStream';
import { loadShardMap } from '../../app/stream/shardMap';
import type { StreamEvent } from '../../processors/events/schema';
import { skuOf, splitBySku } from '../../processors/events/splitBySku';
import { injectThrottle } from '../helpers/injectThrottle';
import { readWholeStream } from '../helpers/readStream';
import { kinesisEmulators, startTestStack } from '../helpers/testStack';

/** A store with a flash sale: 40% of the orders in the sale go to SKU index 0. */
function storeEvents(count: number, seed: number): StreamEvent[] {
  return [
    ...simulateStore({
      skus: 200,
      rate: 100,
      count,
      seed,
      startTime: Date.parse('2026-03-01T10:00:00Z'),
      flashSale: { startAfterMs: 0, durationMs: 3_600_000, hotSkus: 1, share: 0.4 },
    }),
  ];
}

/** The per-SKU events in put order, grouped by SKU: what each SKU's reader must see. */
function bySku(events: readonly unknown[]): Map<string, unknown[]> {
  const groups = new Map<string, unknown[]>();
  for (const event of events) {
    const sku = skuOf(event as StreamEvent);
    groups.set(sku, [...(groups.get(sku) ?? []), event]);
  }
  return groups;
}

describe.each(kinesisEmulators)('producer against %s', (kinesisEmulator) => {
  let stack: Stack;
  let stream = 0;

  beforeAll(async () => {
    stack = await startTestStack({ kinesisEmulator, shards: 3 });
  });
  afterAll(() => stack?.stop());

  /** A fresh stream on the shared emulator, so each test reads only its own records. */
  async function freshStream(): Promise<string> {
    const name = `${stack.config.streamName}-${stream++}`;
    await ensureStream(stack.kinesis, name, 3);
    return name;
  }

  it.each([true, false])(
    'puts every event once, in order per SKU, on the SKU shard (aggregate=%s)',
    async (aggregate) => {
      const streamName = await freshStream();
      const events = storeEvents(aggregate ? 4000 : 1500, 7);
      const expected = events.flatMap(splitBySku);

      const report = await new Producer({ kinesis: stack.kinesis, streamName, aggregate }).putAll(events);
      const read = await readWholeStream(stack.kinesis, streamName);

      expect(report.failedItems).toBe(0);
      expect(read).toHaveLength(expected.length);
      expect(bySku(read.map((record) => record.json))).toEqual(bySku(expected));
      const hot = bySku(expected).get('ELEC-000000') ?? [];
      expect(hot.length).toBeGreaterThan(expected.length * 0.2);
      const shardMap = await loadShardMap(stack.kinesis, streamName);
      for (const record of read) expect(record.shardId).toBe(shardMap.shardFor(record.partitionKey).shardId);
      if (aggregate) expect(report.recordsPut).toBeLessThan(expected.length / 20);
      else expect(report.recordsPut).toBe(expected.length);
    },
  );

  it.each([true, false])(
    'retries throttled records in order and loses none (aggregate=%s)',
    async (aggregate) => {
      const streamName = await freshStream();
      const events = storeEvents(1200, 11);
      const expected = events.flatMap(splitBySku);
      // Throttle every third record the stream is offered, each one on its first attempt only.
      const offered = new WeakSet<object>();
      let count = 0;
      const throttle = injectThrottle(stack.kinesis, (entry) => {
        const data = entry.Data as Uint8Array;
        if (offered.has(data)) return false;
        offered.add(data);
        return count++ % 3 === 0;
      });
      try {
        const producer = new Producer({
          kinesis: stack.kinesis,
          streamName,
          aggregate,
          aggregateBytes: 8192,
          backoffBaseMs: 1,
        });
        const report = await producer.putAll(events);
        const read = await readWholeStream(stack.kinesis, streamName);

        expect(throttle.throttled()).toBeGreaterThan(0);
        expect(report.retries).toBe(throttle.throttled());
        expect(report.failedItems).toBe(0);
        expect(read).toHaveLength(expected.length);
        expect(bySku(read.map((record) => record.json))).toEqual(bySku(expected));
      } finally {
        throttle.remove();
      }
    },
  );

  it('reports what still fails after the last attempt, and writes everything else', async () => {
    const streamName = await freshStream();
    const events = storeEvents(300, 13);
    const expected = events.flatMap(splitBySku);
    const shardMap = await loadShardMap(stack.kinesis, streamName);
    const doomedShard = shardMap.shards[0];
    // Every record bound for the first shard is throttled, on every attempt.
    const doomed = injectThrottle(
      stack.kinesis,
      (entry) => entry.ExplicitHashKey === doomedShard?.explicitHashKey,
    );
    try {
      const producer = new Producer({
        kinesis: stack.kinesis,
        streamName,
        aggregate: true,
        maxAttempts: 3,
        backoffBaseMs: 1,
      });
      const report = await producer.putAll(events);
      const read = await readWholeStream(stack.kinesis, streamName);

      const failedSkus = new Set(report.failedEvents.map(({ event }) => skuOf(event)));
      expect(report.failedItems).toBeGreaterThan(0);
      expect(report.failedEvents).toHaveLength(report.failedItems);
      for (const sku of failedSkus) expect(shardMap.shardFor(sku).shardId).toBe(doomedShard?.shardId);
      expect(read.length + report.failedItems).toBe(expected.length);
      expect(report.failedEvents[0]?.error).toMatch(/ProvisionedThroughputExceeded/);
    } finally {
      doomed.remove();
    }
  });
});
