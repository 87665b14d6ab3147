import type { KinesisStreamRecord } from 'aws-lambda';
import { simulateStore } from '../app/producer/storeSimulator';
import { splitBySku } from '../processors/events/splitBySku';
import { aggregatedRecords } from '../test/helpers/kinesisRecords';

/**
 * The raw records of bench:core's simulated store: `skus` SKUs, `events` events at `rate` a
 * second of event time, a flash sale sending half the orders to 3 SKUs from minute 2 to minute 6,
 * aggregated into 256 KB KPL records. The store's own event objects are not kept: nothing reads
 * them after this, and a full GC inside a measured run would mark them too (a million objects cost
 * the core ~15 % of its throughput that way, and the naive reference more).
 */
export function coreStoreRecords(store: {
  skus: number;
  events: number;
  rate: number;
}): KinesisStreamRecord[] {
  const stream = [
    ...simulateStore({
      skus: store.skus,
      rate: store.rate,
      count: store.events,
      seed: 7,
      startTime: Date.parse('2026-03-01T10:00:00Z'),
      flashSale: { startAfterMs: 120_000, durationMs: 240_000, hotSkus: 3, share: 0.5 },
    }),
  ].flatMap(splitBySku);
  return aggregatedRecords(stream, 256 * 1024);
}

/**
 * The records cut as Lambda would hand them over: an invocation's payload is at most 6 MB, so a
 * batch holds at most that much base64 (about 17 of these 256 KB aggregates, some 30,000 events).
 */
export function lambdaBatches(
  all: readonly KinesisStreamRecord[],
  payloadBytes = 6 * 1024 * 1024,
): KinesisStreamRecord[][] {
  const batches: KinesisStreamRecord[][] = [[]];
  let size = 0;
  for (const record of all) {
    size += record.kinesis.data.length;
    if (size > payloadBytes && (batches.at(-1) as KinesisStreamRecord[]).length > 0) {
      batches.push([]);
      size = record.kinesis.data.length;
    }
    (batches.at(-1) as KinesisStreamRecord[]).push(record);
  }
  return batches;
}
