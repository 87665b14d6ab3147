/**
 * End-to-end benchmark on the embedded stack (kinesalite, dynalite, the Redis at REDIS_URL):
 *   1. latency at a steady rate, and during a flash-sale burst: from the moment the producer is
 *      handed the event that lets a pricing tick fire (the first event at or past tick + allowed
 *      lateness) to the moment that tick's price change arrives on the Redis channel, p50/p95/p99,
 *      after a warm-up (the cold start's initial price for every SKU is not steady-state latency);
 *      the store and the storefront that times the prices run in a process of their own, as in
 *      production (e2eStore.ts), and this one runs the consumer;
 *   2. consumer throughput: a backlog put first, then drained, in events/s, against two baselines
 *      from the same run: the events per SKU state write (a consumer writing every event: 1), and
 *      the SKU state writes/s it needed against dynalite's ceiling for them, measured with the
 *      consumer's own store (conditional puts of real SKU records, as many at once); and whether
 *      the history it stored is, row for row, what the pure core prices over the same records.
 * Never fails on time.
 *
 * With `--repeat N` the two latency runs are made N times, each on a fresh stream, and the p99s'
 * spread is printed: on a machine shared with the emulators one slow minute moves a p99 by half.
 *
 * With `--profile-emulators DIR` the emulators run with `--cpu-prof` and write their CPU profiles
 * under DIR/<emulator>/ (open them in Chrome DevTools); the bench
 * prints each one's busy time and where its own code spent it, by source file.
 *
 *   npm run bench:e2e -- [--rate 1000] [--warmup 60] [--seconds 60] [--backlog 50000] [--shards 4] [--repeat 1]
 *                        [--profile-emulators DIR]
 */
import { fork } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { paginateScan } from '@aws-sdk/lib-dynamodb';
import { from, lastValueFrom } from 'rxjs';
import { z } from 'zod';
import { loadPricingConfig } from '../app/config/loadPricingConfig';
import { loadStackConfig } from '../app/config/stackConfig';
import { StateStore } from '../app/consumer/StateStore';
import { startPipeline } from '../app/local/startPipeline';
import { Producer } from '../app/producer/Producer';
import { simulateStore } from '../app/producer/storeSimulator';
import { startStack } from '../app/stack';
import { documentClient } from '../app/stores/documents';
import { ensureTables } from '../app/stores/ensureTables';
import { tableNames } from '../app/stores/tableSpecs';
import { ensureStream } from '../app/stream/ensureStream';
import { splitBySku } from '../processors/events/splitBySku';
import { createCoreState, priceSkus, recordsOf } from '../processors/pipeline/priceSkus';
import { decodedEvents } from '../test/helpers/kinesisRecords';
import { priceLines, referencePrices } from '../test/helpers/pipelineStack';
import { benchFlags } from './benchFlags';
import {
  type BacklogRun,
  type LatencyRun,
  percentile,
  printEmulatorProfiles,
  printLatencyRuns,
  printThroughput,
  type StoreCeiling,
} from './e2eReport';
import type { StoreReport, StoreRun } from './e2eStore';

const flags = benchFlags(
  z.object({
    rate: z.coerce.number().positive().default(1000),
    seconds: z.coerce.number().positive().default(60),
    backlog: z.coerce.number().int().min(1).default(50_000),
    shards: z.coerce.number().int().min(1).max(64).default(4),
    warmup: z.coerce.number().min(0).default(60),
    repeat: z.coerce.number().int().min(1).default(1),
    profileEmulators: z.string().min(1).optional(),
  }),
);
const profileDir = flags.profileEmulators === undefined ? undefined : path.resolve(flags.profileEmulators);
const { rate, repeat, seconds, shards } = flags;
/** Event time before measuring starts (see latencyRun). */
const warmUpMs = flags.warmup * 1000;
const config = await loadPricingConfig(new URL('../app/config/pricing.demo.json', import.meta.url).pathname);
const stack = await startStack(
  loadStackConfig(process.env, {
    shardCount: shards,
    streamName: 'bench-e2e',
    tablePrefix: `bench-${Date.now()}`,
  }),
  profileDir === undefined
    ? {}
    : {
        emulatorNodeOptions: (kind) => ['--cpu-prof', `--cpu-prof-dir=${path.join(profileDir, kind)}`],
      },
);

/** A stream and tables of a run's own: one stream per table set, as in production. */
async function freshRun(label: string) {
  const streamName = `bench-e2e-${label}`;
  const tablePrefix = `bench-e2e-${label}`;
  const tables = tableNames(tablePrefix);
  await Promise.all([ensureStream(stack.kinesis, streamName, shards), ensureTables(stack.dynamo, tables)]);
  return { ...stack, config: { ...stack.config, streamName, tablePrefix }, tables };
}

/**
 * Runs a paced simulated store into a fresh stream with its own pipeline; returns tick latencies.
 * The store and the storefront that times the prices run in a process of their own (e2eStore).
 */
