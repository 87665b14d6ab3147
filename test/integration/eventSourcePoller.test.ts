import { randomBytes, randomUUID } from 'node:crypto';
import { PutRecordsCommand } from '@aws-sdk/client-kinesis';
import type { KinesisStreamEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPipeline } from '../../app/local/startPipeline';
import { Producer, type ProducerOptions } from '../../app/producer/Producer';
import { simulateStore } from '../../app/producer/storeSimulator';
import type { Stack } from '../../app/stack';
import { pricingConfigSchema } from '../../processors/config/pricingConfig';
import { decodeRecords } from '../../processors/events/decodeRecords';
import type { StreamEvent } from '../../processors/events/schema';
import { skuOf, splitBySku } from '../../processors/events/splitBySku';
import { injectLostAnswers } from '../helpers/injectLostAnswers';
import { firstCopies, freshStream, lambdaRecordsByShard } from '../helpers/pipelineStack';
import { startTestStack } from '../helpers/testStack';

const config = pricingConfigSchema.parse({
  windows: { short: { size: '2m', slide: '20s' }, long: { size: '10m', slide: '1m' } },
  allowedLateness: '20s',
});

function events(count: number, seed: number, startTime = Date.parse('2026-03-01T10:00:00Z')): StreamEvent[] {
  return [...simulateStore({ skus: 30, rate: 4, count, seed, startTime })];
}

async function produce(
  stack: Stack,
  batch: readonly StreamEvent[],
  options: Pick<ProducerOptions, 'aggregate' | 'aggregateBy'> = {},
): Promise<void> {
  await new Producer({
    kinesis: stack.kinesis,
    streamName: stack.config.streamName,
    aggregateBytes: 2048,
    ...options,
  }).putAll(batch);
}

/** Counts the records every invocation is handed. */
function counting() {
  const seen: string[] = [];
  return {
    seen,
    wrap:
      (
        handler: (event: KinesisStreamEvent) => Promise<{ batchItemFailures: { itemIdentifier: string }[] }>,
      ) =>
      (event: KinesisStreamEvent) => {
        seen.push(...event.Records.map((record) => record.kinesis.sequenceNumber));
        return handler(event);
      },
  };
}

/**
 * The consumer with two lanes per shard, run until caught up: how many per-SKU events of `put`
 * each SKU has, and what it stored.
 */
async function consumeWithLanes(run: Stack, put: readonly StreamEvent[], batchSize: number) {
  const pipeline = startPipeline(run, {
    config,
    cachePrefix: `t:${randomUUID()}:`,
    settings: { batchSize, parallelizationFactor: 2 },
    logLevel: 'ERROR',
  });
  await pipeline.whenCaughtUp();
  await pipeline.stop();
  const perSku = new Map<string, number>();
  for (const part of put.flatMap(splitBySku)) perSku.set(skuOf(part), (perSku.get(skuOf(part)) ?? 0) + 1);
  return { pipeline, perSku, stored: await pipeline.states.loadSkus(perSku.keys()) };
}

