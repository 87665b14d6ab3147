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
import { existsSync, readdirSync } from 'node:fs';
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
import { busyTimeByFile } from './cpuProfile';
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

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

/**
 * Runs a paced simulated store into a fresh stream with its own pipeline; returns tick latencies.
 * The store and the storefront that times the prices run in a process of their own (e2eStore).
 */
async function latencyRun(label: string, flashSale: boolean) {
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
async function throughputRun() {
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
async function storeCeiling() {
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

/** min / median / max of the runs' p99s; a run too short to measure a tick is left out. */
function spread(runs: readonly { p99: number }[]): string {
  const sorted = runs
    .map((run) => run.p99)
    .filter(Number.isFinite)
    .sort((a, b) => a - b);
  if (sorted.length === 0) return 'nothing measured';
  const median = sorted[Math.floor((sorted.length - 1) / 2)] as number;
  const figures = [sorted[0] as number, median, sorted.at(-1) as number].map((p99) => p99.toFixed(0));
  return `${figures.join(' / ')} ms over ${sorted.length} run${sorted.length === 1 ? '' : 's'}`;
}

try {
  const latency: Awaited<ReturnType<typeof latencyRun>>[] = [];
  for (let run = 1; run <= repeat; run++) {
    const suffix = repeat === 1 ? '' : `-${run}`;
    latency.push(await latencyRun(`steady${suffix}`, false), await latencyRun(`flash-sale${suffix}`, true));
  }
  const backlog = await throughputRun();
  const ceiling = await storeCeiling();
  console.log(
    `e2e: ${rate} events/s, ${warmUpMs / 1000} s of warm-up then ${seconds} s measured per run, 10,000 SKUs, ${shards} shards on kinesalite + dynalite + Redis, demo config (10 s ticks, 5 s lateness); Node ${process.version}`,
  );
  console.table(
    latency.map((row) => ({
      run: row.label,
      'price changes': row.priceChanges,
      measured: row.measured,
      'p50 ms': row.p50.toFixed(0),
      'p95 ms': row.p95.toFixed(0),
      'p99 ms': row.p99.toFixed(0),
      'max ms': row.max.toFixed(0),
      'SKU writes / event': (row.skuWrites / row.events).toFixed(2),
    })),
  );
  const stages = (sorted: readonly number[]) =>
    `${[50, 90].map((p) => percentile(sorted, p).toFixed(0)).join(' / ')} / ${(sorted.at(-1) ?? Number.NaN).toFixed(0)} ms`;
  for (const row of latency)
    console.log(
      `  ${row.label}: ${row.pricesStored.length} batches with price changes stored them p50 / p90 / max ${stages(row.pricesStored)} after they started; ` +
        `the SKU puts of all ${row.skuPuts.length} batches took ${stages(row.skuPuts)}`,
    );
  if (repeat > 1) {
    const steady = latency.filter((row) => row.label.startsWith('steady'));
    const flash = latency.filter((row) => row.label.startsWith('flash-sale'));
    console.log(`p99 min / median / max: steady ${spread(steady)}; flash sale ${spread(flash)}`);
  }
  const writesPerSecond = backlog.skuWrites / backlog.seconds;
  console.log(
    `consumer throughput: ${backlog.events} per-SKU events drained in ${backlog.seconds.toFixed(1)} s = ${Math.round(backlog.perSecond)} events/s (${backlog.changes} price changes)`,
  );
  console.log(
    `  ${(backlog.events / backlog.skuWrites).toFixed(1)} events per SKU state write (a consumer writing every event: 1.0); ` +
      `${Math.round(writesPerSecond)} SKU state writes/s = ${Math.round((100 * writesPerSecond) / ceiling.perSecond)} % of dynalite's ceiling for them, ` +
      `measured now: ${Math.round(ceiling.perSecond)} conditional puts/s (${ceiling.puts} SKU records, at the consumer's concurrency)`,
  );
  const { verified } = backlog;
  const some = (lines: readonly string[]) =>
    lines.length === 0 ? '' : ` (${lines.slice(0, 3).join(', ')}…)`;
  console.log(
    verified.missing.length === 0 && verified.unexpected.length === 0
      ? `  its stored history is the core's prices for the same records: yes, all ${verified.changes} changes`
      : `  its stored history is NOT the core's prices for the same records: ${verified.missing.length} of ${verified.changes} changes missing${some(verified.missing)}, ` +
          `${verified.unexpected.length} rows the core does not give${some(verified.unexpected)}`,
  );
} finally {
  await stack.stop();
}
if (profileDir !== undefined) {
  for (const kind of [stack.config.kinesisEmulator, 'dynalite']) {
    const dir = path.join(profileDir, kind);
    // One profile per thread: the emulator's, and that of tsx's module loader, which idles.
    const files = existsSync(dir) ? readdirSync(dir).filter((name) => name.endsWith('.cpuprofile')) : [];
    const profiles = await Promise.all(
      files.map(async (name) => ({
        file: path.join(dir, name),
        ...(await busyTimeByFile(path.join(dir, name))),
      })),
    );
    const busiest = profiles.sort((a, b) => b.busySeconds - a.busySeconds)[0];
    if (busiest === undefined) {
      console.log(`${kind}: no profile (not started by the bench: an endpoint was given)`);
      continue;
    }
    console.log(
      `${kind}: busy ${busiest.busySeconds.toFixed(1)} s of ${busiest.seconds.toFixed(1)} s (${busiest.file}); its busy time by source file (own code):`,
    );
    for (const { place, share } of busiest.places)
      console.log(`  ${(100 * share).toFixed(1).padStart(5)} %  ${place}`);
  }
}
