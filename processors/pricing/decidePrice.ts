import type { PricingRule } from '../config/pricingConfig';
import type { WindowStats } from '../window/windowStats';
import { priceBand } from './priceBand';
import { nearestPricePoint } from './pricePoints';

/** Which rule set the price: what moved it, or why it held. */
export const priceReasons = [
  'initial',
  'demand',
  'scarcity',
  'slow-demand',
  'overstock',
  'no-signal',
  'dead-band',
  'stabilized',
  'hysteresis',
  'guard',
] as const;
export type PriceReason = (typeof priceReasons)[number];

/** A guard that cut the move short. */
export type PriceLimit = 'step' | 'floor' | 'ceiling' | 'stabilization';

/** What pricing remembers about a SKU between ticks. Plain data: it is stored and replayed. */
export interface PriceState {
  /** Current price in cents; undefined before the first price. */
  readonly price: number | undefined;
  /** Smoothed demand ratio and the event time it was computed at. */
  readonly ratio: number | undefined;
  readonly evaluatedAt: number | undefined;
  /** Recent recommendations [eventTime, cents, …], for markdown stabilization. */
  readonly recent: readonly number[];
}

export const initialPriceState: PriceState = {
  price: undefined,
  ratio: undefined,
  evaluatedAt: undefined,
  recent: [],
};

/** One pricing decision: the new state, and whether and why the price moved. */
export interface PriceDecision {
  readonly state: PriceState;
  readonly price: number;
  readonly previousPrice: number | undefined;
  readonly changed: boolean;
  readonly reason: PriceReason;
  readonly limitedBy: PriceLimit | undefined;
  /** The multipliers on the base price the signal asked for (1 when silent). */
  readonly demandFactor: number;
  readonly inventoryFactor: number;
}

/**
 * Decides a SKU's price at event time `asOf` from its window statistics. Pure and deterministic.
 *
 * Recommendation = base × demand × inventory, where demand = r^(1/|ε|) for the smoothed velocity
 * ratio r (1 inside the dead band) and inventory = (targetCover / cover)^weight, both clamped to
 * [1/maxMultiple, maxMultiple]. Anchoring on the base price keeps a steady signal at a steady
 * price instead of compounding tick after tick. Then, in order: markdowns act on the highest
 * recommendation of the stabilization window; the move is clamped to the step limits and the
 * floor/ceiling band; it is rounded to the nearest price point inside those limits; and a change
 * smaller than the hysteresis threshold is not made.
 */
export function decidePrice(
  rule: PricingRule,
  basePrice: number,
  stats: WindowStats,
  previous: PriceState,
  asOf: number,
): PriceDecision {
  const band = priceBand(rule, basePrice);
  const current = previous.price;
  if (current === undefined) {
    const price =
      nearestPricePoint(basePrice, band.floor, band.ceiling, rule.rounding) ??
      clamp(basePrice, band.floor, band.ceiling);
    return decision({ ...previous, price, evaluatedAt: asOf }, price, undefined, 'initial', undefined, 1, 1);
  }
  if (stats.velocityRatio === undefined || !hasDemandSignal(rule, stats)) {
    // Nothing to learn: the state stays as it was, and smoothing resumes from the last signal.
    return decision(previous, current, current, 'no-signal', undefined, 1, 1);
  }

  const ratio = smoothRatio(stats.velocityRatio, previous, asOf, rule.smoothing);
  const limit = rule.maxMultiple;
  const demandFactor =
    Math.abs(ratio - 1) < rule.deadBand
      ? 1
      : clamp(ratio ** (1 / Math.abs(rule.elasticity)), 1 / limit, limit);
  const inventoryFactor = inventoryTerm(rule, stats);
  const recommendation = basePrice * demandFactor * inventoryFactor;
  const recent = remember(previous.recent, asOf, recommendation, rule.markdownStabilization);
  const state: PriceState = { price: current, ratio, evaluatedAt: asOf, recent };

  let target = recommendation;
  let limitedBy: PriceLimit | undefined;
  if (recommendation < current) {
    const highest = highestRecommendation(recent);
    if (highest >= current)
      return decision(state, current, current, 'stabilized', 'stabilization', demandFactor, inventoryFactor);
    if (highest > recommendation) {
      target = highest;
      limitedBy = 'stabilization';
    }
  }
  const reason = driver(target, current, demandFactor, inventoryFactor);
  if (reason === 'dead-band')
    return decision(state, current, current, reason, undefined, demandFactor, inventoryFactor);

  let low = Math.max(band.floor, current * (1 - rule.maxStepDown));
  let high = Math.min(band.ceiling, current * (1 + rule.maxStepUp));
  const outsideBand = current < band.floor || current > band.ceiling;
  if (outsideBand) {
    // The band is hard: a price outside it (the config changed) goes straight to its edge.
    low = high = current < band.floor ? band.floor : band.ceiling;
  }
  const candidate = clamp(target, low, high);
  if (candidate !== target) limitedBy = limitOf(candidate, band, current, rule);
  const price = nearestPricePoint(candidate, low, high, rule.rounding) ?? (outsideBand ? low : current);
  if (price === current)
    return decision(state, current, current, 'guard', limitedBy, demandFactor, inventoryFactor);
  if (!outsideBand && Math.abs(price - current) < rule.hysteresis * current) {
    return decision(state, current, current, 'hysteresis', undefined, demandFactor, inventoryFactor);
  }
  return decision({ ...state, price }, price, current, reason, limitedBy, demandFactor, inventoryFactor);
}

