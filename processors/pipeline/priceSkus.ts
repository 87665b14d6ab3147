import { Observable, type OperatorFunction } from 'rxjs';
import type { PricingConfig } from '../config/pricingConfig';
import type { DecodedEvent } from '../events/decodedEvent';
import type { CoreOutput, SkuSnapshot } from '../window/outputs';
import { PaneSlab } from '../window/PaneSlab';
import { applyEvent, createSkuState, priceAt, type SkuState, snapshotOf } from '../window/skuState';
import {
  advanceWatermark,
  createWatermarkState,
  type SkuSink,
  type WatermarkState,
} from '../window/watermark';
import { planWindows, type WindowPlan } from '../window/windowPlan';

/**
 * Where the core keeps a partition's state between batches. Pass the same object to every batch
 * of a partition and a stream processed in many batches prices exactly as in one.
 */
export interface CoreState {
  readonly plan: WindowPlan;
  /** The partition's event-time clock and its active SKUs. */
  readonly watermark: WatermarkState<SkuState>;
  /** Live state of each active SKU (the watermark's), updated in place; a SKU leaves when evicted. */
  readonly skus: ReadonlyMap<string, SkuState>;
  /** Every active SKU's pane counters. */
  readonly slab: PaneSlab;
}

export function createCoreState(config: PricingConfig): CoreState {
  const plan = planWindows(config);
  const watermark = createWatermarkState<SkuState>();
  return {
    plan,
    watermark,
    skus: watermark.active,
    slab: new PaneSlab([plan.short.capacity, plan.long.capacity]),
  };
}

export interface PriceSkusOptions {
  /** State carried over from earlier batches. @default a fresh state */
  readonly state?: CoreState;
  /** The snapshot a SKU left when it last went idle, if any: its price carries on from there. */
  readonly snapshotOf?: (sku: string) => SkuSnapshot | undefined;
}

/**
 * The stream core as one operator: decoded events in; price changes, late-event reports and SKU
 * snapshots out, synchronously and in stream order.
 *
 * Each event advances the partition's watermark (`advanceWatermark`), which tells the SKUs, in
 * order, the pricing ticks the event lets fire for every active SKU, then the event itself (or
 * that it is late). Each SKU folds these into its state over its pane rings (`applyEvent`,
 * `priceAt`). A SKU whose windows are all empty is evicted and leaves a snapshot, so state is
 * bounded by the active SKUs.
 *
 * One keyed fold rather than `groupBy` + `mergeMap`: at 100,000 SKUs, RxJS's per-group
 * subscriptions cost O(groups) each to remove, which made evictions quadratic (the README's
 * performance section has the measurement). Prices depend only on the events and their order,
 * never on batch boundaries or the wall clock.
 */
export function priceSkus(
  config: PricingConfig,
  options: PriceSkusOptions = {},
): OperatorFunction<DecodedEvent, CoreOutput> {
  const state = options.state ?? createCoreState(config);
  const { plan, slab } = state;
  return (events) =>
    new Observable<CoreOutput>((subscriber) => {
      const sink: SkuSink<SkuState> = {
        open: (sku) => createSkuState(sku, config, slab, options.snapshotOf?.(sku)),
        event: (sku, event) => applyEvent(sku, slab, event, plan),
        late: (sku, event, watermark) => {
          sku.lateEvents += 1;
          subscriber.next({ kind: 'late', sku: sku.sku, event, watermark });
        },
        tick: (sku, at) => {
          const change = priceAt(sku, slab, at, plan);
          if (change !== undefined) subscriber.next(change);
        },
        evict: (sku) => {
          slab.release(sku.slot);
          subscriber.next(snapshotOf(sku));
        },
      };
      return events.subscribe({
        next: (event) => advanceWatermark(state.watermark, event, plan, sink),
        error: (error) => subscriber.error(error),
        complete: () => subscriber.complete(),
      });
    });
}
