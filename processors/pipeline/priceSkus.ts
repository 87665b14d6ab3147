import { filter, groupBy, map, mergeMap, type OperatorFunction, pipe, scan, tap } from 'rxjs';
import type { PricingConfig } from '../config/pricingConfig';
import type { DecodedEvent } from '../events/decodedEvent';
import type { CoreOutput, SkuSnapshot } from '../window/outputs';
import { createSkuState, type SkuState, stepSku } from '../window/skuState';
import { createWatermarkState, type WatermarkState } from '../window/watermark';
import { planWindows } from '../window/windowPlan';
import { stampWatermark } from './stampWatermark';

/**
 * Where the core keeps state between batches. Pass the same object to every batch of a partition
 * and a stream processed in many batches prices exactly as in one.
 */
export interface CoreState {
  /** The partition's event-time clock. */
  readonly watermark: WatermarkState;
  /** Live state of each active SKU, updated in place. */
  readonly skus: Map<string, SkuState>;
}

export function createCoreState(): CoreState {
  return { watermark: createWatermarkState(), skus: new Map() };
}

export interface PriceSkusOptions {
  /** State carried over from earlier batches. @default a fresh state */
  readonly state?: CoreState;
  /** The snapshot a SKU left when it last went idle, if any: its price carries on from there. */
  readonly snapshotOf?: (sku: string) => SkuSnapshot | undefined;
}

/**
 * The stream core as one operator: decoded events in, price changes, late-event reports and SKU
 * snapshots out.
 *
 * Events are stamped with the partition's watermark (`stampWatermark`), grouped by SKU, and each
 * group folds its messages over a pane ring (`stepSku` under `scan`). A group ends when its SKU is
 * evicted (every window empty): that bounds the groups to the active SKUs, and the SKU's snapshot
 * is emitted as it goes. Prices depend only on the events and their order, never on batch
 * boundaries or the wall clock.
 */
export function priceSkus(
  config: PricingConfig,
  options: PriceSkusOptions = {},
): OperatorFunction<DecodedEvent, CoreOutput> {
  const plan = planWindows(config);
  const state = options.state ?? createCoreState();
  const seed = (sku: string): SkuState => {
    let skuState = state.skus.get(sku);
    if (skuState === undefined) {
      skuState = createSkuState(sku, config, plan, options.snapshotOf?.(sku));
      state.skus.set(sku, skuState);
    }
    return skuState;
  };
  return pipe(
    stampWatermark(plan, state.watermark),
    groupBy((message) => message.sku, {
      duration: (group) => group.pipe(filter((message) => message.kind === 'evict')),
    }),
    mergeMap((group) =>
      group.pipe(
        scan((skuState, message) => stepSku(skuState, message, plan), seed(group.key)),
        map((skuState) => skuState.output),
        filter((output): output is CoreOutput => output !== undefined),
        tap((output) => {
          if (output.kind === 'snapshot') state.skus.delete(output.sku);
        }),
      ),
    ),
  );
}
