import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { pricingConfigSchema } from '../../../processors/config/pricingConfig';
import { dueAt } from '../../../processors/window/dueAt';
import { priceAt } from '../../../processors/window/skuState';
import { planWindows } from '../../../processors/window/windowPlan';
import { decodedEvents } from '../../helpers/kinesisRecords';
import { streamArbitrary } from '../../helpers/randomStreams';
import { foldSkus } from '../../helpers/skuFold';

const config = pricingConfigSchema.parse({
  windows: { short: { size: '60s', slide: '20s' }, long: { size: '3m', slide: '1m' } },
  allowedLateness: '30s',
});
const plan = planWindows(config);

describe('dueAt', () => {
  it('names a tick no earlier than any tick that changes the price without a new event', () => {
    let checked = 0;
    fc.assert(
      fc.property(
        streamArbitrary({ skus: 30, hotSkus: 2, maxAdvanceMs: 5000, minLength: 100, maxLength: 300 }),
        (stream) => {
          // Prepare: every active SKU priced at every tick, up to the end of the stream.
          const { watermark, slab } = foldSkus(decodedEvents(stream), config, {
            tick: (sku, at, slab) => void priceAt(sku, slab, at, plan),
          });

          for (const sku of watermark.active.values()) {
            // Act: when the SKU is due, then its ticks until then with no new event.
            const due = dueAt(sku, slab, plan, watermark.nextTick);
            if (due === undefined) continue;
            const from = Math.max(sku.nextTick, watermark.nextTick);

            // Assess: due at a tick, none of the ticks before it moves the price.
            expect(due).toBeGreaterThanOrEqual(from);
            expect(due % plan.intervalMs).toBe(0);
            for (let at = from; at < due; at += plan.intervalMs) {
              expect(priceAt(sku, slab, at, plan)).toBeUndefined();
              checked += 1;
            }
          }
        },
      ),
      { numRuns: 100 },
    );
    expect(checked).toBeGreaterThan(0);
  });
});
