/**
 * Stream-core benchmark, one process, one core: a simulated store of 100,000 SKUs with a flash
 * sale on three hot SKUs, through
 *   1. windows + pricing on pre-decoded events (`priceSkus`),
 *   2. decode + windows + pricing from raw KPL-aggregated Lambda records, in batches of at most
 *      Lambda's 6 MB invocation payload, priced through one partition state as the consumer does (each
 *      record's events parsed as they are priced),
 *   3. the naive RxJS reference (lists of events per SKU) on the same pre-decoded events,
 * printing events/s (median of three runs; the naive reference runs once), heap per active SKU,
 * and the core/naive ratio. Never fails on time. Each path runs in a process of its own, one
 * after the other, so that none pays for the garbage or the heap another left (a path measured
 * after the naive reference ran up to a fifth slower). Runs with a 64 MB young generation
 * (--max-semi-space-size=64), as a Lambda would be given through NODE_OPTIONS.
 *
 *   npm run bench:core -- [--events 1000000] [--skus 100000] [--rate 2000]
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { count, from, lastValueFrom, tap } from 'rxjs';
import { z } from 'zod';
import { pricingConfigSchema } from '../processors/config/pricingConfig';
import type { DecodedEvent } from '../processors/events/decodedEvent';
import { createDecodeTally, decodeEach } from '../processors/events/decodeEach';
import { decodeRecords, readRecords } from '../processors/events/decodeRecords';
import { createCoreState, priceSkus } from '../processors/pipeline/priceSkus';
import type { CoreOutput } from '../processors/window/outputs';
import { benchFlags } from './benchFlags';
import { coreStoreRecords, lambdaBatches } from './coreStore';
import { naivePriceSkus } from './naiveReference';

const flags = benchFlags(
  z.object({
    events: z.coerce.number().int().min(1).default(1_000_000),
    skus: z.coerce.number().int().min(1).default(100_000),
    rate: z.coerce.number().positive().default(2000),
    /** One path in this process, printing its figures as JSON (the parent runs each so). */
    path: z.enum(['core', 'raw', 'naive']).optional(),
  }),
);
const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});
/**
 * The JS heap in use after a full GC. Array buffers are left out: their backing stores are freed
 * after the GC that finds them dead, so a process-wide count still holds earlier runs' pane slabs.
 */
const heap = () => {
  gc();
  return process.memoryUsage().heapUsed;
};

const config = pricingConfigSchema.parse({});
/** Built in each path's process only: the parent just runs them. */
const records =
  flags.path === undefined
    ? []
    : coreStoreRecords({ skus: flags.skus, events: flags.events, rate: flags.rate });

async function measure(label: string, run: () => Promise<{ outputs: CoreOutput[]; events: number }>) {
  gc();
  const started = performance.now();
  const { outputs, events } = await run();
  const seconds = (performance.now() - started) / 1000;
  return { label, seconds, events, eventsPerSecond: events / seconds, outputs };
}

function collect(outputs: CoreOutput[]) {
  return tap<CoreOutput>((output) => {
    if (output.kind === 'price') outputs.push(output);
  });
}

/** Heap and pane slab retained by a partition's state after the whole workload. */
async function stateFootprint(decoded: DecodedEvent[]): Promise<{ bytesPerSku: number; activeSkus: number }> {
  const before = heap();
  const state = createCoreState(config);
  await lastValueFrom(from(decoded).pipe(priceSkus(config, { state }), count()));
  const bytes = heap() - before + state.slab.bytes;
  return { bytesPerSku: bytes / state.skus.size, activeSkus: state.skus.size };
}

const batches = lambdaBatches(records);

/**
 * Each batch read (base64, de-aggregation), then parsed record by record as it is priced through one
 * partition state, as the consumer does (`readRecords`, `decodeEach`).
 */
const runRaw = () =>
  measure('decode + windows + pricing (raw KPL records)', async () => {
    const outputs: CoreOutput[] = [];
    const state = createCoreState(config);
    let events = 0;
    const noRepeats = new Set<string>();
    for (const batch of batches) {
      const read = readRecords(batch);
      const tally = createDecodeTally(read, noRepeats);
      await lastValueFrom(
        decodeEach(read, noRepeats, tally).pipe(priceSkus(config, { state }), collect(outputs), count()),
      );
      events += tally.events;
    }
    return { outputs, events };
  });

