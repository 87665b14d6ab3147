/**
 * The outside world of `bench:e2e`'s latency runs, in a process of its own: a simulated store
 * putting paced events into the stream, and a storefront subscribed to the prices channel. Run
 * apart from the consumer, as they are in production, so that neither waits on the consumer's
 * event loop: a storefront subscribed from inside the consumer's process saw a tick's prices
 * 13–120 ms after one in another process, because they queued behind the consumer's own work.
 *
 * Forked by bench/e2e.ts with KINESIS_ENDPOINT and REDIS_URL set. Over IPC it is sent a
 * `StoreRun`, answers `produced` when every event is put, and on `report` (sent once the consumer
 * has caught up) answers with the tick latencies: from the moment the producer is handed the
 * event that lets a tick fire (the first at or past tick + allowed lateness) to the moment that
 * tick's price arrives on the channel, after the warm-up, initial prices left out.
 */
import { once } from 'node:events';
import { Redis } from 'ioredis';
import { createKinesisClient } from '../app/aws/awsClients';
import type { StoredPrice } from '../app/consumer/PriceStore';
import { Producer } from '../app/producer/Producer';
import { paced } from '../app/producer/paced';
import { simulateStore } from '../app/producer/storeSimulator';

export interface StoreRun {
  readonly region: string;
  readonly streamName: string;
  readonly channel: string;
  readonly rate: number;
  readonly seconds: number;
  readonly warmUpMs: number;
  readonly flashSale: boolean;
  readonly allowedLatenessMs: number;
}

export interface StoreReport {
  /** Price changes that arrived on the channel, all of them. */
  readonly priceChanges: number;
  /** Tick latencies in ms, ascending. */
  readonly latencies: number[];
}

const send = (message: unknown) =>
  new Promise<void>((resolve, reject) =>
    process.send?.(message, undefined, {}, (error) => (error ? reject(error) : resolve())),
  );

const [run] = (await once(process, 'message')) as [StoreRun];
const subscriber = new Redis(process.env.REDIS_URL as string);
const received: { asOf: number; at: number; reason: string }[] = [];
subscriber.on('message', (_channel: string, message: string) => {
  const price = JSON.parse(message) as StoredPrice;
  received.push({ asOf: price.asOf, at: performance.now(), reason: price.reason });
});
await subscriber.subscribe(run.channel);

const kinesis = createKinesisClient({ region: run.region, endpoint: process.env.KINESIS_ENDPOINT });
const start = Date.now();
const store = simulateStore({
  skus: 10_000,
  rate: run.rate,
  count: run.rate * (run.seconds + run.warmUpMs / 1000),
  startTime: start,
  seed: 5,
  // The sale runs through the measured part, after the warm-up.
  flashSale: run.flashSale
    ? { startAfterMs: run.warmUpMs, durationMs: run.seconds * 1000, hotSkus: 3, share: 0.6 }
    : undefined,
});
// When each event was handed to the producer: event times only grow, so two arrays suffice.
const eventTimes: number[] = [];
const handedAt: number[] = [];
const producer = new Producer({ kinesis, streamName: run.streamName, lingerMs: 20 });
for await (const event of paced(store, run.rate)) {
  eventTimes.push(Date.parse(event.eventTime));
  handedAt.push(performance.now());
  await producer.put(event);
}
await producer.flush();
kinesis.destroy();
await send('produced');

await once(process, 'message'); // 'report': the consumer has published everything
await subscriber.ping(); // answered after every message published before it
subscriber.disconnect();

const firstAtOrAfter = (time: number) => {
  let low = 0;
  let high = eventTimes.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if ((eventTimes[mid] as number) < time) low = mid + 1;
    else high = mid;
  }
  return low;
};
// After the warm-up only: the first ticks publish an initial price for every SKU seen so far,
// a cold-start burst of thousands of writes that says nothing about steady latency.
const latencies = received
  .filter(({ asOf, reason }) => asOf >= start + run.warmUpMs && reason !== 'initial')
  .map(({ asOf, at }) => {
    const trigger = firstAtOrAfter(asOf + run.allowedLatenessMs);
    return trigger < handedAt.length ? at - (handedAt[trigger] as number) : Number.NaN;
  })
  .filter((latency) => Number.isFinite(latency) && latency >= 0)
  .sort((a, b) => a - b);
await send({ priceChanges: received.length, latencies } satisfies StoreReport);
