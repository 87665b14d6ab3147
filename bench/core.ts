/**
 * Stream-core benchmark, one process, one core: a simulated store of 100,000 SKUs with a flash
 * sale on three hot SKUs, through
 *   1. windows + pricing on pre-decoded events (`priceSkus`),
 *   2. decode + windows + pricing from raw KPL-aggregated Lambda records,
 *   3. the naive RxJS reference (lists of events per SKU) on the same pre-decoded events,
 * printing events/s (median of three runs; the naive reference runs once), heap per active SKU,
 * and the core/naive ratio. Never fails on time. Runs with a 64 MB young generation
 * (--max-semi-space-size=64), as a Lambda would be given through NODE_OPTIONS.
 *
 *   npm run bench:core -- [--events 1000000] [--skus 100000] [--rate 2000]
 */
import { parseArgs } from 'node:util';
import { count, from, lastValueFrom, tap } from 'rxjs';
import { simulateStore } from '../app/producer/storeSimulator';
import { pricingConfigSchema } from '../processors/config/pricingConfig';
import type { DecodedEvent } from '../processors/events/decodedEvent';
import { decodeRecords } from '../processors/events/decodeRecords';
import { splitBySku } from '../processors/events/splitBySku';
import { createCoreState, priceSkus } from '../processors/pipeline/priceSkus';
import type { CoreOutput } from '../processors/window/outputs';
import { aggregatedRecords } from '../test/helpers/kinesisRecords';
import { naivePriceSkus } from './naiveReference';

const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '1000000' },
    skus: { type: 'string', default: '100000' },
    rate: { type: 'string', default: '2000' },
  },
});
const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});
/** Heap plus array buffers (the pane slab lives in the latter). */
const heap = () => {
  gc();
  const { heapUsed, arrayBuffers } = process.memoryUsage();
  return heapUsed + arrayBuffers;
};

const config = pricingConfigSchema.parse({});
const startTime = Date.parse('2026-03-01T10:00:00Z');
const stream = [
  ...simulateStore({
    skus: Number(values.skus),
    rate: Number(values.rate),
    count: Number(values.events),
    seed: 7,
    startTime,
    flashSale: { startAfterMs: 120_000, durationMs: 240_000, hotSkus: 3, share: 0.5 },
  }),
].flatMap(splitBySku);
const records = aggregatedRecords(stream, 256 * 1024);
const decoded: DecodedEvent[] = decodeRecords(records).events;
const eventSpanMinutes = (decoded.at(-1)!.eventTime - decoded[0]!.eventTime) / 60_000;

async function measure(label: string, run: () => Promise<{ outputs: CoreOutput[] }>) {
  gc();
  const started = performance.now();
  const { outputs } = await run();
  const seconds = (performance.now() - started) / 1000;
  return { label, seconds, eventsPerSecond: decoded.length / seconds, outputs };
}

function collect(outputs: CoreOutput[]) {
  return tap<CoreOutput>((output) => {
    if (output.kind === 'price') outputs.push(output);
  });
}

/** Heap and array buffers (the pane slab) retained by a partition's state after the whole workload. */
async function stateFootprint(): Promise<{ bytesPerSku: number; activeSkus: number }> {
  const before = heap();
  const state = createCoreState(config);
  await lastValueFrom(from(decoded).pipe(priceSkus(config, { state }), count()));
  const bytes = heap() - before;
  return { bytesPerSku: bytes / state.skus.size, activeSkus: state.skus.size };
}

const runCore = () =>
  measure('windows + pricing (pre-decoded)', async () => {
    const outputs: CoreOutput[] = [];
    await lastValueFrom(from(decoded).pipe(priceSkus(config), collect(outputs), count()));
    return { outputs };
  });

const runRaw = () =>
  measure('decode + windows + pricing (raw KPL records)', async () => {
    const outputs: CoreOutput[] = [];
    const { events } = decodeRecords(records);
    await lastValueFrom(from(events).pipe(priceSkus(config), collect(outputs), count()));
    return { outputs };
  });

const runNaive = () =>
  measure('naive RxJS reference (pre-decoded)', async () => {
    const outputs: CoreOutput[] = [];
    await lastValueFrom(from(decoded).pipe(naivePriceSkus(config), collect(outputs), count()));
    return { outputs };
  });

/** The median of three runs by throughput: one slow run (a major GC) does not decide the figure. */
async function median(run: typeof runCore) {
  const runs = [await run(), await run(), await run()].sort((a, b) => a.eventsPerSecond - b.eventsPerSecond);
  return runs[1] as Awaited<ReturnType<typeof runCore>>;
}

await runCore(); // warm-up: JIT
const core = await median(runCore);
const raw = await median(runRaw);
const naive = await runNaive();
const footprint = await stateFootprint();

const same =
  JSON.stringify(core.outputs) === JSON.stringify(naive.outputs) &&
  JSON.stringify(core.outputs) === JSON.stringify(raw.outputs);
console.log(
  `core: ${decoded.length.toLocaleString()} per-SKU events (${records.length} KPL records), ${Number(values.skus).toLocaleString()} SKUs, ` +
    `${eventSpanMinutes.toFixed(1)} min of event time, flash sale on 3 SKUs; Node ${process.version}, one core`,
);
console.table(
  [core, raw, naive].map((row) => ({
    path: row.label,
    'events/s': Math.round(row.eventsPerSecond).toLocaleString(),
    seconds: row.seconds.toFixed(2),
    'price changes': row.outputs.length.toLocaleString(),
  })),
);
console.log(
  `memory per active SKU (core, heap + pane slab): ${Math.round(footprint.bytesPerSku).toLocaleString()} bytes over ${footprint.activeSkus.toLocaleString()} active SKUs`,
);
console.log(
  `core / naive: ${(core.eventsPerSecond / naive.eventsPerSecond).toFixed(1)}x; same prices from all three: ${same ? 'yes' : 'NO'}`,
);
console.log(`peak RSS: ${Math.round(process.resourceUsage().maxRSS / 1024)} MiB`);
