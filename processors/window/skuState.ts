import { type PricingConfig, type PricingRule, ruleFor } from '../config/pricingConfig';
import type { DecodedEvent } from '../events/decodedEvent';
import type { EventPosition } from '../events/position';
import type { OrderEvent } from '../events/schema';
import { decidePrice, initialPriceState, type PriceState } from '../pricing/decidePrice';
import type { PriceChange } from './outputs';
import { DEPLETED, LONG, ORDERS, type PaneSlab, SHORT, UNITS, type Window } from './PaneSlab';
import { applyInventory } from './stockLevel';
import type { ActiveSku } from './watermark';
import type { WindowGeometry, WindowPlan } from './windowPlan';
import { windowStats } from './windowStats';

/**
 * The shortest time a window is taken to cover: only a guard against dividing by nearly nothing.
 * A coarser floor (a pane, say) differs between the windows and reads a new SKU's steady demand
 * as a surge.
 */
export const minimumSpanMs = 1000;

/**
 * One SKU's live state: its slot of pane counters in the partition's slab, the pane ranges its
 * two window sums cover as of the last tick, last known stock, and its pricing state. Updated in
 * place by `applyEvent` and `priceAt`, so an event costs O(1) and allocates nothing.
 */
export interface SkuState extends ActiveSku {
  readonly sku: string;
  readonly rule: PricingRule;
  /** This SKU's slot in the slab. */
  readonly slot: number;
  /**
   * The next tick this SKU is due; ticks before it were evaluated already (by an earlier attempt
   * of a retried batch, say) and are not evaluated again. -Infinity for a new SKU.
   */
  nextTick: number;
  /** Newest pane each window's ring holds; -Infinity while empty. */
  shortHead: number;
  longHead: number;
  /** Pane ranges [lo, hi) the short and long sums cover; NaN before the first tick. */
  shortLo: number;
  shortHi: number;
  longLo: number;
  longHi: number;
  basePrice: number | undefined;
  /** Event time of the first event this state applied: its windows cover no time before it. */
  firstEventTime: number;
  onHand: number | undefined;
  onHandTime: number;
  lateEvents: number;
  /** Events applied (not late, not duplicates): with `lateEvents`, every event of the SKU, once. */
  appliedEvents: number;
  /** Copies of applied events that a producer put again (`DecodedEvent.repeat`), not applied. */
  repeatedEvents: number;
  /**
   * Orders this state's long ring has held since the state was made or loaded: never less than the
   * orders any of its windows holds, so below `minOrders` no tick can see a demand signal.
   */
  ordersHeld: number;
  /**
   * Whether `price` holds a price (`price.price !== undefined`), kept on the state itself: a tick
   * asks it of every active SKU (`canMoveAt`), and reading it through `price` is one more cold
   * object per SKU per tick. Set wherever `price` is.
   */
  priced: boolean;
  price: PriceState;
  /** Highest position applied from each shard, so a retried or replayed event is applied once. */
  applied: Record<string, EventPosition>;
  /**
   * The fold and shard whose events this state has already checked one of: within one fold a
   * shard's events come in order, so only the first needs comparing with `applied`.
   */
  checkedFold: object | undefined;
  checkedShard: string | undefined;
}

/** A fresh state for a SKU, with a slot from the slab. */
export function createSkuState(sku: string, config: PricingConfig, slab: PaneSlab): SkuState {
  const rule = ruleFor(config, sku);
  return {
    sku,
    lastEventTime: Number.NEGATIVE_INFINITY,
    rule,
    slot: slab.allocate(),
    nextTick: Number.NEGATIVE_INFINITY,
    shortHead: Number.NEGATIVE_INFINITY,
    longHead: Number.NEGATIVE_INFINITY,
    shortLo: Number.NaN,
    shortHi: Number.NaN,
    longLo: Number.NaN,
    longHi: Number.NaN,
    basePrice: rule.basePrice,
    firstEventTime: Number.POSITIVE_INFINITY,
    onHand: undefined,
    onHandTime: Number.NEGATIVE_INFINITY,
    lateEvents: 0,
    appliedEvents: 0,
    repeatedEvents: 0,
    ordersHeld: 0,
    priced: false,
    price: initialPriceState,
    applied: {},
    checkedFold: undefined,
    checkedShard: undefined,
  };
}

/** The window sums as of the last tick: [short units, orders, depleted, long units, orders, depleted]. */
export function windowSums(state: SkuState, slab: PaneSlab): number[] {
  return [SHORT, LONG].flatMap((window) =>
    [UNITS, ORDERS, DEPLETED].map((field) => slab.sum(state.slot, window as 0 | 1, field)),
  );
}

/**
 * Applies one on-time event: order units and the order into its pane; for inventory, the last
 * known on-hand by event time (a delta older than the newest count is already in that count) and
 * units taken out of stock into its pane.
 */
