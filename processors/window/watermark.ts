import type { DecodedEvent } from '../events/decodedEvent';
import type { SkuMessage } from './skuMessage';
import type { WindowPlan } from './windowPlan';

/**
 * The event-time clock of one stream partition. The watermark is the highest event time seen
 * minus the allowed lateness; pricing ticks fire at each multiple of the interval it passes, for
 * every active SKU (one whose windows may still hold an event). Plain data so it can be stored.
 */
export interface WatermarkState {
  maxEventTime: number;
  /** The next pricing tick, event time; NaN before the first event. */
  nextTick: number;
  /** Active SKUs and the newest event time each has had. */
  readonly active: Map<string, number>;
}

export function createWatermarkState(): WatermarkState {
  return { maxEventTime: Number.NEGATIVE_INFINITY, nextTick: Number.NaN, active: new Map() };
}

export function watermarkOf(state: WatermarkState, plan: WindowPlan): number {
  return state.maxEventTime - plan.allowedLatenessMs;
}

/**
 * Advances the clock by one event and hands each resulting message to `emit`, in order: first the
 * ticks (and evictions) the event's time lets fire, then the event itself — or, for an event
 * older than the watermark, a late message. Ticks come first so a far-ahead event cannot
 * overwrite panes a pending tick still reads. Deterministic in the order of events.
 */
export function advanceWatermark(
  state: WatermarkState,
  event: DecodedEvent,
  plan: WindowPlan,
  emit: (message: SkuMessage) => void,
): void {
  const watermark = watermarkOf(state, plan);
  if (event.eventTime < watermark) {
    // Counted by its SKU; an idle SKU becomes active just long enough to be evicted again.
    if (!state.active.has(event.sku)) state.active.set(event.sku, Number.NEGATIVE_INFINITY);
    emit({ kind: 'late', sku: event.sku, event, watermark });
    return;
  }
  if (event.eventTime > state.maxEventTime) {
    state.maxEventTime = event.eventTime;
    fireTicks(state, plan, emit);
  }
  const last = state.active.get(event.sku);
  if (last === undefined || event.eventTime > last) state.active.set(event.sku, event.eventTime);
  emit({ kind: 'event', sku: event.sku, event });
}

function fireTicks(state: WatermarkState, plan: WindowPlan, emit: (message: SkuMessage) => void): void {
  const watermark = watermarkOf(state, plan);
  const interval = plan.intervalMs;
  if (Number.isNaN(state.nextTick) || state.active.size === 0) {
    // Nothing to price before now: start (or resume) at the first tick after the watermark.
    state.nextTick = Math.max(
      Number.isNaN(state.nextTick) ? Number.NEGATIVE_INFINITY : state.nextTick,
      (Math.floor(watermark / interval) + 1) * interval,
    );
    return;
  }
  while (state.nextTick <= watermark) {
    const at = state.nextTick;
    const emptyBefore = Math.min(windowStart(plan.short, at), windowStart(plan.long, at));
    for (const [sku, lastEventTime] of state.active) {
      emit({ kind: 'tick', sku, at });
      if (lastEventTime < emptyBefore) {
        emit({ kind: 'evict', sku, at });
        state.active.delete(sku);
      }
    }
    state.nextTick =
      state.active.size === 0 ? (Math.floor(watermark / interval) + 1) * interval : at + interval;
  }
}

/** Start of the newest window of this geometry closed at `at`. */
function windowStart(window: { slideMs: number; sizeMs: number }, at: number): number {
  return Math.floor(at / window.slideMs) * window.slideMs - window.sizeMs;
}
