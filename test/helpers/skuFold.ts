import type { PricingConfig } from '../../processors/config/pricingConfig';
import type { DecodedEvent } from '../../processors/events/decodedEvent';
import { PaneSlab } from '../../processors/window/PaneSlab';
import { applyEvent, createSkuState, type SkuState } from '../../processors/window/skuState';
import {
  advanceWatermark,
  createWatermarkState,
  type SkuSink,
  type WatermarkState,
} from '../../processors/window/watermark';
import { planWindows } from '../../processors/window/windowPlan';

/**
 * Folds events through one partition's watermark into SKU states on a fresh slab, as the core
 * does, leaving each tick to `tick` (which may price the SKU, or not) and counting late events
 * with `late`. Returns the clock and the slab, for the SKUs still active.
 */
export function foldSkus(
  events: readonly DecodedEvent[],
  config: PricingConfig,
  on: { tick(sku: SkuState, at: number, slab: PaneSlab): void; late?(): void },
): { watermark: WatermarkState<SkuState>; slab: PaneSlab } {
  const plan = planWindows(config);
  const watermark = createWatermarkState<SkuState>();
  const slab = new PaneSlab([plan.short.capacity, plan.long.capacity]);
  const sink: SkuSink<SkuState> = {
    open: (sku) => createSkuState(sku, config, slab),
    event: (sku, event) => applyEvent(sku, slab, event, plan),
    late: () => on.late?.(),
    repeat: () => {},
    evict: (sku) => slab.release(sku.slot),
    tick: (sku, at) => on.tick(sku, at, slab),
  };
  for (const event of events) advanceWatermark(watermark, event, plan, sink);
  return { watermark, slab };
}