export function applyEvent(state: SkuState, slab: PaneSlab, decoded: DecodedEvent, plan: WindowPlan): void {
  const { eventTime, units } = decoded;
  const shortPane = Math.floor(eventTime / plan.short.paneMs);
  if (eventTime < state.firstEventTime) state.firstEventTime = eventTime;
  // Only an order has units (the contract's quantities are at least 1), so an order's event object
  // is read only for the SKU's first base price.
  if (units > 0 || decoded.event.type === 'order') {
    state.basePrice ??= (decoded.event as OrderEvent).lines[0]?.unitPrice;
    state.ordersHeld += 1;
    addToPanes(state, slab, plan, eventTime, shortPane, units, 1, 0);
    return;
  }
  const depleted = applyInventory(state, decoded.event, eventTime);
  if (depleted > 0) addToPanes(state, slab, plan, eventTime, shortPane, 0, 0, depleted);
}

function addToPanes(
  state: SkuState,
  slab: PaneSlab,
  plan: WindowPlan,
  eventTime: number,
  shortPane: number,
  units: number,
  orders: number,
  depleted: number,
): void {
  state.shortHead = slab.add(state.slot, SHORT, state.shortHead, shortPane, units, orders, depleted);
  const longPane = Math.floor(eventTime / plan.long.paneMs);
  state.longHead = slab.add(state.slot, LONG, state.longHead, longPane, units, orders, depleted);
}

/**
 * Whether a tick can move this SKU's price. Its first tick gives its initial price; after that a
 * move needs a demand signal, which needs `minOrders` orders in the long window, and `ordersHeld`
 * bounds those. Most SKUs of a large catalogue sell too rarely for that, so the fold does not
 * price them at a tick that cannot move them: `priceAt` would only slide their windows and hold,
 * and a later tick's slide re-sums across the ticks skipped.
 */
export function canMoveAt(state: SkuState): boolean {
  return !state.priced || state.ordersHeld >= state.rule.minOrders;
}

/**
 * Slides both windows to the newest ones closed at tick `at` and decides the price. Returns the
 * change, or undefined when the price held (or the SKU has no base price yet).
 */
export function priceAt(
  state: SkuState,
  slab: PaneSlab,
  at: number,
  plan: WindowPlan,
): PriceChange | undefined {
  if (at < state.nextTick) return undefined;
  state.nextTick = at + plan.intervalMs;
  const short = slide(state, slab, plan.short, SHORT, at);
  const long = slide(state, slab, plan.long, LONG, at);
  if (state.basePrice === undefined) return undefined;
  const { slot } = state;
  // Most SKUs of a large catalogue have no demand signal at most ticks: hold without building stats.
  if (state.price.price !== undefined && slab.sum(slot, LONG, ORDERS) < state.rule.minOrders)
    return undefined;
  const stats = windowStats(
    {
      units: slab.sum(slot, SHORT, UNITS),
      orders: slab.sum(slot, SHORT, ORDERS),
      depleted: slab.sum(slot, SHORT, DEPLETED),
      spanMs: short,
    },
    { units: slab.sum(slot, LONG, UNITS), orders: slab.sum(slot, LONG, ORDERS), spanMs: long },
    state.onHand,
  );
  const decision = decidePrice(state.rule, state.basePrice, stats, state.price, at);
  state.price = decision.state;
  state.priced = decision.state.price !== undefined;
  if (!decision.changed) return undefined;
  return {
    kind: 'price',
    sku: state.sku,
    price: decision.price,
    previousPrice: decision.previousPrice,
    asOf: at,
    reason: decision.reason,
    limitedBy: decision.limitedBy,
    demandFactor: decision.demandFactor,
    inventoryFactor: decision.inventoryFactor,
    stats,
  };
}

/**
 * Moves one window's sum to the newest window closed at `at`: panes entering are added and panes
 * leaving subtracted (O(slide / pane)); with no overlap the window is summed afresh. Returns the
 * time the window covers that this state has observed: a SKU seen for two minutes has two minutes
 * of history in its hour-long window, and dividing by the whole hour would read a new or returning
 * SKU as slow and its short/long ratio as a surge.
 */
function slide(state: SkuState, slab: PaneSlab, window: WindowGeometry, which: Window, at: number): number {
  const end = Math.floor(at / window.slideMs) * window.slideMs;
  const hi = end / window.paneMs;
  const lo = hi - window.sizePanes;
  const previousLo = which === SHORT ? state.shortLo : state.longLo;
  const previousHi = which === SHORT ? state.shortHi : state.longHi;
  const head = which === SHORT ? state.shortHead : state.longHead;
  if (Number.isNaN(previousHi) || lo >= previousHi || previousLo <= head - window.capacity) {
    slab.clearSum(state.slot, which);
    slab.accumulate(state.slot, which, head, lo, hi, 1);
  } else {
    slab.accumulate(state.slot, which, head, previousHi, hi, 1);
    slab.accumulate(state.slot, which, head, previousLo, lo, -1);
  }
  if (which === SHORT) {
    state.shortLo = lo;
    state.shortHi = hi;
  } else {
    state.longLo = lo;
    state.longHi = hi;
  }
  return Math.max(minimumSpanMs, Math.min(window.sizeMs, end - state.firstEventTime));
}
