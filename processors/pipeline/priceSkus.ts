import { Observable, type OperatorFunction } from 'rxjs';
import type { PricingConfig } from '../config/pricingConfig';
import type { DecodedEvent } from '../events/decodedEvent';
import type { CoreOutput } from '../window/outputs';
import { PaneSlab } from '../window/PaneSlab';
import { alreadyApplied, fromRecord, idleRecord, type SkuRecord, toRecord } from '../window/skuRecord';
import { applyEvent, canMoveAt, createSkuState, priceAt, type SkuState } from '../window/skuState';
import {
  advanceWatermark,
  createWatermarkState,
  emptyAt,
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
  /** Records of SKUs evicted while this state was held: an idle SKU resumes its price from here. */
  readonly idle: Map<string, SkuRecord>;
}

export function createCoreState(
  config: PricingConfig,
  clock?: { maxEventTime?: number; nextTick?: number },
): CoreState {
  const plan = planWindows(config);
  const watermark = createWatermarkState<SkuState>();
  watermark.maxEventTime = clock?.maxEventTime ?? Number.NEGATIVE_INFINITY;
  watermark.nextTick = clock?.nextTick ?? Number.NaN;
  const slab = new PaneSlab([plan.short.capacity, plan.long.capacity]);
  return { plan, watermark, skus: watermark.active, slab, idle: new Map() };
}

/** The records of every SKU the state holds, to store after a batch. */
export function recordsOf(state: CoreState): SkuRecord[] {
  return [...state.skus.values()].map((sku) =>
    toRecord(sku, state.slab, state.watermark.nextTick, state.plan),
  );
}

export interface PriceSkusOptions {
  /** State carried over from earlier batches. @default a fresh state */
  readonly state?: CoreState;
  /**
   * The stored record of a SKU not held in `state`, if any. A SKU whose record is behind the
   * partition's clock first catches up on the ticks it missed, exactly as if it had been held.
   */
  readonly load?: (sku: string) => SkuRecord | undefined;
}

/**
 * The stream core as one operator: decoded events in; price changes, late-event reports and
 * snapshots of SKUs gone idle out, synchronously and in stream order.
 *
 * Each event advances the partition's watermark (`advanceWatermark`), which tells the SKUs, in
 * order, the pricing ticks the event lets fire for every active SKU, then the event itself (or
 * that it is late). Each SKU folds these into its state over its pane rings (`applyEvent`,
 * `priceAt`), applying each stream position once (a retried or replayed event changes nothing).
 * (Within one subscription, each shard's events must come in stream order, as Kinesis delivers
 * them.) A SKU whose windows are all empty is evicted and leaves a snapshot, so state is bounded by the
 * active SKUs.
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
  return (events) =>
    new Observable<CoreOutput>((subscriber) => {
      const sink = foldInto(config, state, options.load, (output) => subscriber.next(output));
      return events.subscribe({
        // What a `load` throws fails the subscription, as an operator's callback would, rather
        // than escape as an unhandled error; a synchronous source's later events are then ignored.
        next: (event) => {
          if (subscriber.closed) return;
          try {
            advanceWatermark(state.watermark, event, state.plan, sink);
          } catch (error) {
            subscriber.error(error);
          }
        },
        error: (error) => subscriber.error(error),
        complete: () => subscriber.complete(),
      });
    });
}

/**
 * Brings SKUs that no event touched up to the partition's clock: loads each one's record and runs
 * the ticks it is due, so an idle SKU's price decays (and the SKU is evicted) without waiting for
 * its next sale. The same ticks, in the same order per SKU, as if it had been held all along.
 * Returns what they produced; the SKUs still active are held in `state` afterwards.
 */
export function sweepSkus(
  config: PricingConfig,
  state: CoreState,
  skus: Iterable<string>,
  load: (sku: string) => SkuRecord | undefined,
): CoreOutput[] {
  const outputs: CoreOutput[] = [];
  const sink = foldInto(config, state, load, (output) => outputs.push(output));
  for (const name of skus) {
    if (state.skus.has(name) || state.idle.has(name) || load(name)?.windows === undefined) continue;
    const produced = outputs.length;
    const sku = sink.open(name);
    const snapshot = outputs.slice(produced).find((output) => output.kind === 'snapshot');
    if (snapshot === undefined) {
      state.watermark.active.set(name, sku);
    } else {
      // Its windows emptied during the catch-up: it stays idle.
      state.slab.release(sku.slot);
      state.idle.set(name, snapshot.record);
    }
  }
  return outputs;
}

/** The fold of per-SKU messages into `state`, telling `emit` what it produces. */
function foldInto(
  config: PricingConfig,
  state: CoreState,
  load: ((sku: string) => SkuRecord | undefined) | undefined,
  emit: (output: CoreOutput) => void,
): SkuSink<SkuState> {
  const { plan, slab, watermark } = state;
  const fold = {};
  /** Whether an event's position is new to the SKU; compares only the first of each shard in this fold. */
  const isNew = (sku: SkuState, position: DecodedEvent['position']): boolean => {
    if (sku.checkedFold === fold && sku.checkedShard === position.shardId) return true;
    if (alreadyApplied(sku, position)) return false;
    sku.checkedFold = fold;
    sku.checkedShard = position.shardId;
    return true;
  };
  const emitChange = (sku: SkuState, at: number) => {
    if (!canMoveAt(sku)) return;
    const change = priceAt(sku, slab, at, plan);
    if (change !== undefined) emit(change);
  };
  const evict = (sku: SkuState): SkuRecord => {
    const record = idleRecord(sku);
    slab.release(sku.slot);
    state.idle.set(sku.sku, record);
    emit({ kind: 'snapshot', sku: sku.sku, record });
    return record;
  };
  return {
    /** Loads a SKU and runs the ticks it missed while it was not held (evicting it if they empty it). */
    open(name) {
      const record = state.idle.get(name) ?? load?.(name);
      state.idle.delete(name);
      if (record === undefined) return createSkuState(name, config, slab);
      let sku = fromRecord(record, config, slab);
      if (record.windows !== undefined && record.nextTick !== undefined) {
        for (let at = record.nextTick; at < watermark.nextTick; at += plan.intervalMs) {
          emitChange(sku, at);
          if (emptyAt(sku, at, plan)) {
            sku = fromRecord(evict(sku), config, slab);
            state.idle.delete(name);
            break;
          }
        }
      }
      return sku;
    },
    event(sku, event) {
      if (!isNew(sku, event.position)) return;
      applyEvent(sku, slab, event, plan);
      sku.appliedEvents += 1;
      sku.applied[event.position.shardId] = event.position;
    },
    late(sku, event, at) {
      if (!isNew(sku, event.position)) return;
      sku.lateEvents += 1;
      sku.applied[event.position.shardId] = event.position;
      emit({ kind: 'late', sku: sku.sku, event, watermark: at });
    },
    repeat(sku, event) {
      if (!isNew(sku, event.position)) return;
      sku.repeatedEvents += 1;
      sku.applied[event.position.shardId] = event.position;
    },
    tick: emitChange,
    evict(sku) {
      evict(sku);
    },
  };
}
