/**
 * The stream core of this checkout against the core at another commit, in one process, on the
 * same input from bench:core's store (`coreStoreRecords`), run after run in alternation: A B, B A,
 * A B, … with a full GC before each. Prints each one's median events/s, the ratio of the medians,
 * and the ratio of each round. This machine's speed drifts by more than 2× within a day, so two
 * bench:core runs minutes apart can differ by more than the change being measured; alternating in
 * one process leaves both sides the same machine, minute by minute. (Comparing a commit with
 * itself gives the noise: 1.007 and 1.017 by median in two runs, single rounds ±20 %.)
 *
 * `--path core` (the default) times windows + pricing on pre-decoded events, decoded by this
 * checkout's decoder: the other core must accept them, which holds for any commit since
 * `DecodedEvent` last changed its fields' meaning. `--path raw` times each side's own decoding
 * too, from the raw KPL records in Lambda-sized batches, as bench:core's raw path does
 * (`readRecords`, `decodeEach`, `priceSkus` through one partition state), so it needs a commit
 * that has `decodeEach` (`42ad9de` or later).
 *
 * The other commit is checked out as a git worktree under .pricestream/compare/ (inside the
 * project, so it resolves the project's node_modules) and its modules imported from there. Never
 * fails on time.
 *
 *   npm run bench:compare -- --against HEAD~1 [--path core|raw] [--rounds 8] [--events 1000000] [--skus 100000]
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { count, from, lastValueFrom } from 'rxjs';
import { z } from 'zod';
import { pricingConfigSchema } from '../processors/config/pricingConfig';
import * as eachHere from '../processors/events/decodeEach';
import * as recordsHere from '../processors/events/decodeRecords';
import * as coreHere from '../processors/pipeline/priceSkus';
import { benchFlags } from './benchFlags';
import { coreStoreRecords, lambdaBatches } from './coreStore';

const flags = benchFlags(
  z.object({
    against: z.string({ error: 'is required: the commit to compare with, such as HEAD~1' }).min(1),
    path: z.enum(['core', 'raw']).default('core'),
    rounds: z.coerce.number().int().min(1).default(8),
    events: z.coerce.number().int().min(1).default(1_000_000),
    skus: z.coerce.number().int().min(1).default(100_000),
  }),
);
const { against, rounds } = flags;
const exposedGc = (globalThis as { gc?: () => void }).gc;
if (exposedGc === undefined) throw new Error('run with --expose-gc (npm run bench:compare does)');
const gc: () => void = exposedGc;

const root = fileURLToPath(new URL('..', import.meta.url));
const git = (...args: string[]) => execFileSync('git', args, { cwd: root, encoding: 'utf8' }).trim();
const commit = git('rev-parse', '--verify', `${against}^{commit}`);
const worktree = path.join(root, '.pricestream', 'compare', commit);
if (!existsSync(worktree)) {
  mkdirSync(path.dirname(worktree), { recursive: true });
  git('worktree', 'add', '--detach', worktree, commit);
}

/** What a side brings: its core, and for `--path raw` its decoding. */
interface Side {
  readonly core: typeof coreHere;
  readonly records: typeof recordsHere;
  readonly each: typeof eachHere;
}
const fromThere = async (module: string) => import(path.join(worktree, module));
const sides: Record<'here' | 'there', Side> = {
  here: { core: coreHere, records: recordsHere, each: eachHere },
  there: {
    core: await fromThere('processors/pipeline/priceSkus.ts'),
    records: await fromThere('processors/events/decodeRecords.ts'),
    each:
      flags.path === 'raw'
        ? await fromThere('processors/events/decodeEach.ts').catch(() => {
            process.stderr.write(
              `bench: ${against} has no processors/events/decodeEach.ts: --path raw needs 42ad9de or later\n`,
            );
            process.exit(2);
          })
        : eachHere,
  },
};
const config = pricingConfigSchema.parse({});
const records = coreStoreRecords({ skus: flags.skus, events: flags.events, rate: 2000 });
const decoded = flags.path === 'core' ? recordsHere.decodeRecords(records).events : [];
const batches = flags.path === 'raw' ? lambdaBatches(records) : [];
/**
 * Per-SKU events, as the core counts them; for `--path raw` the passes count them. Counting by
 * decoding the whole input once beforehand made this checkout's side 0.71–0.86× its own commit's
 * copy in every round: a side's decoder must see nothing but what the other's sees.
 */
let eventCount = decoded.length;

/** One timed pass of a side's path over the whole input, in ms. */
async function timed(side: Side): Promise<number> {
  gc();
  const started = performance.now();
  if (flags.path === 'core') {
    await lastValueFrom(from(decoded).pipe(side.core.priceSkus(config), count()));
  } else {
    const state = side.core.createCoreState(config);
    let events = 0;
    const noRepeats = new Set<string>();
    for (const batch of batches) {
      const read = side.records.readRecords(batch);
      const tally = side.each.createDecodeTally(read, noRepeats);
      await lastValueFrom(
        side.each.decodeEach(read, noRepeats, tally).pipe(side.core.priceSkus(config, { state }), count()),
      );
      events += tally.events;
    }
    eventCount = events;
  }
  return performance.now() - started;
}

await timed(sides.here); // warm-up: JIT
await timed(sides.there);
const times = { here: [] as number[], there: [] as number[] };
for (let round = 0; round < rounds; round++) {
  const order = round % 2 === 0 ? (['there', 'here'] as const) : (['here', 'there'] as const);
  for (const side of order) times[side].push(await timed(sides[side]));
}
const median = (ms: readonly number[]) => [...ms].sort((a, b) => a - b)[ms.length >> 1] as number;
const perSecond = (ms: number) => Math.round((eventCount / ms) * 1000).toLocaleString();
const input =
  flags.path === 'core'
    ? `${eventCount.toLocaleString()} pre-decoded events`
    : `${eventCount.toLocaleString()} events from ${records.length} raw KPL records in ${batches.length} Lambda-sized batches`;
console.log(
  `core compare (--path ${flags.path}): ${input}, ${flags.skus.toLocaleString()} SKUs, ${rounds} alternated rounds, one process`,
);
console.log(`  ${against} (${commit.slice(0, 7)}): ${perSecond(median(times.there))} events/s (median)`);
console.log(`  this checkout: ${perSecond(median(times.here))} events/s (median)`);
console.log(
  `  this checkout / ${against}: ${(median(times.there) / median(times.here)).toFixed(3)}; by round: ${times.there
    .map((there, round) => (there / (times.here[round] as number)).toFixed(2))
    .join(' ')}`,
);
