import { hasDemandSignal } from '../pricing/decidePrice';
import { LONG, ORDERS, type PaneSlab, SHORT, type Window } from './PaneSlab';
import { minimumSpanMs, priceAt, type SkuState } from './skuState';
import type { WindowGeometry, WindowPlan } from './windowPlan';

/** How many ticks ahead `dueAt` runs an idle SKU's pricing to find its next change. */
const lookAheadTicks = 30;

/**
 * The next tick at which this SKU's price can change, or its windows empty, without a new event;
 * a store sweeping idle SKUs need not load it sooner, and the ticks in between still run, lazily,
 * when it is loaded. Undefined before its first tick.
 * - No price yet: its next tick, which gives its initial price; or, with no base price either
 *   (only an order can give it one), the tick its windows empty and it is evicted.
 * - No demand signal possible any more (`hasDemandSignal`): that eviction tick. Without new events
 *   a window only holds orders the SKU already has, so the orders in the panes from each window's
 *   start at the next tick onwards bound it at every later tick.
 * - Otherwise its pricing runs ahead on a copy of its state, tick by tick, to the first tick that
 *   changes the price (at most `lookAheadTicks`, then it is due again to look further): at a
 *   steady signal most ticks hold the price.
 */
export function dueAt(
  state: SkuState,
  slab: PaneSlab,
  plan: WindowPlan,
  nextTick: number,
): number | undefined {
  const next = Math.max(state.nextTick, nextTick);
  if (!Number.isFinite(next)) return undefined;
  // The first tick at or after `next` whose short and long windows both start after the last event.
  const emptyFrom = (window: WindowGeometry) =>
    (Math.floor((state.lastEventTime + window.sizeMs) / window.slideMs) + 1) * window.slideMs;
  const evictAt =
    Math.ceil(Math.max(next, emptyFrom(plan.short), emptyFrom(plan.long)) / plan.intervalMs) *
    plan.intervalMs;
  // Unpriced: its first tick gives its initial price, once it has a base price (an order's).
  if (state.price.price === undefined) return state.basePrice === undefined ? evictAt : next;
  return signalPossible(state, slab, plan, next)
    ? firstChange(state, slab, plan, next, Math.min(evictAt, next + lookAheadTicks * plan.intervalMs))
    : evictAt;
}

/** Whether, without new events, any tick from `next` on can see a demand signal. */
function signalPossible(state: SkuState, slab: PaneSlab, plan: WindowPlan, next: number): boolean {
  const ordersFrom = (window: WindowGeometry, which: Window, head: number) => {
    const start = Math.floor(next / window.slideMs) * (window.slideMs / window.paneMs) - window.sizePanes;
    return slab.count(state.slot, which, head, start, head + 1, ORDERS);
  };
  const longOrders = ordersFrom(plan.long, LONG, state.longHead);
  const shortOrders = ordersFrom(plan.short, SHORT, state.shortHead);
  // The long window covers at least what it covers at `next` from then on, the short one at most
  // its size, which bounds the short window's expected share of the long window's orders.
  const longEnd = Math.floor(next / plan.long.slideMs) * plan.long.slideMs;
  const longCovers = Math.max(minimumSpanMs, Math.min(plan.long.sizeMs, longEnd - state.firstEventTime));
  const expectedShortOrders = (longOrders * Math.max(minimumSpanMs, plan.short.sizeMs)) / longCovers;
  return hasDemandSignal(state.rule, { longOrders, shortOrders, expectedShortOrders });
}

/** The first tick in [from, until) at which the SKU's price changes with no new event, else `until`. */
function firstChange(state: SkuState, slab: PaneSlab, plan: WindowPlan, from: number, until: number): number {
  const probe: SkuState = { ...state, slot: slab.allocate() };
  try {
    slab.write(probe.slot, slab.read(state.slot));
    for (let tick = from; tick < until; tick += plan.intervalMs)
      if (priceAt(probe, slab, tick, plan) !== undefined) return tick;
    return until;
  } finally {
    slab.release(probe.slot);
  }
}
