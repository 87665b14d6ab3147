import type { DecodedEvent } from '../events/decodedEvent';
import type { WindowPlan } from './windowPlan';

/** What the clock keeps per active SKU; the SKU's own state carries it. */
export interface ActiveSku {
  readonly sku: string;
  /** Newest event time applied; -Infinity for a SKU made active only by a late event. */
  lastEventTime: number;
}

/**
 * What the watermark tells the SKUs, in stream order: an event to apply, a late event to count, a
 * pricing tick (every tick up to the watermark, for every active SKU), and an eviction once a
 * SKU's windows are all empty. `open` makes the state of a SKU that becomes active.
 */
export interface SkuSink<T extends ActiveSku> {
  open(sku: string): T;
  event(sku: T, event: DecodedEvent): void;
  late(sku: T, event: DecodedEvent, watermark: number): void;
  /** A copy of an event already applied (`DecodedEvent.repeat`): its position is the SKU's too. */
  repeat(sku: T, event: DecodedEvent): void;
  tick(sku: T, at: number): void;
  evict(sku: T, at: number): void;
}

/**
 * The event-time clock of one stream partition. The watermark is the highest event time seen
 * minus the allowed lateness; pricing ticks fire at each multiple of the interval it passes, for
 * every active SKU (one whose windows may still hold an event).
 */
export interface WatermarkState<T extends ActiveSku> {
  maxEventTime: number;
  /** The next pricing tick, event time; NaN before the first event. */
  nextTick: number;
  /** The active SKUs, in the order they became active. */
  readonly active: Map<string, T>;
}

export function createWatermarkState<T extends ActiveSku>(): WatermarkState<T> {
  return { maxEventTime: Number.NEGATIVE_INFINITY, nextTick: Number.NaN, active: new Map() };
}

export function watermarkOf(state: WatermarkState<ActiveSku>, plan: WindowPlan): number {
  return state.maxEventTime - plan.allowedLatenessMs;
}

/**
 * Advances the clock by one event and tells `sink`, in order: first the ticks (and evictions) the
 * event's time lets fire, then the event itself — or, for an event older than the watermark, that
 * it is late. Ticks come first so a far-ahead event cannot overwrite panes a pending tick still
 * reads. Deterministic in the order of events.
 */
export function advanceWatermark<T extends ActiveSku>(
  state: WatermarkState<T>,
  event: DecodedEvent,
  plan: WindowPlan,
  sink: SkuSink<T>,
): void {
  if (event.repeat === true) {
    // Neither the clock nor the SKU's windows: its original already moved them. Like a late
    // event, it makes an idle SKU active just long enough to be evicted again.
    sink.repeat(activate(state, event.sku, sink), event);
    return;
  }
  const watermark = watermarkOf(state, plan);
  if (event.eventTime < watermark) {
    // Counted by its SKU; an idle SKU becomes active just long enough to be evicted again.
    sink.late(activate(state, event.sku, sink), event, watermark);
    return;
  }
  if (event.eventTime > state.maxEventTime) {
    state.maxEventTime = event.eventTime;
    fireTicks(state, plan, sink);
  }
  const sku = activate(state, event.sku, sink);
  if (event.eventTime > sku.lastEventTime) sku.lastEventTime = event.eventTime;
  sink.event(sku, event);
}

function activate<T extends ActiveSku>(state: WatermarkState<T>, name: string, sink: SkuSink<T>): T {
  let sku = state.active.get(name);
  if (sku === undefined) {
    sku = sink.open(name);
    state.active.set(name, sku);
  }
  return sku;
}

function fireTicks<T extends ActiveSku>(state: WatermarkState<T>, plan: WindowPlan, sink: SkuSink<T>): void {
  const watermark = watermarkOf(state, plan);
  const interval = plan.intervalMs;
  if (Number.isNaN(state.nextTick) || state.active.size === 0) {
    // Nothing to price before now: start (or resume) at the first tick after the watermark.
    state.nextTick = Math.max(
      Number.isNaN(state.nextTick) ? Number.NEGATIVE_INFINITY : state.nextTick,
      firstTickAfter(watermark, interval),
    );
    return;
  }
  while (state.nextTick <= watermark) {
    const at = state.nextTick;
    const emptyBefore = emptyBeforeAt(at, plan);
    for (const sku of state.active.values()) {
      sink.tick(sku, at);
      if (sku.lastEventTime < emptyBefore) {
        sink.evict(sku, at);
        state.active.delete(sku.sku);
      }
    }
    state.nextTick = state.active.size === 0 ? firstTickAfter(watermark, interval) : at + interval;
  }
}

/** The first pricing tick after `watermark`: ticks fall on the multiples of the interval. */
export function firstTickAfter(watermark: number, intervalMs: number): number {
  return (Math.floor(watermark / intervalMs) + 1) * intervalMs;
}

/** Whether every window of a SKU is empty at tick `at`: the tick after which it is evicted. */
export function emptyAt(sku: ActiveSku, at: number, plan: WindowPlan): boolean {
  return sku.lastEventTime < emptyBeforeAt(at, plan);
}

/** The event time before which a SKU's last event leaves every window empty at tick `at`. */
function emptyBeforeAt(at: number, plan: WindowPlan): number {
  return Math.min(windowStart(plan.short, at), windowStart(plan.long, at));
}

/** Start of the newest window of this geometry closed at `at`. */
function windowStart(window: { slideMs: number; sizeMs: number }, at: number): number {
  return Math.floor(at / window.slideMs) * window.slideMs - window.sizeMs;
}