async function latencyRun(label: string, flashSale: boolean): Promise<LatencyRun> {
  const run = await freshRun(label);
  const pipeline = startPipeline(run, {
    config,
    cachePrefix: `bench:${label}:`,
    settings: { batchSize: 1000 },
    logLevel: 'ERROR',
  });
  const store = fork(fileURLToPath(new URL('./e2eStore.ts', import.meta.url)), [], {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, KINESIS_ENDPOINT: stack.endpoints.kinesis, REDIS_URL: stack.config.redisUrl },
  });
  const exited = once(store, 'exit');
  const reply = async <T>() => {
    const [message] = (await Promise.race([
      once(store, 'message'),
      exited.then(([code]) => Promise.reject(new Error(`bench store exited with code ${code}`))),
    ])) as [T];
    return message;
  };
  try {
    store.send({
      region: run.config.region,
      streamName: run.config.streamName,
      channel: pipeline.cache?.channel ?? '',
      rate,
      seconds,
      warmUpMs,
      flashSale,
      allowedLatenessMs: config.allowedLateness,
    } satisfies StoreRun);
    const measuredFrom = Date.now() + warmUpMs;
    await reply<'produced'>();
    await pipeline.whenCaughtUp();
    store.send('report');
    const { priceChanges, latencies } = await reply<StoreReport>();
    return {
      label,
      priceChanges,
      measured: latencies.length,
      p50: percentile(latencies, 50),
      p95: percentile(latencies, 95),
      p99: percentile(latencies, 99),
      max: latencies.at(-1) ?? Number.NaN,
      skuWrites: pipeline.metrics.total('SkuStatesWritten'),
      events: pipeline.metrics.total('EventsProcessed'),
      // The consumer's own split of a batch, after the warm-up: see the consumer's metrics.
      pricesStored: pipeline.metrics.timingsOf('PricesStoredMs', measuredFrom).sort((a, b) => a - b),
      skuPuts: pipeline.metrics.timingsOf('SkuStatesWriteMs', measuredFrom).sort((a, b) => a - b),
    };
  } finally {
    store.kill();
    await pipeline.stop();
  }
}

/** Puts a backlog as fast as the producer goes, then times the consumer draining it. */
async function throughputRun(): Promise<BacklogRun> {
  const run = await freshRun('backlog');
  const { streamName } = run.config;
  const count = flags.backlog;
  const events = simulateStore({
    skus: 10_000,
    rate: 2000,
    count,
    startTime: Date.parse('2026-03-01T10:00:00Z'),
    seed: 9,
  });
  const report = await new Producer({ kinesis: stack.kinesis, streamName }).putAll(events);
  const started = performance.now();
  const pipeline = startPipeline(run, {
    config,
    cachePrefix: 'bench:backlog:',
    settings: { batchSize: 10_000 },
    logLevel: 'ERROR',
  });
  await pipeline.whenCaughtUp();
  const drained = (performance.now() - started) / 1000;
  await pipeline.stop();
  // The check at scale that the integration tests make on small streams: every history row the
  // consumer stored, against what the pure core prices over the same records in one pass a shard.
  const expected = new Set(priceLines(await referencePrices(run, config)));
  const stored = new Set(priceLines(await historyRows(run)));
  return {
    verified: {
      changes: expected.size,
      missing: [...expected].filter((line) => !stored.has(line)),
      unexpected: [...stored].filter((line) => !expected.has(line)),
    },
    events: report.itemsPut,
    seconds: drained,
    perSecond: report.itemsPut / drained,
    changes: pipeline.metrics.total('PriceChanges'),
    skuWrites: pipeline.metrics.total('SkuStatesWritten'),
  };
}

/** Every price-history row a run's consumer stored. */
async function historyRows(run: Awaited<ReturnType<typeof freshRun>>) {
  const rows: { sku: string; asOf: number; price: number; reason: string }[] = [];
  const pages = paginateScan(
    { client: documentClient(run.dynamo) },
    {
      TableName: run.tables.prices,
      FilterExpression: 'begins_with(version, :history)',
      ExpressionAttributeValues: { ':history': 'h#' },
    },
  );
  for await (const page of pages) rows.push(...((page.Items ?? []) as typeof rows));
  return rows;
}

/**
 * dynalite's ceiling for the consumer's SKU writes, measured now: the records a run of the core
 * over a simulated store leaves (each SKU's windows, pricing state and positions), written with
 * the consumer's StateStore, each put conditional, as many at once as the consumer sends.
 */
async function storeCeiling(): Promise<StoreCeiling> {
  const run = await freshRun('ceiling');
  const events = decodedEvents(
    [
      ...simulateStore({
        skus: 3000,
        rate: 500,
        count: 30_000,
        startTime: Date.parse('2026-03-01T10:00:00Z'),
        seed: 3,
      }),
    ].flatMap(splitBySku),
  );
  const state = createCoreState(config);
  await lastValueFrom(from(events).pipe(priceSkus(config, { state })), { defaultValue: undefined });
  const records = recordsOf(state);
  const states = new StateStore(stack.dynamo, run.tables.state);
  const started = performance.now();
  await states.saveSkus(records, new Map(), new Map(), 'ceiling');
  return { puts: records.length, perSecond: records.length / ((performance.now() - started) / 1000) };
}

try {
  const latency: LatencyRun[] = [];
  for (let run = 1; run <= repeat; run++) {
    const suffix = repeat === 1 ? '' : `-${run}`;
    latency.push(await latencyRun(`steady${suffix}`, false), await latencyRun(`flash-sale${suffix}`, true));
  }
  const backlog = await throughputRun();
  const ceiling = await storeCeiling();
  printLatencyRuns(
    `e2e: ${rate} events/s, ${warmUpMs / 1000} s of warm-up then ${seconds} s measured per run, 10,000 SKUs, ${shards} shards on kinesalite + dynalite + Redis, demo config (10 s ticks, 5 s lateness); Node ${process.version}`,
    latency,
    repeat > 1,
  );
  printThroughput(backlog, ceiling);
} finally {
  await stack.stop();
}
if (profileDir !== undefined)
  await printEmulatorProfiles(profileDir, [stack.config.kinesisEmulator, 'dynalite']);