/**
 * Whether the velocity ratio rests on enough orders to mean anything: the long window holds at
 * least `minOrders`, and so does the short window, or the long window's rate says it should. A
 * SKU selling one order every few minutes has a short window of zero or one order, a ratio that
 * jumps between 0 and several tick after tick: noise, not demand, and pricing on it flaps.
 */
export function hasDemandSignal(
  rule: Pick<PricingRule, 'minOrders'>,
  orders: Pick<WindowStats, 'longOrders' | 'shortOrders' | 'expectedShortOrders'>,
): boolean {
  return (
    orders.longOrders >= rule.minOrders &&
    Math.max(orders.shortOrders, orders.expectedShortOrders) >= rule.minOrders
  );
}

function decision(
  state: PriceState,
  price: number,
  previousPrice: number | undefined,
  reason: PriceReason,
  limitedBy: PriceLimit | undefined,
  demandFactor: number,
  inventoryFactor: number,
): PriceDecision {
  return {
    state,
    price,
    previousPrice,
    changed: price !== previousPrice,
    reason,
    limitedBy,
    demandFactor,
    inventoryFactor,
  };
}

/** Event-time EWMA: α = 1 − e^(−Δt/τ), so the smoothing does not depend on how often ticks come. */
function smoothRatio(ratio: number, previous: PriceState, asOf: number, tau: number): number {
  if (tau === 0 || previous.ratio === undefined || previous.evaluatedAt === undefined) return ratio;
  const alpha = 1 - Math.exp(-(asOf - previous.evaluatedAt) / tau);
  return previous.ratio + alpha * (ratio - previous.ratio);
}

function inventoryTerm(rule: PricingRule, stats: WindowStats): number {
  if (rule.inventoryWeight === 0 || stats.onHand === undefined) return 1;
  const targetMinutes = rule.targetCover / 60_000;
  const cover = stats.coverMinutes ?? Number.POSITIVE_INFINITY;
  const factor = (targetMinutes / Math.max(cover, 1e-9)) ** rule.inventoryWeight;
  return clamp(factor, 1 / rule.maxMultiple, rule.maxMultiple);
}

/** Keeps [time, value] pairs within the stabilization window, newest last. */
function remember(recent: readonly number[], asOf: number, value: number, window: number): number[] {
  const kept: number[] = [];
  for (let index = 0; index < recent.length; index += 2) {
    if ((recent[index] as number) > asOf - window)
      kept.push(recent[index] as number, recent[index + 1] as number);
  }
  kept.push(asOf, value);
  return kept;
}

function highestRecommendation(recent: readonly number[]): number {
  let highest = Number.NEGATIVE_INFINITY;
  for (let index = 1; index < recent.length; index += 2) highest = Math.max(highest, recent[index] as number);
  return highest;
}

/** The factor pulling hardest in the direction the price moves names the reason. */
function driver(target: number, current: number, demandFactor: number, inventoryFactor: number): PriceReason {
  if (target === current || (demandFactor === 1 && inventoryFactor === 1)) return 'dead-band';
  const demandPull = Math.log(demandFactor);
  const stockPull = Math.log(inventoryFactor);
  if (target > current) return stockPull > demandPull ? 'scarcity' : 'demand';
  return stockPull < demandPull ? 'overstock' : 'slow-demand';
}

function limitOf(
  candidate: number,
  band: { floor: number; ceiling: number },
  current: number,
  rule: PricingRule,
): PriceLimit {
  if (candidate === band.floor && band.floor >= current * (1 - rule.maxStepDown)) return 'floor';
  if (candidate === band.ceiling && band.ceiling <= current * (1 + rule.maxStepUp)) return 'ceiling';
  return 'step';
}

function clamp(value: number, low: number, high: number): number {
  return Math.min(high, Math.max(low, value));
}
