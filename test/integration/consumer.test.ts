import { randomUUID } from 'node:crypto';
import { Logger } from '@aws-lambda-powertools/logger';
import {
  PutRecordCommand,
  PutRecordsCommand,
  type Shard,
  SplitShardCommand,
  waitUntilStreamExists,
} from '@aws-sdk/client-kinesis';
import type { KinesisStreamRecord } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type ConsumerHandler, createHandler } from '../../app/consumer/createHandler';
import { DeadLetterStore } from '../../app/consumer/DeadLetterStore';
import { PriceCache } from '../../app/consumer/PriceCache';
import { PriceStore } from '../../app/consumer/PriceStore';
import { StateStore } from '../../app/consumer/StateStore';
import { WarmSkus } from '../../app/consumer/WarmSkus';
import { LocalMetrics } from '../../app/local/LocalMetrics';
import { startPipeline } from '../../app/local/startPipeline';
import { Producer } from '../../app/producer/Producer';
import { simulateStore } from '../../app/producer/storeSimulator';
import type { Stack } from '../../app/stack';
import { DynamoWireClient } from '../../app/stores/DynamoWireClient';
import { reshard } from '../../app/stream/reshard';
import { hashKeyOf, listAllShards } from '../../app/stream/shardMap';
import { type PricingConfig, pricingConfigSchema } from '../../processors/config/pricingConfig';
import { decodeRecords } from '../../processors/events/decodeRecords';
import type { StreamEvent } from '../../processors/events/schema';
import { skuOf, splitBySku } from '../../processors/events/splitBySku';
import { injectLostAnswers } from '../helpers/injectLostAnswers';
import {
  firstCopies,
  freshStream,
  lambdaRecordsByShard,
  priceLines,
  referencePrices,
  replayedPrices,
} from '../helpers/pipelineStack';
import { kinesisEmulators, startTestStack } from '../helpers/testStack';

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

/** Adds the per-SKU events of `events` to each SKU's count. */
function countPerSku(perSku: Map<string, number>, events: readonly StreamEvent[]): void {
  for (const part of events.flatMap(splitBySku)) perSku.set(skuOf(part), (perSku.get(skuOf(part)) ?? 0) + 1);
}

/** Checks each SKU's stored record applied or counted late every one of its events exactly once. */
async function expectEventsCounted(states: StateStore, events: readonly StreamEvent[]): Promise<void> {
  const perSku = new Map<string, number>();
  countPerSku(perSku, events);
  const stored = await states.loadSkus(perSku.keys());
  for (const [sku, count] of perSku) {
    const record = stored.get(sku)?.record;
    expect((record?.appliedEvents ?? 0) + (record?.lateEvents ?? 0), sku).toBe(count);
  }
}

/**
 * Checks each SKU applied or counted late every one of its events exactly once, and stored one
 * history row per tick, each continuing the one before. Returns the stored SKUs.
 */
async function expectEachEventOnce(
  pipeline: ReturnType<typeof startPipeline>,
  perSku: ReadonlyMap<string, number>,
) {
  const stored = await pipeline.states.loadSkus(perSku.keys());
  for (const [sku, count] of perSku) {
    const record = stored.get(sku)?.record;
    expect(record, sku).toBeDefined();
    expect((record?.appliedEvents ?? 0) + (record?.lateEvents ?? 0), sku).toBe(count);
    const history = await pipeline.prices.history(sku);
    expect(new Set(history.map((row) => row.asOf)).size, sku).toBe(history.length);
    expect(
      history.slice(1).map((row) => row.previousPrice),
      sku,
    ).toEqual(history.slice(0, -1).map((row) => row.price));
  }
  return stored;
}

/** A fresh stream (two shards unless told) of 2,000 store events, its consumer caught up with the first 1,000. */
async function halfConsumed(stack: Stack, shards = 2) {
  const run = await freshStream(stack, shards);
  const events = storeEvents(2000);
  const pipeline = startPipeline(run, {
    config,
    cachePrefix: `test:${randomUUID()}:`,
    settings: { batchSize: 25 },
  });
  try {
    await produce(run, events.slice(0, 1000));
    await pipeline.whenCaughtUp();
  } catch (error) {
    await pipeline.stop();
    throw error;
  }
  return { run, events, pipeline };
}

/** Every SKU's stored history as comparable lines. */
async function storedHistory(
  pipeline: { readonly prices: PriceStore },
  skus: Iterable<string>,
): Promise<string[]> {
  const rows = (await Promise.all([...skus].map((sku) => pipeline.prices.history(sku)))).flat();
  return priceLines(rows);
}

