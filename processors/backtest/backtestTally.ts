import type { DecodedEvent } from '../events/decodedEvent';
import type { PriceReason } from '../pricing/decidePrice';
import type { CoreOutput } from '../window/outputs';

/** What one config made of a stream of events, for comparing configs side by side. */
export interface BacktestSummary {
  /**
   * Per-SKU events read (an order spanning several SKUs counts once per SKU), without the copies of
   * records a producer put twice.
   */
  readonly events: number;
  /** Events older than the watermark when they arrived: counted, never applied. */
  readonly lateEvents: number;
  /** Event time the events span, ms (newest minus oldest). */
  readonly spanMs: number;
  /** SKUs that got a price. */
  readonly skusPriced: number;
  /** First prices, one per SKU priced. */
  readonly initialPrices: number;
  /** Moves after a SKU's first price. */
  readonly priceChanges: number;
  readonly rises: number;
  readonly falls: number;
  /** Moves per priced SKU per hour of event time: how much the prices churn. */
  readonly changesPerSkuHour: number;
  /** Mean size of a move, as a fraction of the price it moved from. */
  readonly meanStep: number;
  /** Moves by the rule that made them. */
  readonly byReason: Readonly<Partial<Record<PriceReason, number>>>;
  /**
   * Every order line's quantity at the price the pipeline had published for its SKU when the
   * order reached it (the price it paid, before the SKU's first price), cents. Quantities are the
   * recorded ones: a proxy that holds demand fixed, not a forecast.
   */
  readonly revenue: number;
  /** The same quantities at the unit prices the orders recorded, cents: the baseline. */
  readonly recordedRevenue: number;
}

/** The running counts behind a summary. Mutable, owned by one backtest of one config. */
export interface BacktestTally {
  /** Each priced SKU's newest price, cents: what a storefront reading the cache shows. */
  readonly prices: Map<string, number>;
  events: number;
  lateEvents: number;
  oldest: number;
  newest: number;
  initialPrices: number;
  rises: number;
  falls: number;
  stepSum: number;
  readonly byReason: Partial<Record<PriceReason, number>>;
  revenue: number;
  recordedRevenue: number;
}

export function createTally(): BacktestTally {
  return {
    prices: new Map(),
    events: 0,
    lateEvents: 0,
    oldest: Number.POSITIVE_INFINITY,
    newest: Number.NEGATIVE_INFINITY,
    initialPrices: 0,
    rises: 0,
    falls: 0,
    stepSum: 0,
    byReason: {},
    revenue: 0,
    recordedRevenue: 0,
  };
}

/** Counts an event as it reaches the pipeline, before the pipeline applies it; a repeat is no order. */
export function tallyEvent(tally: BacktestTally, { event, eventTime, sku, repeat }: DecodedEvent): void {
  if (repeat === true) return;
  tally.events += 1;
  if (eventTime < tally.oldest) tally.oldest = eventTime;
  if (eventTime > tally.newest) tally.newest = eventTime;
  if (event.type !== 'order') return;
  const showing = tally.prices.get(sku);
  for (const line of event.lines) {
    tally.recordedRevenue += line.quantity * line.unitPrice;
    tally.revenue += line.quantity * (showing ?? line.unitPrice);
  }
}

/** Counts what the pipeline emitted: prices and late events. */
export function tallyOutput(tally: BacktestTally, output: CoreOutput): void {
  if (output.kind === 'late') tally.lateEvents += 1;
  if (output.kind !== 'price') return;
  tally.prices.set(output.sku, output.price);
  if (output.previousPrice === undefined) {
    tally.initialPrices += 1;
    return;
  }
  if (output.price > output.previousPrice) tally.rises += 1;
  else tally.falls += 1;
  tally.stepSum += Math.abs(output.price - output.previousPrice) / output.previousPrice;
  tally.byReason[output.reason] = (tally.byReason[output.reason] ?? 0) + 1;
}

export function summaryOf(tally: BacktestTally): BacktestSummary {
  const priceChanges = tally.rises + tally.falls;
  const spanMs = tally.events === 0 ? 0 : tally.newest - tally.oldest;
  const skuHours = (tally.prices.size * spanMs) / 3_600_000;
  return {
    events: tally.events,
    lateEvents: tally.lateEvents,
    spanMs,
    skusPriced: tally.prices.size,
    initialPrices: tally.initialPrices,
    priceChanges,
    rises: tally.rises,
    falls: tally.falls,
    changesPerSkuHour: skuHours === 0 ? 0 : priceChanges / skuHours,
    meanStep: priceChanges === 0 ? 0 : tally.stepSum / priceChanges,
    byReason: { ...tally.byReason },
    revenue: tally.revenue,
    recordedRevenue: tally.recordedRevenue,
  };
}