describe('event source poller', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startTestStack({ shards: 2, redis: true });
  });
  afterAll(() => stack?.stop());

  it('resumes after a restart from its checkpoints, handing no acknowledged record again', async () => {
    const run = await freshStream(stack);
    await produce(run, events(600, 1));
    const first = counting();
    const before = startPipeline(run, {
      config,
      cachePrefix: `t:${randomUUID()}:`,
      settings: { batchSize: 10 },
      wrapHandler: first.wrap,
    });
    await before.whenCaughtUp();
    await before.stop();
    await produce(run, events(300, 2, Date.parse('2026-03-01T10:03:00Z')));
    const second = counting();
    const after = startPipeline(run, {
      config,
      cachePrefix: `t:${randomUUID()}:`,
      settings: { batchSize: 10 },
      wrapHandler: second.wrap,
    });
    await after.whenCaughtUp();
    await after.stop();

    expect(first.seen.length).toBeGreaterThan(0);
    expect(second.seen.length).toBeGreaterThan(0);
    expect(second.seen.filter((sequence) => first.seen.includes(sequence))).toEqual([]);
  });

  it('fails with the error of a checkpoint it could not store', async () => {
    const run = await freshStream(stack);
    await produce(run, events(300, 4));
    const outage = 'pricestream-test-checkpoint-outage';
    let refused = 0;
    run.dynamo.middlewareStack.add(
      (next, context) => async (args) => {
        const { TableName } = args.input as { TableName?: string };
        if (context.commandName !== 'PutItemCommand' || TableName !== run.tables.checkpoints)
          return next(args);
        refused += 1;
        throw new Error('checkpoint table unavailable (injected)');
      },
      { step: 'initialize', name: outage },
    );
    const pipeline = startPipeline(run, {
      config,
      cachePrefix: `t:${randomUUID()}:`,
      settings: { batchSize: 10 },
      logLevel: 'SILENT',
    });
    try {
      await expect(pipeline.whenCaughtUp()).rejects.toThrow('checkpoint table unavailable (injected)');
      expect(refused).toBeGreaterThan(0);
    } finally {
      run.dynamo.middlewareStack.remove(outage);
      await pipeline.stop();
    }
  });

  it.each([
    ['plain records', { aggregate: false }],
    ['records aggregated per SKU', { aggregateBy: 'sku' }],
  ] as const)(
    'applies every event exactly once, in order per SKU, with two lanes per shard (%s)',
    async (_, producing) => {
      const run = await freshStream(stack);
      const put = events(900, 3);
      // Lanes go by the Kinesis record's partition key: a shard aggregate would carry other SKUs under its first SKU's key.
      await produce(run, put, producing);
      const { pipeline, perSku, stored } = await consumeWithLanes(run, put, 25);

      expect(pipeline.metrics.total('BatchFailures')).toBe(0);
      const records = pipeline.metrics.total('RecordsProcessed');
      if ('aggregateBy' in producing) expect(records).toBeLessThan(put.length / 2);
      else expect(records).toBeGreaterThanOrEqual(put.length);
      for (const [sku, count] of perSku) {
        const record = stored.get(sku)?.record;
        expect((record?.appliedEvents ?? 0) + (record?.lateEvents ?? 0), sku).toBe(count);
        const history = await pipeline.prices.history(sku);
        expect(
          history.slice(1).map((row) => row.previousPrice),
          sku,
        ).toEqual(history.slice(0, -1).map((row) => row.price));
      }
    },
  );

  it('applies once the events of records a producer put again, with two lanes per shard', async () => {
    const run = await freshStream(stack);
    const put = events(900, 5);
    // Every third PutRecords answer is lost: the producer puts those records again.
    const lost = injectLostAnswers(run.kinesis, (request) => request % 3 === 1);
    try {
      await produce(run, put, { aggregateBy: 'sku' });
    } finally {
      lost.remove();
    }
    const records = [...(await lambdaRecordsByShard(run)).values()].flat();
    const copiedEvents =
      decodeRecords(records).events.length - decodeRecords(firstCopies(records)).events.length;
    expect(lost.lost()).toBeGreaterThan(0);
    expect(copiedEvents).toBeGreaterThan(0);

    const { pipeline, perSku, stored } = await consumeWithLanes(run, put, 7);

    expect(pipeline.metrics.total('BatchFailures')).toBe(0);
    for (const [sku, count] of perSku) {
      const record = stored.get(sku)?.record;
      expect((record?.appliedEvents ?? 0) + (record?.lateEvents ?? 0), sku).toBe(count);
    }
    const repeated = [...stored.values()].reduce((sum, { record }) => sum + (record.repeatedEvents ?? 0), 0);
    expect(repeated).toBe(copiedEvents);
  });

  it('gives up on a batch after the maximum retries, bisecting first, and sends it to the dead letters', async () => {
    const run = await freshStream(stack, 1);
    await produce(run, events(200, 4));
    let calls = 0;
    const pipeline = startPipeline(run, {
      config,
      settings: { batchSize: 100, maxRetries: 1, bisectOnError: true },
      wrapHandler: () => async (event) => {
        calls += 1;
        return {
          batchItemFailures: [{ itemIdentifier: event.Records[0]?.kinesis.sequenceNumber as string }],
        };
      },
    });
    await pipeline.whenCaughtUp();
    await pipeline.stop();
    const batches = (await pipeline.deadLetters.list()).filter((letter) => letter.kind === 'batch');

    expect(calls).toBeGreaterThan(2);
    expect(batches.length).toBeGreaterThan(0);
    expect(batches.reduce((total, letter) => total + (letter.records as number), 0)).toBeGreaterThan(0);
    expect(batches[0]?.reason).toMatch(/maximum retries 1/);
  });

  it('fails an invocation that outlives the function timeout, and hands its batch over again', async () => {
    const run = await freshStream(stack, 1);
    const batch = events(120, 6);
    await produce(run, batch);
    const firstRecords: string[] = [];
    let hung = 0;
    const pipeline = startPipeline(run, {
      config,
      settings: { batchSize: 20, functionTimeoutMs: 300 },
      wrapHandler: (handler) => async (event) => {
        firstRecords.push(event.Records[0]?.kinesis.sequenceNumber as string);
        if (hung === 0) {
          hung += 1;
          return new Promise(() => {}); // never answers, as a function stuck on a dead socket
        }
        return handler(event);
      },
    });
    await pipeline.whenCaughtUp();
    await pipeline.stop();

    expect(hung).toBe(1);
    expect(firstRecords[1]).toBe(firstRecords[0]);
    expect(pipeline.metrics.total('EventsProcessed')).toBe(batch.flatMap(splitBySku).length);
  });

  it('starts a new consumer at LATEST, or AT_TIMESTAMP, instead of the beginning', async () => {
    const run = await freshStream(stack, 1);
    await produce(run, events(100, 5));
    const since = new Date();
    const latest = counting();
    const atLatest = startPipeline(run, {
      config,
      consumer: 'latest',
      settings: { startingPosition: 'LATEST' },
      wrapHandler: latest.wrap,
    });
    await atLatest.whenCaughtUp();
    await produce(run, events(40, 6, Date.parse('2026-03-01T11:00:00Z')));
    await atLatest.whenCaughtUp();
    await atLatest.stop();
    const stamped = counting();
    const atTimestamp = startPipeline(run, {
      config,
      consumer: 'timestamp',
      settings: { startingPosition: 'AT_TIMESTAMP', startingTimestamp: since },
      wrapHandler: stamped.wrap,
    });
    await atTimestamp.whenCaughtUp();
    await atTimestamp.stop();
    const everything = counting();
    const fromStart = startPipeline(run, { config, consumer: 'all', wrapHandler: everything.wrap });
    await fromStart.whenCaughtUp();
    await fromStart.stop();

    expect(latest.seen.length).toBeGreaterThan(0);
    expect(latest.seen.length).toBeLessThan(everything.seen.length);
    // AT_TIMESTAMP reads everything put after the timestamp, and not the stream's beginning (a
    // record put at the very instant may fall on either side, as arrival times are approximate).
    expect(stamped.seen).toEqual(expect.arrayContaining(latest.seen));
    expect(stamped.seen.length).toBeLessThan(everything.seen.length);
  });

  it('sends records older than the maximum record age to the dead letters unprocessed', async () => {
    const run = await freshStream(stack, 1);
    await produce(run, events(100, 7));
    const handed = counting();
    const pipeline = startPipeline(run, {
      config,
      settings: { maxRecordAgeMs: 0 },
      wrapHandler: handed.wrap,
      now: () => Date.now() + 60_000,
    });
    await pipeline.whenCaughtUp();
    await pipeline.stop();
    const batches = (await pipeline.deadLetters.list()).filter((letter) => letter.kind === 'batch');

    expect(handed.seen).toEqual([]);
    expect(batches[0]?.reason).toMatch(/older than the maximum record age/);
  });

  it('reads no further ahead than a batch: large records are asked for an invocation payload at a time', async () => {
    const run = await freshStream(stack, 1);
    const putLarge = async (count: number) => {
      for (let sent = 0; sent < count; sent += 10) {
        const records = Array.from({ length: Math.min(10, count - sent) }, () => ({
          Data: randomBytes(256 * 1024),
          PartitionKey: 'large',
        }));
        await run.kinesis.send(
          new PutRecordsCommand({ StreamName: run.config.streamName, Records: records }),
        );
      }
    };
    const reads: { limit: number; records: number }[] = [];
    const watch = 'pricestream-test-get-records';
    run.kinesis.middlewareStack.add(
      (next, context) => async (args) => {
        const result = await next(args);
        if (context.commandName === 'GetRecordsCommand') {
          const records = (result.output as { Records?: unknown[] }).Records?.length ?? 0;
          reads.push({ limit: (args.input as { Limit: number }).Limit, records });
        }
        return result;
      },
      { step: 'initialize', name: watch },
    );
    const batches: number[] = [];
    // While the second lot is put, the handler holds its first batch: the poller reads nothing more
    // meanwhile, so it finds the rest of the lot all there, not as each put lands.
    let allPut = Promise.resolve();
    await putLarge(10);
    const pipeline = startPipeline(run, {
      config,
      settings: { batchSize: 500 },
      // Not events: the records are only counted, as a handler would acknowledge them.
      wrapHandler: () => async (event) => {
        await allPut;
        batches.push(event.Records.length);
        return { batchItemFailures: [] };
      },
    });
    try {
      await pipeline.whenCaughtUp();
      const firstReads = reads.length;
      let putDone = () => {};
      allPut = new Promise((resolve) => {
        putDone = resolve;
      });
      await putLarge(60);
      putDone();
      await pipeline.whenCaughtUp();

      expect(batches.reduce((total, size) => total + size, 0)).toBe(70);
      // 256 KiB of data is 349,528 bytes of base64: 17 records with their envelopes fill 6 MiB.
      expect(Math.max(...batches)).toBe(17);
      // Once a record's size is known, a read asks for one payload's worth (18 such records), not the batch size.
      expect(reads[0]?.limit).toBe(500);
      const later = reads.slice(firstReads);
      expect(later.length).toBeGreaterThan(0);
      expect(Math.max(...later.map((read) => read.limit))).toBe(18);
      expect(Math.max(...later.map((read) => read.records))).toBeLessThanOrEqual(18);
    } finally {
      run.kinesis.middlewareStack.remove(watch);
      await pipeline.stop();
    }
  });

  it('reports its iterator age (how long ago the oldest record waiting to be acknowledged reached the stream) and how many records wait', async () => {
    const run = await freshStream(stack, 1);
    await produce(run, events(100, 8));
    let release: () => void = () => {};
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    let handed: (records: number) => void = () => {};
    const firstHanded = new Promise<number>((resolve) => {
      handed = resolve;
    });
    const pipeline = startPipeline(run, {
      config,
      now: () => Date.now() + 60_000,
      wrapHandler: (handler) => async (event) => {
        handed(event.Records.length);
        await released;
        return handler(event);
      },
    });
    const handedRecords = await firstHanded;
    const waiting = pipeline.poller.iteratorAgeMs();
    const unacknowledged = pipeline.poller.unacknowledgedRecords();
    release();
    await pipeline.whenCaughtUp();
    const caughtUp = pipeline.poller.iteratorAgeMs();
    await pipeline.stop();

    expect(handedRecords).toBeGreaterThan(0);
    expect(unacknowledged).toBeGreaterThanOrEqual(handedRecords);
    expect(pipeline.poller.unacknowledgedRecords()).toBe(0);

    // The records reached the stream before the handler was first called, a minute ago by this clock.
    expect(waiting).toBeGreaterThanOrEqual(60_000);
    expect(waiting).toBeLessThan(120_000);
    expect(caughtUp).toBe(0);
  });
});