/** A SKU, `prefix-n`, whose hash key falls in the shard's range. */
function skuIn(shard: Shard | undefined, prefix: string): string {
  const low = BigInt(shard?.HashKeyRange?.StartingHashKey ?? '0');
  const high = BigInt(shard?.HashKeyRange?.EndingHashKey ?? '0');
  let n = 0;
  while (!(hashKeyOf(`${prefix}-${n}`) >= low && hashKeyOf(`${prefix}-${n}`) <= high)) n += 1;
  return `${prefix}-${n}`;
}

describe.each(kinesisEmulators)('consumer on the local stack with %s', (kinesisEmulator) => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startTestStack({ kinesisEmulator, shards: 2, redis: true });
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
      await pipeline.whenCaughtUp();
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
  it('prices records keyed by something other than their SKU as the core does, reading those SKUs and pricing their batch again', async () => {
    const { run, events, pipeline } = await halfConsumed(stack, 1);
    const skus = new Set(events.flatMap(splitBySku).map(skuOf));
    try {
      expect(pipeline.metrics.total('BatchesRepriced')).toBe(0);
      // The rest as a producer that keys by order or event id would put them: the SKUs, already
      // stored, are not what the records' partition keys name.
      const rest = events.slice(1000).flatMap(splitBySku);
      for (let start = 0; start < rest.length; start += 250) {
        const put = await run.kinesis.send(
          new PutRecordsCommand({
            StreamName: run.config.streamName,
            Records: rest.slice(start, start + 250).map((event) => ({
              Data: Buffer.from(JSON.stringify(event)),
              PartitionKey: event.type === 'order' ? event.orderId : event.eventId,
            })),
          }),
        );
        expect(put.FailedRecordCount ?? 0).toBe(0);
      }
      await pipeline.whenCaughtUp();

      expect(pipeline.metrics.total('BatchesRepriced')).toBeGreaterThan(0);
      await expectEventsCounted(pipeline.states, events);
      expect(await storedHistory(pipeline, skus)).toEqual(priceLines(await referencePrices(run, config)));
    } finally {
      await pipeline.stop();
    }
  });
  it('retries a batch that met another writer of its SKUs, logging a warning rather than an error', async () => {
    const run = await freshStream(stack, 1);
    const events = storeEvents(300);
    await produce(run, events);
    const [records] = [...(await lambdaRecordsByShard(run)).values()];
    const container = () => {
      const logger = new Logger({ logLevel: 'SILENT' });
      return {
        warn: vi.spyOn(logger, 'warn'),
        error: vi.spyOn(logger, 'error'),
        handle: createHandler({
          config,
          states: new StateStore(run.dynamo, run.tables.state),
          prices: new PriceStore(run.dynamo, run.tables),
          deadLetters: new DeadLetterStore(run.dynamo, run.tables.deadLetters),
          cache: undefined,
          logger,
          metrics: new LocalMetrics(),
          now: Date.now,
        }),
      };
    };
    // Two containers handed the same batch at once, as a duplicate invocation would be.
    const containers = [container(), container()];
    const event = { Records: records ?? [] };
    const results = await Promise.all(containers.map(({ handle }) => handle(event)));

    const failed = containers.filter((_, index) => (results[index]?.batchItemFailures.length ?? 0) > 0);
    expect(failed.length).toBeGreaterThan(0);
    for (const { warn, error } of failed) {
      expect(warn).toHaveBeenCalledWith(
        'batch retried: another writer changed a SKU it read',
        expect.anything(),
      );
      expect(error).not.toHaveBeenCalled();
    }
    // Retried, as Lambda would, the batch changes nothing twice.
    for (const { handle } of failed) expect((await handle(event)).batchItemFailures).toEqual([]);
    await expectEventsCounted(new StateStore(run.dynamo, run.tables.state), events);
  });
  /**
   * A one-shard pipeline whose shard moves between two containers every two batches, as Lambda
   * may move it. `settle`: a container hands the shard over only once its deferred writes (the
   * records of SKUs it swept) are stored; otherwise they may land while the other reads.
   */
  async function alternatingContainers(settle: boolean) {
    const run = await freshStream(stack, 1);
    const events = storeEvents(1200);
    await produce(run, events);
    const cachePrefix = `test:${randomUUID()}:`;
    // A second container over the same tables and cache, with its own warm SKUs.
    const otherMetrics = new LocalMetrics();
    const other = createHandler({
      config,
      states: new StateStore(run.dynamo, run.tables.state),
      prices: new PriceStore(run.dynamo, run.tables),
      deadLetters: new DeadLetterStore(run.dynamo, run.tables.deadLetters),
      cache: new PriceCache(run.redis as NonNullable<Stack['redis']>, cachePrefix),
      logger: new Logger({ logLevel: 'SILENT' }),
      metrics: otherMetrics,
      now: Date.now,
      warm: new WarmSkus(10_000),
    });
    let batches = 0;
    const pipeline = startPipeline(run, {
      config,
      cachePrefix,
      settings: { batchSize: 3 },
      logLevel: 'SILENT',
      wrapHandler: (own) => async (event) => {
        const [next, last] = Math.floor(batches++ / 2) % 2 === 0 ? [own, other] : [other, own];
        if (settle) await last.settled();
        return next(event);
      },
    });
    const total = (metric: string) => pipeline.metrics.total(metric) + otherMetrics.total(metric);
    const caughtUp = async () => {
      await pipeline.whenCaughtUp();
      await other.settled();
    };
    return { run, events, pipeline, total, caughtUp, batches: () => batches };
  }
  it('keeps SKUs warm between batches, and reads them again after another container wrote the shard', async () => {
    const { run, events, pipeline, total, caughtUp, batches } = await alternatingContainers(true);
    try {
      await caughtUp();

      expect(batches()).toBeGreaterThan(12);
      const skus = new Set(events.flatMap(splitBySku).map(skuOf));
      expect(await storedHistory(pipeline, skus)).toEqual(priceLines(await referencePrices(run, config)));
      expect(total('SkuStatesHeld')).toBeGreaterThan(100);
      expect(total('SkuStatesRead')).toBeGreaterThan(0);
      // Each container saw the other's stamp and read again: no write met a version it did not know.
      expect(total('BatchFailures')).toBe(0);
    } finally {
      await pipeline.stop();
    }
  });
  it('loses and doubles nothing when the shard moves to another container while its swept records are written', async () => {
    const { run, events, pipeline, total, caughtUp } = await alternatingContainers(false);
    try {
      await caughtUp();

      expect(total('SkusSwept')).toBeGreaterThan(0);
      const perSku = new Map<string, number>();
      countPerSku(perSku, events);
      await expectEachEventOnce(pipeline, perSku);
      expect(await storedHistory(pipeline, perSku.keys())).toEqual(
        priceLines(await referencePrices(run, config)),
      );
    } finally {
      await pipeline.stop();
    }
  });
  it('queries the due index again only once a tick has passed since its last complete sweep', async () => {
    const run = await freshStream(stack, 1);
    const events = storeEvents(1200);
    const skus = new Set(events.flatMap(splitBySku).map(skuOf));
    await produce(run, events);
    let batches = 0;
    const pipeline = startPipeline(run, {
      config,
      cachePrefix: `test:${randomUUID()}:`,
      settings: { batchSize: 1 },
      logLevel: 'SILENT',
      wrapHandler: (handler) => (event) => {
        batches += 1;
        return handler(event);
      },
    });
    try {
      await pipeline.whenCaughtUp();
      const expected = await referencePrices(run, config);
      const eventTimes = events.map((event) => Date.parse(event.eventTime));
      const ticks =
        (Math.max(...eventTimes) - Math.min(...eventTimes)) / (config.interval ?? config.windows.short.slide);

      // Idle SKUs were still swept at every tick: the prices are the core's, decay included.
      expect(await storedHistory(pipeline, skus)).toEqual(priceLines(expected));
      expect(pipeline.metrics.total('SkusSwept')).toBeGreaterThan(0);
      // One query per tick the shard's clock passed (and the first batch's), not one per batch.
      expect(batches).toBeGreaterThan(3 * ticks);
      expect(pipeline.metrics.total('DueIndexQueries')).toBeGreaterThan(0);
      expect(pipeline.metrics.total('DueIndexQueries')).toBeLessThanOrEqual(Math.ceil(ticks) + 1);
    } finally {
      await pipeline.stop();
    }
  });
  it('publishes the prices of each history request once its rows are stored, before the conditional SKU writes of its batch', async () => {
    const run = await freshStream(stack, 1); // one shard: one batch at a time, so the log reads per batch
    await produce(run, storeEvents(1200));
    // In order: history rows and state writes as DynamoDB completes them, cache pipelines as Redis
    // answers them, prices as they arrive on the channel, and batches as the handler acknowledges them.
    type Entry = {
      kind: 'requested' | 'recorded' | 'stored' | 'cached' | 'published' | 'acknowledged';
      /** A price as sku@asOf; for `stored`, the SKU. */
      price?: string;
      /** For `acknowledged`: the SKUs of the batch's events. */
      skus?: ReadonlySet<string>;
    };
    const log: Entry[] = [];
    const priceOf = (sku: string | undefined, asOf: number | undefined) => `${sku}@${asOf}`;
    // History rows and SKU state puts go over the wire client, as marshalled items.
    const wire = DynamoWireClient.of(run.dynamo);
    const wireSend = wire.send.bind(wire);
    wire.send = async (operation, input) => {
      const result = await wireSend(operation, input);
      const { TableName, Item, RequestItems } = input as {
        TableName?: string;
        Item?: { sku: { S: string } };
        RequestItems?: Record<
          string,
          { PutRequest: { Item: { sku: { S: string }; asOf: { N: string } } } }[]
        >;
      };
      if (operation === 'PutItem' && TableName === run.tables.state)
        log.push({ kind: 'stored', price: Item?.sku.S });
      if (RequestItems?.[run.tables.prices] !== undefined) log.push({ kind: 'requested' });
      for (const { PutRequest } of RequestItems?.[run.tables.prices] ?? [])
        log.push({ kind: 'recorded', price: priceOf(PutRequest.Item.sku.S, Number(PutRequest.Item.asOf.N)) });
      return result;
    };
    const redis = run.redis as NonNullable<Stack['redis']>;
    const pipelineOf = redis.pipeline.bind(redis);
    redis.pipeline = ((...args: Parameters<typeof redis.pipeline>) => {
      const commands = pipelineOf(...args);
      const exec = commands.exec.bind(commands);
      commands.exec = async (...execArgs: Parameters<typeof exec>) => {
        const results = await exec(...execArgs);
        log.push({ kind: 'cached' });
        return results;
      };
      return commands;
    }) as typeof redis.pipeline;
    const subscriber = redis.duplicate();
    const cachePrefix = `test:${randomUUID()}:`;
    await subscriber.subscribe(`${cachePrefix}prices`);
    subscriber.on('message', (_channel: string, message: string) => {
      const { sku, asOf } = JSON.parse(message) as { sku: string; asOf: number };
      log.push({ kind: 'published', price: priceOf(sku, asOf) });
    });
    const pipeline = startPipeline(run, {
      config,
      cachePrefix,
      settings: { batchSize: 10 },
      logLevel: 'SILENT',
      wrapHandler: (handler) => async (event) => {
        const response = await handler(event);
        const skus = new Set(decodeRecords(event.Records).events.map(({ sku }) => sku));
        log.push({ kind: 'acknowledged', skus });
        return response;
      },
    });
    try {
      await pipeline.whenCaughtUp();
      await subscriber.ping(); // answered after every message published before it

      const published = log.flatMap((entry, index) => (entry.kind === 'published' ? [index] : []));
      expect(published.length).toBeGreaterThan(50);
      expect(pipeline.metrics.total('SkuStatesWritten')).toBe(
        log.filter(({ kind }) => kind === 'stored').length,
      );
      // Visible only once recorded: every published price was a stored history row first.
      for (const index of published) {
        const { price } = log[index] as { price: string };
        expect(log.slice(0, index).some((entry) => entry.kind === 'recorded' && entry.price === price)).toBe(
          true,
        );
      }
      // Published without waiting for the rest of the batch: in every batch that priced anything,
      // each history request's prices go to the cache in a pipeline of their own (not one for the
      // whole batch once its last row is stored), all before the batch's SKU records (the last write
      // of each SKU its events touched; records of SKUs an earlier batch swept may land anywhere),
      // and all of them before the batch is acknowledged.
      const batches: Entry[][] = [[]];
      for (const entry of log) {
        batches.at(-1)?.push(entry);
        if (entry.kind === 'acknowledged') batches.push([]);
      }
      const priced = batches.filter((batch) => batch.some(({ kind }) => kind === 'cached'));
      expect(priced.length).toBeGreaterThan(5);
      const count = (batch: Entry[], kind: Entry['kind']) =>
        batch.filter((entry) => entry.kind === kind).length;
      expect(priced.some((batch) => count(batch, 'requested') > 1)).toBe(true);
      for (const batch of priced) {
        expect(count(batch, 'cached')).toBe(count(batch, 'requested'));
        const lastCached = batch.findLastIndex(({ kind }) => kind === 'cached');
        const touched = batch.at(-1)?.skus ?? new Set();
        const ownRecords = [...touched].map((sku) =>
          batch.findLastIndex(({ kind, price }) => kind === 'stored' && price === sku),
        );
        expect(ownRecords.length).toBeGreaterThan(0);
        for (const index of ownRecords) expect(index).toBeGreaterThan(lastCached);
      }
      // Each answered batch times its SKU puts, and each that stored price changes times that too.
      const answered = batches.filter((batch) => batch.at(-1)?.kind === 'acknowledged');
      expect(pipeline.metrics.timingsOf('SkuStatesWriteMs')).toHaveLength(answered.length);
      expect(pipeline.metrics.timingsOf('PricesStoredMs')).toHaveLength(
        answered.filter((batch) => count(batch, 'requested') > 0).length,
      );
    } finally {
      wire.send = wireSend;
      redis.pipeline = pipelineOf;
      subscriber.disconnect();
      await pipeline.stop();
    }
  });
  /**
   * A one-shard stream of store events and a container over it whose state store holds back (or
   * fails) its first write of swept SKU records (SweptWriteGate).
   */
  async function gatedContainer(outcome: 'store' | 'fail') {
    const run = await freshStream(stack, 1);
    const events = storeEvents(1200);
    await produce(run, events);
    const [records = []] = [...(await lambdaRecordsByShard(run)).values()];
    const gate = new SweptWriteGate(run, outcome);
    const metrics = new LocalMetrics();
    const logger = new Logger({ logLevel: 'SILENT' });
    const prices = new PriceStore(run.dynamo, run.tables);
    const handle = createHandler({
      config,
      states: gate,
      prices,
      deadLetters: new DeadLetterStore(run.dynamo, run.tables.deadLetters),
      cache: undefined,
      logger,
      metrics,
      now: Date.now,
      warm: new WarmSkus(10_000),
    });
    /** Once the handler's writes are in: every event counted once, the history the core's prices. */
    const expectCleanRun = async () => {
      await handle.settled();
      await expectEventsCounted(new StateStore(run.dynamo, run.tables.state), events);
      const skus = new Set(events.flatMap(splitBySku).map(skuOf));
      expect(await storedHistory({ prices }, skus)).toEqual(priceLines(await referencePrices(run, config)));
    };
    return { run, records, gate, metrics, logger, handle, expectCleanRun };
  }
  it('answers a tick’s batch before the records of the SKUs it only swept are stored, and they are stored after', async () => {
    const { run, records, gate, handle, expectCleanRun } = await gatedContainer('store');
    const observer = new StateStore(run.dynamo, run.tables.state);
    let checked = false;
    const failures = await handleInBatches(handle, gate, records, 3, async () => {
      if (gate.heldSkus === undefined || checked) return;
      // The batch is answered, and the records of the SKUs it swept are not stored yet.
      const held = gate.heldSkus;
      const before = await observer.loadSkus(held);
      gate.open();
      await handle.settled();
      const after = await observer.loadSkus(held);
      for (const sku of held) expect(after.get(sku)?.version, sku).toBe((before.get(sku)?.version ?? 0) + 1);
      checked = true;
    });

    expect(checked).toBe(true);
    expect(failures).toBe(0);
    await expectCleanRun();
  });
  it('sweeps again the SKUs whose deferred records were not stored, to the same prices', async () => {
    const { records, gate, metrics, logger, handle, expectCleanRun } = await gatedContainer('fail');
    const warn = vi.spyOn(logger, 'warn');
    let failed = false;
    await handleInBatches(handle, gate, records, 3, async () => {
      if (gate.heldSkus === undefined || failed) return;
      gate.open();
      await handle.settled();
      failed = true;
    });

    expect(failed).toBe(true);
    expect(metrics.total('SweptWritesFailed')).toBe(gate.heldSkus?.length);
    expect(warn).toHaveBeenCalledWith(
      'swept SKU record not stored (DynamoDB failed, or another writer came first); it stays due',
      expect.anything(),
    );
    await expectCleanRun();
  });
});

