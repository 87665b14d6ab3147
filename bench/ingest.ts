/**
 * Ingestion benchmark: the same generated store (with a flash sale on a hot SKU) put into a fresh
 * embedded stream with KPL aggregation and without, and through the HTTP ingest (`POST /events`,
 * NDJSON requests of `--http-batch` events from `--http-clients` clients at once), in one run.
 * Prints events/s, Kinesis records/s, the aggregated/plain and HTTP/direct ratios, and the HTTP
 * requests' latency. Never fails on time.
 *
 *   npm run bench:ingest -- [--events 20000] [--emulator kinesalite|kinesis-local] [--shards 4]
 *     [--http-batch 500] [--http-clients 4]
 */
import { z } from 'zod';
import { loadStackConfig, stackConfigSchema } from '../app/config/stackConfig';
import { type ProduceReport, Producer } from '../app/producer/Producer';
import { simulateStore } from '../app/producer/storeSimulator';
import { startEventIngest } from '../app/serve/EventIngest';
import { startStack } from '../app/stack';
import { ensureStream } from '../app/stream/ensureStream';
import { benchFlags } from './benchFlags';

const flags = benchFlags(
  z.object({
    events: z.coerce.number().int().min(1).default(20_000),
    emulator: stackConfigSchema.shape.kinesisEmulator,
    shards: z.coerce.number().int().min(1).max(64).default(4),
    httpBatch: z.coerce.number().int().min(1).default(500),
    httpClients: z.coerce.number().int().min(1).default(4),
  }),
);
const { events, shards } = flags;
const config = loadStackConfig(
  {},
  { kinesisEmulator: flags.emulator, shardCount: shards, streamName: 'bench-ingest' },
);
const stack = await startStack(config, { redis: false });

const workload = [
  ...simulateStore({
    skus: 10_000,
    rate: 1000,
    count: events,
    seed: 42,
    startTime: Date.parse('2026-03-01T10:00:00Z'),
    flashSale: { startAfterMs: 0, durationMs: (events / 1000) * 1000, hotSkus: 1, share: 0.3 },
  }),
];

async function run(aggregate: boolean, round: number) {
  const streamName = `bench-ingest-${aggregate ? 'agg' : 'plain'}-${round}`;
  await ensureStream(stack.kinesis, streamName, shards);
  const producer = new Producer({ kinesis: stack.kinesis, streamName, aggregate });
  const started = performance.now();
  const report = await producer.putAll(workload);
  return figures(aggregate ? 'aggregated' : 'plain', report, (performance.now() - started) / 1000);
}

/** A run's rates from its producer's report. */
function figures(mode: string, report: ProduceReport, seconds: number) {
  return {
    mode,
    eventsPerSecond: report.events / seconds,
    userRecordsPerSecond: report.itemsPut / seconds,
    kinesisRecordsPerSecond: report.recordsPut / seconds,
    requests: report.requests,
    failed: report.failedItems,
    seconds,
  };
}

/** The workload through `POST /events`: each client sends its requests one after another. */
async function runHttp(round: number) {
  const streamName = `bench-ingest-http-${round}`;
  await ensureStream(stack.kinesis, streamName, shards);
  const producer = new Producer({ kinesis: stack.kinesis, streamName });
  const ingest = await startEventIngest({ producer });
  const perRequest = flags.httpBatch;
  const bodies: string[] = [];
  for (let start = 0; start < workload.length; start += perRequest)
    bodies.push(
      workload
        .slice(start, start + perRequest)
        .map((event) => JSON.stringify(event))
        .join('\n'),
    );
  const latencies: number[] = [];
  let next = 0;
  const client = async () => {
    while (next < bodies.length) {
      const body = bodies[next++] as string;
      const sent = performance.now();
      const response = await fetch(`${ingest.url}/events`, { method: 'POST', body });
      if (response.status !== 200)
        throw new Error(`ingest answered ${response.status}: ${await response.text()}`);
      await response.arrayBuffer();
      latencies.push(performance.now() - sent);
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: flags.httpClients }, client));
  const seconds = (performance.now() - started) / 1000;
  await ingest.close();
  const report = producer.report();
  latencies.sort((a, b) => a - b);
  const percentile = (p: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? 0;
  return {
    ...figures(`HTTP ingest (${perRequest}/request, ${flags.httpClients} clients)`, report, seconds),
    latency: { p50: percentile(0.5), p99: percentile(0.99), requests: latencies.length },
  };
}

try {
  await run(true, 0); // warm-up: JIT and connections
  await runHttp(0);
  const aggregated = await run(true, 1);
  const plain = await run(false, 1);
  const http = await runHttp(1);
  const rows = [aggregated, plain, http];
  console.log(
    `ingest: ${events} events (${workload.length} generated, 10,000 SKUs, 30% of orders on one hot SKU), ` +
      `${shards} shards on ${flags.emulator}, Node ${process.version}`,
  );
  console.table(
    rows.map((row) => ({
      mode: row.mode,
      'events/s': Math.round(row.eventsPerSecond),
      'per-SKU records/s': Math.round(row.userRecordsPerSecond),
      'Kinesis records/s': Math.round(row.kinesisRecordsPerSecond),
      'PutRecords calls': row.requests,
      failed: row.failed,
      seconds: row.seconds.toFixed(2),
    })),
  );
  console.log(
    `aggregated / plain events/s: ${(aggregated.eventsPerSecond / plain.eventsPerSecond).toFixed(1)}x`,
  );
  console.log(
    `HTTP ingest / direct aggregated events/s: ${(http.eventsPerSecond / aggregated.eventsPerSecond).toFixed(2)}x; ` +
      `${http.latency.requests} requests, answered in p50 ${http.latency.p50.toFixed(0)} ms, p99 ${http.latency.p99.toFixed(0)} ms`,
  );
  console.log(`peak RSS: ${Math.round(process.resourceUsage().maxRSS / 1024)} MiB`);
} finally {
  await stack.stop();
}
