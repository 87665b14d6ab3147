import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { pricingConfigSchema } from '../../../processors/config/pricingConfig';
import type { DecodedEvent } from '../../../processors/events/decodedEvent';
import type { PriceChange } from '../../../processors/window/outputs';
import { canMoveAt, priceAt, type SkuState, windowSums } from '../../../processors/window/skuState';
import { planWindows, type WindowGeometry } from '../../../processors/window/windowPlan';
import { decodedEvents } from '../../helpers/kinesisRecords';
import { streamArbitrary } from '../../helpers/randomStreams';
import { foldSkus } from '../../helpers/skuFold';

const config = pricingConfigSchema.parse({
  windows: { short: { size: '60s', slide: '20s' }, long: { size: '3m', slide: '1m' } },
  allowedLateness: '30s',
});
const plan = planWindows(config);

/** Units, orders and depleted units of the events in [from, to), recounted from the raw events. */
function recount(events: readonly DecodedEvent[], sku: string, from: number, to: number): number[] {
  const sums = [0, 0, 0];
  for (const { sku: eventSku, eventTime, event } of events) {
    if (eventSku !== sku || eventTime < from || eventTime >= to) continue;
    if (event.type === 'order') {
      sums[0] = (sums[0] as number) + event.lines.reduce((total, line) => total + line.quantity, 0);
      sums[1] = (sums[1] as number) + 1;
    } else if ((event.delta ?? 0) < 0) {
      sums[2] = (sums[2] as number) - (event.delta as number);
    }
  }
  return sums;
}

function windowBounds(window: WindowGeometry, at: number): [number, number] {
  const end = Math.floor(at / window.slideMs) * window.slideMs;
  return [end - window.sizeMs, end];
}

describe('window sums over the pane ring', () => {
  it('equal a brute-force recount of the applied events at every tick, with disorder and late events', () => {
    let ticks = 0;
    let lateSeen = 0;
    fc.assert(
      fc.property(streamArbitrary(), (stream) => {
        const events = decodedEvents(stream);
        // An event is late when it is older than the newest event time before it, less the lateness.
        let newest = Number.NEGATIVE_INFINITY;
        const applied = events.filter((event) => {
          const late = event.eventTime < newest - plan.allowedLatenessMs;
          if (!late) newest = Math.max(newest, event.eventTime);
          return !late;
        });
        let late = 0;
        foldSkus(events, config, {
          late: () => {
            late += 1;
          },
          tick: (sku, at, slab) => {
            priceAt(sku, slab, at, plan);
            ticks += 1;
            const [shortFrom, shortTo] = windowBounds(plan.short, at);
            const [longFrom, longTo] = windowBounds(plan.long, at);
            expect(windowSums(sku, slab)).toEqual([
              ...recount(applied, sku.sku, shortFrom, shortTo),
              ...recount(applied, sku.sku, longFrom, longTo),
            ]);
          },
        });
        expect(late).toBe(events.length - applied.length);
        lateSeen += late;
      }),
      { numRuns: 150 },
    );
    // The runs exercised what they claim to: many ticks, and late events among them.
    expect(ticks).toBeGreaterThan(300);
    expect(lateSeen).toBeGreaterThan(3);
  });

  it('gives each window panes of gcd(size, slide) and a ring reaching back over size, slide, interval and lateness', () => {
    expect([plan.short.paneMs, plan.long.paneMs]).toEqual([20_000, 60_000]);
    expect(plan.long.capacity).toBe(Math.ceil((180_000 + 60_000 + 20_000 + 30_000) / 60_000) + 2);
  });
});

describe('ticks that cannot move a price', () => {
  /** Prices from a fold over the events that prices each active SKU at a tick when `prices` says so. */
  function foldPrices(events: readonly DecodedEvent[], prices: (sku: SkuState) => boolean): PriceChange[] {
    const changes: PriceChange[] = [];
    foldSkus(events, config, {
      tick: (sku, at, slab) => {
        if (!prices(sku)) return;
        const change = priceAt(sku, slab, at, plan);
        if (change !== undefined) changes.push(change);
      },
    });
    return changes;
  }

  it('are the ones skipped: skipping them changes no price, now or later', () => {
    let skipped = 0;
    let changes = 0;
    fc.assert(
      fc.property(
        streamArbitrary({ skus: 40, hotSkus: 2, maxAdvanceMs: 5000, minLength: 200, maxLength: 400 }),
        (stream) => {
          const events = decodedEvents(stream);
          const everyTick = foldPrices(events, () => true);
          const skipping = foldPrices(events, (sku) => {
            expect(sku.priced).toBe(sku.price.price !== undefined);
            if (canMoveAt(sku)) return true;
            skipped += 1;
            return false;
          });
          expect(skipping).toEqual(everyTick);
          changes += everyTick.filter((change) => change.reason !== 'initial').length;
        },
      ),
      { numRuns: 100 },
    );
    // The runs skipped many ticks and still had prices moving after their initial ones.
    expect(skipped).toBeGreaterThan(10_000);
    expect(changes).toBeGreaterThan(300);
  });
});