const runCore = (decoded: DecodedEvent[]) =>
  measure('windows + pricing (pre-decoded)', async () => {
    const outputs: CoreOutput[] = [];
    await lastValueFrom(from(decoded).pipe(priceSkus(config), collect(outputs), count()));
    return { outputs, events: decoded.length };
  });

const runNaive = (decoded: DecodedEvent[]) =>
  measure('naive RxJS reference (pre-decoded)', async () => {
    const outputs: CoreOutput[] = [];
    await lastValueFrom(from(decoded).pipe(naivePriceSkus(config), collect(outputs), count()));
    return { outputs, events: decoded.length };
  });

/** The median of three runs by throughput: one slow run (a major GC) does not decide the figure. */
async function median(run: typeof runRaw) {
  const runs = [await run(), await run(), await run()].sort((a, b) => a.eventsPerSecond - b.eventsPerSecond);
  return runs[1] as Awaited<ReturnType<typeof runRaw>>;
}

type PathName = 'core' | 'raw' | 'naive';

/** What one path's process reports: its figures, and a digest of its prices to compare. */
interface PathResult {
  readonly label: string;
  readonly seconds: number;
  readonly eventsPerSecond: number;
  readonly priceChanges: number;
  readonly digest: string;
  readonly events: number;
  readonly records: number;
  readonly batches: number;
  readonly eventSpanMinutes: number;
  readonly footprint?: { bytesPerSku: number; activeSkus: number };
  readonly peakRssMiB: number;
}

/** Runs one path in this process: the pre-decoded ones with the decoded events, raw with the records only. */
async function runPath(path: PathName): Promise<PathResult> {
  const decoded = path === 'raw' ? undefined : decodeRecords(records).events;
  let result: Awaited<ReturnType<typeof runRaw>>;
  let footprint: PathResult['footprint'];
  if (decoded === undefined) {
    await runRaw(); // warm-up: JIT
    result = await median(runRaw);
  } else if (path === 'core') {
    await runCore(decoded); // warm-up: JIT
    result = await median(() => runCore(decoded));
    footprint = await stateFootprint(decoded);
  } else {
    result = await runNaive(decoded);
  }
  const spanOf = (events: readonly DecodedEvent[]) =>
    ((events.at(-1)?.eventTime ?? 0) - (events[0]?.eventTime ?? 0)) / 60_000;
  return {
    label: result.label,
    seconds: result.seconds,
    eventsPerSecond: result.eventsPerSecond,
    priceChanges: result.outputs.length,
    digest: createHash('sha256').update(JSON.stringify(result.outputs)).digest('hex'),
    events: result.events,
    records: records.length,
    batches: batches.length,
    eventSpanMinutes: decoded === undefined ? Number.NaN : spanOf(decoded),
    footprint,
    peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
  };
}

/** Runs a path in a child process with this one's Node flags and arguments. */
function inChild(path: PathName): PathResult {
  const output = execFileSync(
    process.execPath,
    [...process.execArgv, process.argv[1] as string, ...process.argv.slice(2), '--path', path],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1024 * 1024 },
  );
  return JSON.parse(output.trim().split('\n').at(-1) as string) as PathResult;
}

if (flags.path !== undefined) {
  console.log(JSON.stringify(await runPath(flags.path)));
} else {
  const core = inChild('core');
  const raw = inChild('raw');
  const naive = inChild('naive');
  const same = core.digest === raw.digest && core.digest === naive.digest;
  console.log(
    `core: ${core.events.toLocaleString()} per-SKU events (${core.records} KPL records in ${raw.batches} Lambda-sized batches), ${flags.skus.toLocaleString()} SKUs, ` +
      `${core.eventSpanMinutes.toFixed(1)} min of event time, flash sale on 3 SKUs; Node ${process.version}, one core, a process per path`,
  );
  console.table(
    [core, raw, naive].map((row) => ({
      path: row.label,
      'events/s': Math.round(row.eventsPerSecond).toLocaleString(),
      seconds: row.seconds.toFixed(2),
      'price changes': row.priceChanges.toLocaleString(),
      'peak RSS MiB': row.peakRssMiB,
    })),
  );
  const footprint = core.footprint as NonNullable<PathResult['footprint']>;
  console.log(
    `memory per active SKU (core, heap + pane slab): ${Math.round(footprint.bytesPerSku).toLocaleString()} bytes over ${footprint.activeSkus.toLocaleString()} active SKUs`,
  );
  console.log(
    `core / naive: ${(core.eventsPerSecond / naive.eventsPerSecond).toFixed(1)}x; same prices from all three: ${same ? 'yes' : 'NO'}`,
  );
}
