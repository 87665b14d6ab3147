import { type PricingConfig, type PricingRule, ruleFor } from '../config/pricingConfig';
import type { DecodedEvent } from '../events/decodedEvent';
import { decidePrice, initialPriceState, type PriceState } from '../pricing/decidePrice';
import type { CoreOutput, SkuSnapshot } from './outputs';
import { DEPLETED, ORDERS, PaneRing, paneFields, UNITS } from './PaneRing';
import type { SkuMessage } from './skuMessage';
import type { WindowGeometry, WindowPlan } from './windowPlan';
import { windowStats } from './windowStats';

const SHORT = 0;
const LONG = paneFields;

/**
 * One SKU's live state: its pane ring, the running sums of its two windows as of the last tick,
 * last known stock, and its pricing state. Owned by one fold (`stepSku`), which updates it in
 * place so an event costs O(1) and allocates nothing.
 */
export interface SkuState {
  readonly sku: string;
  readonly rule: PricingRule;
  readonly ring: PaneRing;
  /** Window sums [short units, orders, depleted, long units, orders, depleted] over [lo, hi) panes. */
  readonly sums: Float64Array;
  readonly bounds: Float64Array;
  basePrice: number | undefined;
  /** Start of the first pane this state has seen an event in: windows cover no time before it. */
  firstPaneStart: number;
  onHand: number | undefined;
  onHandTime: number;
  lateEvents: number;
  price: PriceState;
  /** What the last message produced, if anything. */
  output: CoreOutput | undefined;
}

/** A fresh state for a SKU, or one resumed from its snapshot. */
export function createSkuState(
  sku: string,
  config: PricingConfig,
  plan: WindowPlan,
  snapshot?: SkuSnapshot,
): SkuState {
  const rule = ruleFor(config, sku);
  return {
    sku,
    rule,
    ring: new PaneRing(plan.capacity),
    sums: new Float64Array(paneFields * 2),
    bounds: new Float64Array([Number.NaN, Number.NaN, Number.NaN, Number.NaN]),
    basePrice: rule.basePrice ?? snapshot?.basePrice,
    firstPaneStart: Number.POSITIVE_INFINITY,
    onHand: snapshot?.onHand,
    onHandTime: snapshot?.onHandTime ?? Number.NEGATIVE_INFINITY,
    lateEvents: snapshot?.lateEvents ?? 0,
    price: snapshot?.price ?? initialPriceState,
    output: undefined,
  };
}

/** The part of a SKU's state that outlives its windows. */
export function snapshotOf(state: SkuState): SkuSnapshot {
  return {
    kind: 'snapshot',
    sku: state.sku,
    basePrice: state.basePrice,
    onHand: state.onHand,
    onHandTime: state.onHandTime,
    lateEvents: state.lateEvents,
    price: state.price,
  };
}

/**
 * The per-SKU reducer: applies one message and returns the same state, with `output` set to what
 * the message produced (a price change on a tick, a late-event report, a snapshot on eviction).
 * Deterministic: a function of the messages in order, never of the wall clock.
 */
export function stepSku(state: SkuState, message: SkuMessage, plan: WindowPlan): SkuState {
  state.output = undefined;
  switch (message.kind) {
    case 'event':
      applyEvent(state, message.event, plan);
      break;
    case 'tick':
      priceAt(state, message.at, plan);
      break;
    case 'late':
      state.lateEvents += 1;
      state.output = { kind: 'late', sku: state.sku, event: message.event, watermark: message.watermark };
      break;
    case 'evict':
      state.output = snapshotOf(state);
      break;
  }
  return state;
}

function applyEvent(state: SkuState, decoded: DecodedEvent, plan: WindowPlan): void {
  const { event, eventTime } = decoded;
  const pane = Math.floor(eventTime / plan.paneMs);
  state.firstPaneStart = Math.min(state.firstPaneStart, pane * plan.paneMs);
  if (event.type === 'order') {
    let units = 0;
    for (const line of event.lines) units += line.quantity;
    state.basePrice ??= event.lines[0]?.unitPrice;
    state.ring.add(pane, units, 1, 0);
    return;
  }
  let depleted = 0;
  if (event.delta !== undefined) {
    if (event.delta < 0) depleted = -event.delta;
    if (event.onHand === undefined && state.onHand !== undefined && eventTime >= state.onHandTime) {
      state.onHand = Math.max(0, state.onHand + event.delta);
      state.onHandTime = eventTime;
    }
  }
  if (event.onHand !== undefined && eventTime >= state.onHandTime) {
    if (event.delta === undefined && state.onHand !== undefined && event.onHand < state.onHand) {
      depleted = state.onHand - event.onHand;
    }
    state.onHand = event.onHand;
    state.onHandTime = eventTime;
  }
  state.ring.add(pane, 0, 0, depleted);
}

function priceAt(state: SkuState, at: number, plan: WindowPlan): void {
  slide(state, plan.short, SHORT, at, plan.paneMs);
  slide(state, plan.long, LONG, at, plan.paneMs);
  if (state.basePrice === undefined) return;
  const { sums } = state;
  const stats = windowStats(
    {
      units: sums[SHORT + UNITS] as number,
      orders: sums[SHORT + ORDERS] as number,
      depleted: sums[SHORT + DEPLETED] as number,
      spanMs: observedSpan(state, plan.short, at, plan.paneMs),
    },
    {
      units: sums[LONG + UNITS] as number,
      orders: sums[LONG + ORDERS] as number,
      spanMs: observedSpan(state, plan.long, at, plan.paneMs),
    },
    state.onHand,
  );
  const decision = decidePrice(state.rule, state.basePrice, stats, state.price, at);
  state.price = decision.state;
  if (!decision.changed) return;
  state.output = {
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
 * How much of a window's time this state has observed. A SKU seen for two minutes has two minutes
 * of history in its hour-long window; dividing by the whole hour would read a new or returning
 * SKU as slow and make its short/long ratio look like a surge.
 */
function observedSpan(state: SkuState, window: WindowGeometry, at: number, paneMs: number): number {
  const end = Math.floor(at / window.slideMs) * window.slideMs;
  return Math.max(paneMs, Math.min(window.sizeMs, end - state.firstPaneStart));
}

/**
 * Moves one window's sums to the newest window closed at `at`: panes entering are added and panes
 * leaving subtracted (O(slide / pane)); with no overlap the window is summed afresh.
 */
function slide(state: SkuState, window: WindowGeometry, offset: number, at: number, paneMs: number): void {
  const hi = Math.floor(at / window.slideMs) * (window.slideMs / paneMs);
  const lo = hi - window.sizePanes;
  const bound = offset === SHORT ? 0 : 2;
  const previousLo = state.bounds[bound] as number;
  const previousHi = state.bounds[bound + 1] as number;
  if (
    Number.isNaN(previousHi) ||
    lo >= previousHi ||
    previousLo < state.ring.head - state.ring.capacity + 1
  ) {
    state.sums.fill(0, offset, offset + paneFields);
    state.ring.accumulate(lo, hi, 1, state.sums, offset);
  } else {
    state.ring.accumulate(previousHi, hi, 1, state.sums, offset);
    state.ring.accumulate(previousLo, lo, -1, state.sums, offset);
  }
  state.bounds[bound] = lo;
  state.bounds[bound + 1] = hi;
}
