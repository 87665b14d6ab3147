import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { busyTimeByFile } from './cpuProfile';

/** One latency run of bench:e2e: tick latencies and the consumer's own split of its batches. */
export interface LatencyRun {
  readonly label: string;
  readonly priceChanges: number;
  readonly measured: number;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly max: number;
  readonly skuWrites: number;
  readonly events: number;
  /** ms from a tick batch's start to its price changes stored, sorted. */
  readonly pricesStored: readonly number[];
  /** ms each batch's SKU puts took, sorted. */
  readonly skuPuts: readonly number[];
}

/** The backlog drained, and whether the history stored is the core's prices for its records. */
export interface BacklogRun {
  readonly verified: { readonly changes: number; readonly missing: string[]; readonly unexpected: string[] };
  readonly events: number;
  readonly seconds: number;
  readonly perSecond: number;
  readonly changes: number;
  readonly skuWrites: number;
}

/** dynalite's ceiling for the consumer's SKU puts, measured in the same run. */
export interface StoreCeiling {
  readonly puts: number;
  readonly perSecond: number;
}

export function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

/** The latency runs as a table, each run's batch split under it, and with `--repeat` the p99s' spread. */
export function printLatencyRuns(heading: string, latency: readonly LatencyRun[], repeated: boolean): void {
  console.log(heading);
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
  if (repeated) {
    const steady = latency.filter((row) => row.label.startsWith('steady'));
    const flash = latency.filter((row) => row.label.startsWith('flash-sale'));
    console.log(`p99 min / median / max: steady ${spread(steady)}; flash sale ${spread(flash)}`);
  }
}

/** The drain's events/s against the SKU writes it needed and dynalite's ceiling, and the history check. */
export function printThroughput(backlog: BacklogRun, ceiling: StoreCeiling): void {
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
}

/** Each emulator's busy time and where its own code spent it, from the profiles under `profileDir`. */
export async function printEmulatorProfiles(profileDir: string, kinds: readonly string[]): Promise<void> {
  for (const kind of kinds) {
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

/** min / median / max of the runs' p99s; a run too short to measure a tick is left out. */
function spread(runs: readonly { readonly p99: number }[]): string {
  const sorted = runs
    .map((run) => run.p99)
    .filter(Number.isFinite)
    .sort((a, b) => a - b);
  if (sorted.length === 0) return 'nothing measured';
  const median = sorted[Math.floor((sorted.length - 1) / 2)] as number;
  const figures = [sorted[0] as number, median, sorted.at(-1) as number].map((p99) => p99.toFixed(0));
  return `${figures.join(' / ')} ms over ${sorted.length} run${sorted.length === 1 ? '' : 's'}`;
}
