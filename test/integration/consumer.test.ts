import { randomUUID } from 'node:crypto';
import { PutRecordCommand } from '@aws-sdk/client-kinesis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPipeline } from '../../app/local/startPipeline';
import { Producer } from '../../app/producer/Producer';
import { simulateStore } from '../../app/producer/storeSimulator';
import type { Stack } from '../../app/stack';
import { type PricingConfig, pricingConfigSchema } from '../../processors/config/pricingConfig';
import type { StreamEvent } from '../../processors/events/schema';
import { skuOf, splitBySku } from '../../processors/events/splitBySku';
import { freshStream, priceLines, referencePrices } from '../helpers/pipelineStack';
import { startTestStack } from '../helpers/testStack';

const config: PricingConfig = pricingConfigSchema.parse({
  windows: { short: { size: '2m', slide: '20s' }, long: { size: '10m', slide: '1m' } },
  allowedLateness: '20s',
  pricing: { minOrders: 2 },
});

function storeEvents(count: number): StreamEvent[] {
  return [
    ...simulateStore({
      skus: 40,
      rate: 4,
      count,
      seed: 21,
      startTime: Date.parse('2026-03-01T10:00:00Z'),
      flashSale: { startAfterMs: 120_000, durationMs: 180_000, hotSkus: 2, share: 0.6 },
    }),
  ];
}

async function produce(stack: Stack, events: readonly StreamEvent[]): Promise<void> {
  const report = await new Producer({
    kinesis: stack.kinesis,
    streamName: stack.config.streamName,
    aggregateBytes: 4096,
  }).putAll(events);
  expect(report.failedItems).toBe(0);
}

/** Every SKU's stored history as comparable lines. */
async function storedHistory(
  pipeline: ReturnType<typeof startPipeline>,
  skus: Iterable<string>,
): Promise<string[]> {
  const rows = (await Promise.all([...skus].map((sku) => pipeline.prices.history(sku)))).flat();
  return priceLines(rows);
}

describe('consumer on the local stack', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startTestStack({ shards: 2, redis: true });
  });
  afterAll(() => stack?.stop());

  it('writes to DynamoDB and Redis exactly the prices the stream core computes for the same events', async () => {
    const run = await freshStream(stack);
    const events = storeEvents(2400);
    const skus = new Set(events.flatMap(splitBySku).map(skuOf));
    await produce(run, events);
    const pipeline = startPipeline(run, {
      config,
      cachePrefix: `test:${randomUUID()}:`,
      settings: { batchSize: 50 },
    });
    try {
      await pipeline.poller.whenCaughtUp();
      const expected = await referencePrices(run, config);

      expect(expected.length).toBeGreaterThan(100);
      expect(await storedHistory(pipeline, skus)).toEqual(priceLines(expected));
      for (const sku of skus) {
        const last = expected
          .filter((change) => change.sku === sku)
          .sort((a, b) => a.asOf - b.asOf)
          .at(-1);
        const current = await pipeline.prices.current(sku);
        const cached = await pipeline.cache?.get(sku);
        expect(current?.price).toBe(last?.price);
        expect(cached?.price).toBe(last?.price);
        expect(cached?.asOf).toBe(last?.asOf);
      }
    } finally {
      await pipeline.stop();
    }
  });
});

describe('consumer through failures', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startTestStack({ shards: 2, redis: true });
  });
  afterAll(() => stack?.stop());

  it('leaves prices and counts as a clean run after a replay from TRIM_HORIZON and redelivered batches', async () => {
    const run = await freshStream(stack);
    const events = storeEvents(1200);
    const skus = new Set(events.flatMap(splitBySku).map(skuOf));
    await produce(run, events);
    const first = startPipeline(run, {
      config,
      cachePrefix: `test:${randomUUID()}:`,
      settings: { batchSize: 40 },
    });
    await first.poller.whenCaughtUp();
    await first.stop();
    const history = await storedHistory(first, skus);
    const states = await first.states.loadSkus(skus);

    // A second consumer with its own checkpoints reads everything again, in other batch sizes,
    // and every batch is delivered twice.
    let deliveries = 0;
    const replay = startPipeline(run, {
      config,
      consumer: 'replay',
      cachePrefix: `test:${randomUUID()}:`,
      settings: { batchSize: 17 },
      wrapHandler: (handler) => async (event) => {
        deliveries += 1;
        await handler(event);
        return handler(event);
      },
    });
    await replay.poller.whenCaughtUp();
    await replay.stop();

    expect(deliveries).toBeGreaterThan(1);
    expect(await storedHistory(replay, skus)).toEqual(history);
    const replayed = await replay.states.loadSkus(skus);
    for (const [sku, stored] of states) {
      expect(replayed.get(sku)?.record.lateEvents).toBe(stored.record.lateEvents);
      expect(replayed.get(sku)?.record.applied).toEqual(stored.record.applied);
    }
  });
});
