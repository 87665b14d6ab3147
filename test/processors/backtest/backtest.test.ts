import { defer, from, lastValueFrom, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { simulateStore } from '../../../app/producer/storeSimulator';
import {
  asOneShard,
  type BacktestConfig,
  type BacktestOutput,
  backtest,
} from '../../../processors/backtest/backtest';
import { pricingConfigSchema } from '../../../processors/config/pricingConfig';
import type { StreamEvent } from '../../../processors/events/schema';
import { skuOf, splitBySku } from '../../../processors/events/splitBySku';
import { priceSkus } from '../../../processors/pipeline/priceSkus';
import type { CoreOutput, PriceChange } from '../../../processors/window/outputs';
import { decodedEvents } from '../../helpers/kinesisRecords';

const quick = pricingConfigSchema.parse({
  windows: { short: { size: '60s', slide: '10s' }, long: { size: '5m', slide: '1m' } },
  allowedLateness: '5s',
  pricing: { minOrders: 1 },
});
const cautious = pricingConfigSchema.parse({
  ...quick,
  pricing: { minOrders: 3, maxStepUp: 0.03, hysteresis: 0.05 },
});
const configs = [
  { label: 'quick', config: quick },
  { label: 'cautious', config: cautious },
];

const events: StreamEvent[] = [
  ...simulateStore({
    skus: 40,
    rate: 50,
    count: 6000,
    startTime: Date.parse('2026-03-01T10:00:00Z'),
    seed: 7,
    flashSale: { startAfterMs: 40_000, durationMs: 30_000, hotSkus: 2, share: 0.6 },
  }),
];

const run = (source = from(events)) => lastValueFrom(source.pipe(asOneShard(), backtest(configs), toArray()));

/** What the stream core itself prices for these events in one partition. */
async function corePrices(config: typeof quick): Promise<PriceChange[]> {
  const outputs: CoreOutput[] = await lastValueFrom(
    from(decodedEvents(events.flatMap(splitBySku))).pipe(priceSkus(config), toArray()),
  );
  return outputs.filter((output): output is PriceChange => output.kind === 'price');
}

const changesOf = (outputs: BacktestOutput[], label: string) =>
  outputs.flatMap((output) => (output.kind === 'price' && output.label === label ? [output.change] : []));
const summaryOf = (outputs: BacktestOutput[], label: string) => {
  const found = outputs.find((output) => output.kind === 'summary' && output.label === label);
  if (found?.kind !== 'summary') throw new Error(`no summary for ${label}`);
  return found.summary;
};

describe('backtest', () => {
  it('prices the events under each config exactly as the stream core does, and counts what it priced', async () => {
    const outputs = await run();

    for (const { label, config } of configs) {
      const expected = await corePrices(config);
      const changes = changesOf(outputs, label);
      expect(changes).toEqual(expected);
      const summary = summaryOf(outputs, label);
      const moves = expected.filter((change) => change.previousPrice !== undefined);
      expect(summary.priceChanges).toBe(moves.length);
      expect(summary.initialPrices).toBe(expected.length - moves.length);
      expect(summary.skusPriced).toBe(new Set(expected.map((change) => change.sku)).size);
      expect(summary.events).toBe(events.flatMap(splitBySku).length);
    }
    // The two configs differ, or the comparison shows nothing.
    expect(summaryOf(outputs, 'cautious').priceChanges).toBeLessThan(
      summaryOf(outputs, 'quick').priceChanges,
    );
  });

  it('emits the summaries last, in the order of the configs', async () => {
    const outputs = await run();

    const kinds = outputs.map((output) => output.kind);
    expect(kinds.slice(-2)).toEqual(['summary', 'summary']);
    expect(kinds.indexOf('summary')).toBe(outputs.length - 2);
    expect(outputs.slice(-2).map((output) => output.label)).toEqual(['quick', 'cautious']);
  });

  it('reads its source once for all configs, and gives the same output on every run', async () => {
    let subscriptions = 0;
    const counted = defer(() => {
      subscriptions += 1;
      return from(events);
    });

    const first = await run(counted);
    const second = await run(from(events));

    expect(subscriptions).toBe(1);
    expect(second).toEqual(first);
  });
});

describe('backtest over a resharded stream', () => {
  const perSku = events.flatMap(splitBySku);
  const half = perSku.length / 2;
  /** Two halves of the catalogue, as two children of a split own two halves of the hash keys. */
  const even = (sku: string) => Number(sku.slice(-1)) % 2 === 0;
  const odd = (sku: string) => !even(sku);
  const shard = (
    shardId: string,
    parts: StreamEvent[],
    parents: string[] = [],
    owns = (_: string) => true,
  ) => ({
    shardId,
    parents,
    owns,
    events: from(decodedEvents(parts, shardId)),
  });
  const pricesOf = async (shards: ReturnType<typeof shard>[]) =>
    changesOf(
      await lastValueFrom(from(shards).pipe(backtest([configs[0] as BacktestConfig]), toArray())),
      'quick',
    );
  /** What one partition prices over these events, for the SKUs `owns` keeps. */
  const onePartition = async (parts: StreamEvent[], owns: (sku: string) => boolean) => {
    const outputs: CoreOutput[] = await lastValueFrom(
      from(decodedEvents(parts)).pipe(priceSkus(quick), toArray()),
    );
    return outputs.filter((output): output is PriceChange => output.kind === 'price' && owns(output.sku));
  };
  const paths = (changes: readonly PriceChange[]) =>
    changes.map((change) => `${change.sku}@${change.asOf}=${change.price}<${change.previousPrice}`).sort();

  it("goes on in each child of a split from the parent's SKUs and clock, as one partition would", async () => {
    const after = perSku.slice(half);
    const split = await pricesOf([
      shard('parent', perSku.slice(0, half)),
      shard(
        'even',
        after.filter((part) => even(skuOf(part))),
        ['parent'],
        even,
      ),
      shard(
        'odd',
        after.filter((part) => odd(skuOf(part))),
        ['parent'],
        odd,
      ),
    ]);

    // Each child's SKUs price as in one partition over the parent's events and the child's, which
    // is what the consumer does: the child takes the parent's clock and each SKU's record.
    for (const owns of [even, odd]) {
      const expected = await onePartition(
        [...perSku.slice(0, half), ...after.filter((part) => owns(skuOf(part)))],
        owns,
      );
      expect(paths(split.filter((change) => owns(change.sku)))).toEqual(paths(expected));
    }
  });

  it('carries a SKU that sold only before the split into the child that owns it, whose ticks decay it', async () => {
    const after = perSku.slice(half);
    const quiet = skuOf(perSku.find((part) => even(skuOf(part))) as StreamEvent);
    const laterEven = after.filter((part) => even(skuOf(part)) && skuOf(part) !== quiet);

    const split = await pricesOf([
      shard('parent', perSku.slice(0, half)),
      shard('even', laterEven, ['parent'], even),
    ]);

    const parentEnd = Math.max(...perSku.slice(0, half).map((part) => Date.parse(part.eventTime)));
    const quietAfter = split.filter((change) => change.sku === quiet && change.asOf > parentEnd);
    expect(quietAfter.length).toBeGreaterThan(0);
    expect(paths(split.filter((change) => change.sku === quiet))).toEqual(
      paths(await onePartition([...perSku.slice(0, half), ...laterEven], (sku) => sku === quiet)),
    );
    // Not a child of the parent: the SKU stays where the parent left it.
    const unrelated = await pricesOf([
      shard('parent', perSku.slice(0, half)),
      shard('even', laterEven, [], even),
    ]);
    expect(unrelated.filter((change) => change.sku === quiet && change.asOf > parentEnd)).toEqual([]);
  });

  it('starts a merged shard from the later of its parents’ clocks and both parents’ SKUs', async () => {
    const after = perSku.slice(half);
    // The odd parent's events stop a minute of event time before the even one's: its SKUs run the
    // ticks of that minute when the merged shard takes them over.
    const evenBefore = perSku.slice(0, half).filter((part) => even(skuOf(part)));
    const evenEnd = Date.parse((evenBefore.at(-1) as StreamEvent).eventTime);
    const oddBefore = perSku
      .slice(0, half)
      .filter((part) => odd(skuOf(part)) && Date.parse(part.eventTime) < evenEnd - 60_000);

    const merged = await pricesOf([
      shard('even', evenBefore, [], even),
      shard('odd', oddBefore, [], odd),
      shard('merged', after, ['even', 'odd']),
    ]);

    for (const [owns, before] of [
      [even, evenBefore],
      [odd, oddBefore],
    ] as const) {
      const expected = await onePartition([...before, ...after], owns);
      expect(paths(merged.filter((change) => owns(change.sku)))).toEqual(paths(expected));
    }
    const caughtUp = merged.filter(
      (change) => odd(change.sku) && change.asOf > evenEnd - 60_000 && change.asOf <= evenEnd,
    );
    expect(caughtUp.length).toBeGreaterThan(0);
  });
});
