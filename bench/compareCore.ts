/**
 * The stream core of this checkout against the core at another commit, in one process, on the
 * same pre-decoded events of bench:core's store (`coreStoreRecords`), run after run in alternation: A B, B A, A B, …
 * with a full GC before each. Prints each one's median events/s, the ratio of the medians, and the
 * ratio of each round. This machine's speed drifts by more than 2× within a day, so two bench:core
 * runs minutes apart can differ by more than the change being measured; alternating in one process
 * leaves both sides the same machine, minute by minute. (Comparing a commit with itself gives the
 * noise: 1.007 and 1.017 by median in two runs, single rounds ±20 %.)
 *
 * The other commit is checked out as a git worktree under .pricestream/compare/ (inside the
 * project, so it resolves the project's node_modules) and its `priceSkus` imported from there.
 * The events are decoded by this checkout's decoder: the other core must accept them, which holds
 * for any commit since `DecodedEvent` last changed its fields' meaning. Never fails on time.
 *
 *   npm run bench:compare -- --against HEAD~1 [--rounds 8] [--events 1000000] [--skus 100000]
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { count, from, lastValueFrom } from 'rxjs';
import { z } from 'zod';
import { pricingConfigSchema } from '../processors/config/pricingConfig';
import type { DecodedEvent } from '../processors/events/decodedEvent';
import { decodeRecords } from '../processors/events/decodeRecords';
import { priceSkus } from '../processors/pipeline/priceSkus';
import { benchFlags } from './benchFlags';
import { coreStoreRecords } from './coreStore';

const { against, rounds, events, skus } = benchFlags(
  z.object({
    against: z.string({ error: 'is required: the commit to compare with, such as HEAD~1' }).min(1),
    rounds: z.coerce.number().int().min(1).default(8),
    events: z.coerce.number().int().min(1).default(1_000_000),
    skus: z.coerce.number().int().min(1).default(100_000),
  }),
);
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

type PriceSkus = typeof priceSkus;
const other = (await import(path.join(worktree, 'processors/pipeline/priceSkus.ts'))) as {
  priceSkus: PriceSkus;
};
const config = pricingConfigSchema.parse({});

const decoded: DecodedEvent[] = decodeRecords(coreStoreRecords({ skus, events, rate: 2000 })).events;

async function timed(core: PriceSkus): Promise<number> {
  gc();
  const started = performance.now();
  await lastValueFrom(from(decoded).pipe(core(config), count()));
  return performance.now() - started;
}

const sides = { here: priceSkus, there: other.priceSkus };
await timed(sides.here); // warm-up: JIT
await timed(sides.there);
const times = { here: [] as number[], there: [] as number[] };
for (let round = 0; round < rounds; round++) {
  const order = round % 2 === 0 ? (['there', 'here'] as const) : (['here', 'there'] as const);
  for (const side of order) times[side].push(await timed(sides[side]));
}
const median = (ms: readonly number[]) => [...ms].sort((a, b) => a - b)[ms.length >> 1] as number;
const perSecond = (ms: number) => Math.round((decoded.length / ms) * 1000).toLocaleString();
console.log(
  `core compare: ${decoded.length.toLocaleString()} pre-decoded events, ${skus.toLocaleString()} SKUs, ${rounds} alternated rounds, one process`,
);
console.log(`  ${against} (${commit.slice(0, 7)}): ${perSecond(median(times.there))} events/s (median)`);
console.log(`  this checkout: ${perSecond(median(times.here))} events/s (median)`);
console.log(
  `  this checkout / ${against}: ${(median(times.there) / median(times.here)).toFixed(3)}; by round: ${times.there
    .map((there, round) => (there / (times.here[round] as number)).toFixed(2))
    .join(' ')}`,
);
