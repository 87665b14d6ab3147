import { defer, from, lastValueFrom, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { simulateStore } from '../../../app/producer/storeSimulator';
import { type BacktestOutput, backtest } from '../../../processors/backtest/backtest';
import { pricingConfigSchema } from '../../../processors/config/pricingConfig';
import type { StreamEvent } from '../../../processors/events/schema';
import { splitBySku } from '../../../processors/events/splitBySku';
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

const run = (source = from(events)) => lastValueFrom(source.pipe(backtest(configs), toArray()));

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
