/**
 * Ingestion benchmark: the same generated store (with a flash sale on a hot SKU) put into a fresh
 * embedded stream with KPL aggregation and without, in one run. Prints events/s, Kinesis
 * records/s and the aggregated/plain ratio. Never fails on time.
 *
 *   npm run bench:ingest -- [--events 20000] [--emulator kinesalite|kinesis-local] [--shards 4]
 */
import { parseArgs } from 'node:util';
import { loadStackConfig } from '../app/config/stackConfig';
import { Producer } from '../app/producer/Producer';
import { simulateStore } from '../app/producer/storeSimulator';
import { startStack } from '../app/stack';
import { ensureStream } from '../app/stream/ensureStream';

const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '20000' },
    emulator: { type: 'string', default: 'kinesalite' },
    shards: { type: 'string', default: '4' },
  },
});
const events = Number(values.events);
const shards = Number(values.shards);
const config = loadStackConfig(
  {},
  { kinesisEmulator: values.emulator, shardCount: shards, streamName: 'bench-ingest' },
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
  const seconds = (performance.now() - started) / 1000;
  return {
    mode: aggregate ? 'aggregated' : 'plain',
    eventsPerSecond: report.events / seconds,
    userRecordsPerSecond: report.itemsPut / seconds,
    kinesisRecordsPerSecond: report.recordsPut / seconds,
    requests: report.requests,
    failed: report.failedItems,
    seconds,
  };
}

try {
  await run(true, 0); // warm-up: JIT and connections
  const aggregated = await run(true, 1);
  const plain = await run(false, 1);
  const rows = [aggregated, plain];
  console.log(
    `ingest: ${events} events (${workload.length} generated, 10,000 SKUs, 30% of orders on one hot SKU), ` +
      `${shards} shards on ${values.emulator}, Node ${process.version}`,
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
  console.log(`peak RSS: ${Math.round(process.resourceUsage().maxRSS / 1024)} MiB`);
} finally {
  await stack.stop();
}