/**
 * A state store that holds back (or fails) the first write a handler makes of SKUs none of its
 * batch's events touched: the records of SKUs it only swept, which it writes after answering.
 */
class SweptWriteGate extends StateStore {
  /** The SKUs of the events of the batch being handled. */
  batchSkus = new Set<string>();
  /** The SKUs of the write held back, once one is. */
  heldSkus: string[] | undefined;
  private release: () => void = () => {};
  private readonly opened = new Promise<void>((resolve) => {
    this.release = resolve;
  });

  constructor(
    stack: Stack,
    private readonly outcome: 'store' | 'fail',
  ) {
    super(stack.dynamo, stack.tables.state);
  }

  override async saveSkus(...args: Parameters<StateStore['saveSkus']>): Promise<void> {
    const [records] = args;
    const swept = records.length > 0 && records.every((record) => !this.batchSkus.has(record.sku));
    if (this.heldSkus === undefined && swept) {
      this.heldSkus = records.map((record) => record.sku);
      await this.opened;
      if (this.outcome === 'fail') throw new Error('injected: DynamoDB unavailable');
    }
    return super.saveSkus(...args);
  }

  open(): void {
    this.release();
  }
}

/**
 * Hands a shard's records to a handler in batches of `size`, retrying a failed batch from its
 * first record as Lambda does, and tells `gate` each batch's SKUs. Returns how many answers failed.
 */
