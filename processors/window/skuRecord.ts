import type { PricingConfig } from '../config/pricingConfig';
import { comparePositions, type EventPosition } from '../events/position';
import type { PriceState } from '../pricing/decidePrice';
import { dueAt } from './dueAt';
import { LONG, ORDERS, type PaneSlab } from './PaneSlab';
import { createSkuState, type SkuState } from './skuState';
import type { WindowPlan } from './windowPlan';

/**
 * A SKU's whole state as plain, storable data: what a consumer saves after a batch and loads for
 * the next. No Infinity or NaN (stores refuse them): an absent field means "none yet". `windows` is
 * absent for an idle (evicted) SKU, whose record is then just its snapshot.
 */
export interface SkuRecord {
  readonly sku: string;
  /** Highest position applied from each shard: [sequence number, sub-sequence number]. */
  readonly applied: Readonly<Record<string, readonly [string, number]>>;
  /** The next pricing tick this SKU is due, event time. */
  readonly nextTick?: number | undefined;
  /** When a sweep must next bring it up to the clock (see `dueAt`); absent for an idle SKU. */
  readonly dueAt?: number | undefined;
  readonly lastEventTime?: number | undefined;
  readonly basePrice?: number | undefined;
  readonly onHand?: number | undefined;
  readonly onHandTime?: number | undefined;
  readonly lateEvents: number;
  readonly appliedEvents: number;
  /** Absent in records stored before repeats were counted: none. */
  readonly repeatedEvents?: number | undefined;
  readonly price: PriceState;
  readonly windows?:
    | {
        readonly firstEventTime: number;
        readonly shortHead: number;
        readonly longHead: number;
        /** The slot's pane counters, base64 of little-endian int32. */
        readonly counters: string;
      }
    | undefined;
}

const finite = (value: number): number | undefined => (Number.isFinite(value) ? value : undefined);

/**
 * The record of an active SKU (one the watermark holds, whether or not its panes have counts yet):
 * its next tick is its own or the partition's, whichever is later, and it is due at `dueAt`.
 */
export function toRecord(state: SkuState, slab: PaneSlab, nextTick: number, plan: WindowPlan): SkuRecord {
  const partitionNext = Number.isNaN(nextTick) ? Number.NEGATIVE_INFINITY : nextTick;
  return {
    ...idleRecord(state),
    nextTick: finite(Math.max(state.nextTick, partitionNext)),
    dueAt: dueAt(state, slab, plan, partitionNext),
    windows: {
      firstEventTime: finite(state.firstEventTime) ?? Number.MAX_SAFE_INTEGER,
      shortHead: finite(state.shortHead) ?? Number.MIN_SAFE_INTEGER,
      longHead: finite(state.longHead) ?? Number.MIN_SAFE_INTEGER,
      counters: Buffer.from(slab.read(state.slot).buffer).toString('base64'),
    },
  };
}

/** The record an evicted SKU leaves: price, stock and applied positions; no windows, nothing due. */
export function idleRecord(state: SkuState): SkuRecord {
  return {
    sku: state.sku,
    applied: Object.fromEntries(
      Object.entries(state.applied).map(([shard, at]) => [shard, [at.sequenceNumber, at.subSequenceNumber]]),
    ),
    lastEventTime: finite(state.lastEventTime),
    basePrice: state.basePrice,
    onHand: state.onHand,
    onHandTime: finite(state.onHandTime),
    lateEvents: state.lateEvents,
    appliedEvents: state.appliedEvents,
    repeatedEvents: state.repeatedEvents,
    price: withoutUndefined(state.price),
    nextTick: undefined,
    dueAt: undefined,
    windows: undefined,
  };
}

/** A live SKU from its record, with a slot from the slab. Window sums are recomputed at its next tick. */
export function fromRecord(record: SkuRecord, config: PricingConfig, slab: PaneSlab): SkuState {
  const state = createSkuState(record.sku, config, slab);
  state.applied = Object.fromEntries(
    Object.entries(record.applied).map(([shardId, [sequenceNumber, subSequenceNumber]]) => [
      shardId,
      { shardId, sequenceNumber, subSequenceNumber },
    ]),
  );
  state.lastEventTime = record.lastEventTime ?? Number.NEGATIVE_INFINITY;
  state.nextTick =
    record.windows === undefined ? Number.NEGATIVE_INFINITY : (record.nextTick ?? Number.NEGATIVE_INFINITY);
  state.basePrice = state.rule.basePrice ?? record.basePrice;
  state.onHand = record.onHand;
  state.onHandTime = record.onHandTime ?? Number.NEGATIVE_INFINITY;
  state.lateEvents = record.lateEvents;
  state.appliedEvents = record.appliedEvents ?? 0;
  state.repeatedEvents = record.repeatedEvents ?? 0;
  state.price = { ...initialPrice(record.price) };
  state.priced = state.price.price !== undefined;
  if (record.windows !== undefined) {
    const none = (head: number) => (head === Number.MIN_SAFE_INTEGER ? Number.NEGATIVE_INFINITY : head);
    const { firstEventTime } = record.windows;
    state.firstEventTime =
      firstEventTime === Number.MAX_SAFE_INTEGER ? Number.POSITIVE_INFINITY : firstEventTime;
    state.shortHead = none(record.windows.shortHead);
    state.longHead = none(record.windows.longHead);
    const bytes = new Uint8Array(Buffer.from(record.windows.counters, 'base64')); // copied: aligned for Int32Array
    slab.write(state.slot, new Int32Array(bytes.buffer));
    const head = state.longHead;
    state.ordersHeld = slab.count(state.slot, LONG, head, head - slab.capacities[LONG] + 1, head + 1, ORDERS);
  }
  return state;
}

/** Whether `position` was already applied to this SKU from its shard (a retry or a replay). */
export function alreadyApplied(state: SkuState, position: EventPosition): boolean {
  const applied = state.applied[position.shardId];
  return applied !== undefined && comparePositions(position, applied) <= 0;
}

function initialPrice(price: PriceState): PriceState {
  return {
    price: price.price,
    ratio: price.ratio,
    evaluatedAt: price.evaluatedAt,
    recent: [...price.recent],
  };
}

function withoutUndefined(price: PriceState): PriceState {
  return Object.fromEntries(
    Object.entries(price).filter(([, value]) => value !== undefined),
  ) as unknown as PriceState;
}
