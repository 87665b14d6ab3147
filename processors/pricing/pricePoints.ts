/** Price points: prices of the form k × step + ending cents (step 100, ending 99 gives x.99). */
export interface PricePoints {
  readonly step: number;
  readonly ending: number;
}

/**
 * The price point nearest `target` within [low, high], or undefined when the interval holds none.
 * The one place prices are rounded: every price pricestream stores is an integer number of cents.
 */
export function nearestPricePoint(
  target: number,
  low: number,
  high: number,
  points: PricePoints,
): number | undefined {
  const { step, ending } = points;
  const first = Math.ceil((low - ending) / step);
  const last = Math.floor((high - ending) / step);
  if (first > last) return undefined;
  const nearest = Math.min(last, Math.max(first, Math.round((target - ending) / step)));
  return nearest * step + ending;
}