async function handleInBatches(
  handle: ConsumerHandler,
  gate: SweptWriteGate,
  records: readonly KinesisStreamRecord[],
  size: number,
  afterEach: () => Promise<void> = async () => {},
): Promise<number> {
  let failures = 0;
  for (let start = 0; start < records.length; start += size) {
    const batch = records.slice(start, start + size);
    gate.batchSkus = new Set(decodeRecords(batch).events.map((event) => event.sku));
    while ((await handle({ Records: batch })).batchItemFailures.length > 0) failures += 1;
    await afterEach();
  }
  return failures;
}

describe.each(kinesisEmulators)('consumer through failures with %s', (kinesisEmulator) => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startTestStack({ kinesisEmulator, shards: 2, redis: true });
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
    await first.whenCaughtUp();
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
    await replay.whenCaughtUp();
    await replay.stop();

    expect(deliveries).toBeGreaterThan(1);
    expect(await storedHistory(replay, skus)).toEqual(history);
    const replayed = await replay.states.loadSkus(skus);
    for (const [sku, stored] of states) {
      expect(replayed.get(sku)?.record.lateEvents).toBe(stored.record.lateEvents);
      expect(replayed.get(sku)?.record.applied).toEqual(stored.record.applied);
    }
  });

  it('applies once the events of records a producer put again after losing the answer, in a replay too', async () => {
    const run = await freshStream(stack);
    const events = storeEvents(1200);
    const perSku = new Map<string, number>();
    countPerSku(perSku, events);
    const lost = injectLostAnswers(run.kinesis, (request) => request % 4 === 1);
    try {
      await produce(run, events);
    } finally {
      lost.remove();
    }
    const records = [...(await lambdaRecordsByShard(run)).values()].flat();
    const copies = records.length - new Set(records.map((record) => record.kinesis.data)).size;
    const copiedEvents =
      decodeRecords(records).events.length - [...perSku.values()].reduce((a, b) => a + b, 0);
    expect(lost.lost()).toBeGreaterThan(0);
    expect(copies).toBeGreaterThan(0);

    const first = startPipeline(run, {
      config,
      cachePrefix: `test:${randomUUID()}:`,
      settings: { batchSize: 7 },
      logLevel: 'ERROR',
    });
    await first.whenCaughtUp();
    await first.stop();
    const stored = await expectEachEventOnce(first, perSku);
    const repeated = () =>
      [...stored.values()].reduce((sum, { record }) => sum + (record.repeatedEvents ?? 0), 0);
    expect(repeated()).toBe(copiedEvents);
    expect(first.metrics.total('RepeatedRecords')).toBe(copies);
    const history = await storedHistory(first, perSku.keys());
    expect(history).toEqual(priceLines(await referencePrices(run, config, firstCopies)));
    // A backtest replaying the stream knows the copies as the consumer does.
    expect(history).toEqual(priceLines(await replayedPrices(run, config)));

    // A replay from TRIM_HORIZON with its own checkpoints, into the same tables: copies and all,
    // nothing changes, the copies' counts included.
    const replay = startPipeline(run, {
      config,
      consumer: 'replay',
      cachePrefix: `test:${randomUUID()}:`,
      settings: { batchSize: 13 },
      logLevel: 'ERROR',
    });
    await replay.whenCaughtUp();
    await replay.stop();
    expect(await storedHistory(replay, perSku.keys())).toEqual(history);
    const replayed = await replay.states.loadSkus(perSku.keys());
    for (const [sku, { record }] of stored) {
      const again = replayed.get(sku)?.record;
      expect([again?.appliedEvents, again?.lateEvents, again?.repeatedEvents], sku).toEqual([
        record.appliedEvents,
        record.lateEvents,
        record.repeatedEvents,
      ]);
    }
  });

  it('retries a batch whose sink failed midway, and the retry is harmless', async () => {
    const run = await freshStream(stack);
    const events = storeEvents(1200);
    const skus = new Set(events.flatMap(splitBySku).map(skuOf));
    await produce(run, events);
    // The third batch's state writes fail once, after its prices were written: a crash between sinks.
    let stateWrites = 0;
    let injected = 0;
    const wire = DynamoWireClient.of(run.dynamo);
    const wireSend = wire.send.bind(wire);
    wire.send = async (operation, input) => {
      if (operation === 'PutItem' && (input as { TableName?: string }).TableName === run.tables.state) {
        stateWrites += 1;
        if (stateWrites === 60 && injected === 0) {
          injected += 1;
          throw Object.assign(new Error('injected: DynamoDB unavailable'), {
            name: 'ServiceUnavailable',
            $fault: 'server',
          });
        }
      }
      return wireSend(operation, input);
    };
    const pipeline = startPipeline(run, {
      config,
      cachePrefix: `test:${randomUUID()}:`,
      settings: { batchSize: 10 },
      logLevel: 'SILENT',
    });
    try {
      await pipeline.whenCaughtUp();

      expect(injected).toBe(1);
      expect(pipeline.metrics.total('BatchFailures')).toBe(1);
      expect(await storedHistory(pipeline, skus)).toEqual(priceLines(await referencePrices(run, config)));
    } finally {
      wire.send = wireSend;
      await pipeline.stop();
    }
  });

  it('sends poison records to dead letters with their reason and prices the rest of their batch', async () => {
    const run = await freshStream(stack, 1);
    const events = storeEvents(600);
    const skus = new Set(events.flatMap(splitBySku).map(skuOf));
    await produce(run, events.slice(0, 300));
    const put = (data: string) =>
      run.kinesis.send(
        new PutRecordCommand({
          StreamName: run.config.streamName,
          PartitionKey: 'ELEC-000001',
          Data: Buffer.from(data),
        }),
      );
    await put('{"type":"order", "v":1, "orderId":');
    await put(
      JSON.stringify({ type: 'order', v: 1, orderId: 'o-bad', eventTime: '2026-03-01T10:01:00Z', lines: [] }),
    );
    await produce(run, events.slice(300));
    const pipeline = startPipeline(run, {
      config,
      cachePrefix: `test:${randomUUID()}:`,
      settings: { batchSize: 100 },
      logLevel: 'SILENT',
    });
    try {
      await pipeline.whenCaughtUp();
      const letters = await pipeline.deadLetters.list();

      expect(letters.map((letter) => [letter.kind, letter.step, letter.field])).toEqual([
        ['record', 'utf8-json', undefined],
        ['record', 'schema', 'lines'],
      ]);
      expect(letters[1]?.reason).toMatch(/1/);
      expect(await storedHistory(pipeline, skus)).toEqual(priceLines(await referencePrices(run, config)));
    } finally {
      await pipeline.stop();
    }
  });

  it('keeps pricing into DynamoDB while Redis is down, at start or mid-run, and rebuilds the cache when it returns', async () => {
    const { RedisServer } = await import('../helpers/redisServer');
    const { connectCache } = await import('../../app/stack');
    const redisServer = await RedisServer.start();
    await redisServer.stop();
    const unavailable: Error[] = [];
    // As a Lambda container connects at a cold start: Redis is down.
    const redis = await connectCache(redisServer.url, (error) => unavailable.push(error));
    const run = { ...(await freshStream(stack, 1)), redis };
    const events = storeEvents(2000);
    const skus = new Set(events.flatMap(splitBySku).map(skuOf));
    const pipeline = startPipeline(run, { config, settings: { batchSize: 50 }, logLevel: 'SILENT' });
    const cacheMatchesRecord = async () => {
      for (const sku of skus) {
        const current = await pipeline.prices.current(sku);
        expect((await pipeline.cache?.get(sku))?.asOf, sku).toBe(current?.asOf);
      }
    };
    try {
      await produce(run, events.slice(0, 500));
      await pipeline.whenCaughtUp();
      expect(unavailable).toHaveLength(1);
      const missedAtStart = pipeline.metrics.total('CacheWriteFailures');
      expect(missedAtStart).toBeGreaterThan(0);
      await redisServer.resume();
      await produce(run, events.slice(500, 1000));
      await pipeline.whenCaughtUp();
      await cacheMatchesRecord();
      await redisServer.stop();
      await produce(run, events.slice(1000, 1500));
      await pipeline.whenCaughtUp();
      expect(pipeline.metrics.total('CacheWriteFailures')).toBeGreaterThan(missedAtStart);
      await redisServer.resume(); // empty: everything cached before is gone too
      await produce(run, events.slice(1500));
      await pipeline.whenCaughtUp();

      expect(await storedHistory(pipeline, skus)).toEqual(priceLines(await referencePrices(run, config)));
      await cacheMatchesRecord();
    } finally {
      await pipeline.stop();
      redis.disconnect();
      await redisServer.stop();
    }
  });

  it('loses and doubles nothing when two shards are merged mid-run', async () => {
    const { run, events, pipeline } = await halfConsumed(stack);
    const perSku = new Map<string, number>();
    countPerSku(perSku, events);
    try {
      expect(await reshard(run.kinesis, run.config.streamName, 1)).toBe(1);
      await produce(run, events.slice(1000));
      await pipeline.whenCaughtUp();

      const shards = await listAllShards(run.kinesis, run.config.streamName);
      const child = shards.find((shard) => shard.AdjacentParentShardId !== undefined);
      expect(shards).toHaveLength(3);
      expect(child).toBeDefined();
      const stored = await expectEachEventOnce(pipeline, perSku);
      // Every SKU's history is what a replay of the stream prices, the merged shard going on from both parents.
      expect(await storedHistory(pipeline, perSku.keys())).toEqual(
        priceLines(await replayedPrices(run, config)),
      );
      // SKUs of both parents went on in the child.
      const parents = [child?.ParentShardId, child?.AdjacentParentShardId] as string[];
      for (const parent of parents) {
        const continued = [...stored.values()].filter(
          ({ record }) => record.applied[parent] !== undefined && record.applied[child?.ShardId as string],
        );
        expect(continued.length, parent).toBeGreaterThan(0);
      }
    } finally {
      await pipeline.stop();
    }
  });

  it('loses and doubles nothing when a shard is split mid-run', async () => {
    const { run, events, pipeline } = await halfConsumed(stack);
    const perSku = new Map<string, number>();
    countPerSku(perSku, events.slice(0, 1000));
    try {
      const [parent] = await listAllShards(run.kinesis, run.config.streamName);
      const { StartingHashKey, EndingHashKey } = parent?.HashKeyRange ?? {};
      const middle = (BigInt(StartingHashKey ?? '0') + BigInt(EndingHashKey ?? '0')) / 2n;
      await run.kinesis.send(
        new SplitShardCommand({
          StreamName: run.config.streamName,
          ShardToSplit: parent?.ShardId,
          NewStartingHashKey: String(middle),
        }),
      );
      await waitUntilStreamExists(
        { client: run.kinesis, maxWaitTime: 30, minDelay: 1 },
        { StreamName: run.config.streamName },
      );
      // A child's first event, older than the parent's watermark: late, as it would have been on
      // the parent, because the child's clock goes on from its parent's.
      const kidsOfSplit = (await listAllShards(run.kinesis, run.config.streamName)).filter(
        (shard) => shard.ParentShardId === parent?.ShardId,
      );
      const parentClock = (await pipeline.states.loadShard(parent?.ShardId as string)).clock;
      const staleSku = skuIn(kidsOfSplit[0], 'STALE');
      perSku.set(staleSku, 1);
      await produce(run, [
        {
          type: 'order',
          v: 1,
          orderId: 'stale-1',
          eventTime: new Date(
            (parentClock.maxEventTime ?? 0) - config.allowedLateness - 60_000,
          ).toISOString(),
          lines: [{ sku: staleSku, quantity: 1, unitPrice: 100 }],
        },
      ]);
      await pipeline.whenCaughtUp();
      const stale = (await pipeline.states.loadSkus([staleSku])).get(staleSku)?.record;
      expect([stale?.lateEvents, stale?.appliedEvents]).toEqual([1, 0]);
      // BOOK SKUs sell only before the split: afterwards they are idle on a finished parent.
      const afterSplit = events
        .slice(1000)
        .flatMap(splitBySku)
        .filter((part) => !skuOf(part).startsWith('BOOK-'));
      await produce(run, afterSplit);
      countPerSku(perSku, afterSplit);
      await pipeline.whenCaughtUp();
      // A later event on each child, from a SKU of its own, moves each child's clock well past the
      // SKUs that sold only before the split: they are idle, and the children must sweep them.
      const all = await listAllShards(run.kinesis, run.config.streamName);
      const kids = all.filter((shard) => shard.ParentShardId === parent?.ShardId);
      const later = new Date(Date.parse((events.at(-1) as StreamEvent).eventTime) + 300_000).toISOString();
      const clockEvents = kids.map((kid, index) => {
        const sku = skuIn(kid, `CLOCK-${index}`);
        perSku.set(sku, 1);
        return {
          type: 'order',
          v: 1,
          orderId: `clock-${index}`,
          eventTime: later,
          lines: [{ sku, quantity: 1, unitPrice: 100 }],
        } as StreamEvent;
      });
      await produce(run, clockEvents);
      await pipeline.whenCaughtUp();

      const shards = await listAllShards(run.kinesis, run.config.streamName);
      expect(shards).toHaveLength(4);
      const stored = await expectEachEventOnce(pipeline, perSku);
      // Every SKU's history is what a replay of the stream prices, each child going on from the parent.
      expect(await storedHistory(pipeline, perSku.keys())).toEqual(
        priceLines(await replayedPrices(run, config)),
      );
      // No SKU of the children's hash ranges is left overdue, those idle on the parent included.
      const interval = config.interval ?? config.windows.short.slide;
      for (const kid of kids) {
        const { clock } = await pipeline.states.loadShard(kid.ShardId as string);
        const low = BigInt(kid.HashKeyRange?.StartingHashKey ?? '0');
        const high = BigInt(kid.HashKeyRange?.EndingHashKey ?? '0');
        const inRange = [...stored.values()].filter(
          ({ record }) => hashKeyOf(record.sku) >= low && hashKeyOf(record.sku) <= high,
        );
        expect(inRange.filter(({ record }) => record.sku.startsWith('BOOK-')).length).toBeGreaterThan(0);
        for (const { record } of inRange.filter((entry) => entry.record.windows !== undefined)) {
          expect(record.dueAt, record.sku).toBeGreaterThanOrEqual((clock.nextTick ?? 0) - interval);
        }
      }
      const children = shards.filter((shard) => shard.ParentShardId === parent?.ShardId);
      expect(children).toHaveLength(2);
      const childSkus = [...stored.values()].filter((entry) =>
        children.some((child) => entry.record.applied[child.ShardId as string]),
      );
      expect(childSkus.length).toBeGreaterThan(0);
    } finally {
      await pipeline.stop();
    }
  });
});
