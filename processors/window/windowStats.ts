/**
 * What one SKU's windows say at a pricing tick. Units and orders are sums over the most recent
 * closed window of each size; velocities are units per minute; `cover` is on-hand stock over the
 * short velocity (long when short is zero), in minutes.
 */
export interface WindowStats {
  readonly shortUnits: number;
  readonly shortOrders: number;
  readonly longUnits: number;
  readonly longOrders: number;
  /** Units ordered per minute over the short and the long window. */
  readonly shortVelocity: number;
  readonly longVelocity: number;
  /** Units taken out of stock per minute (negative inventory deltas) over the short window. */
  readonly depletionRate: number;
  /** Last known on-hand quantity, by event time; undefined until an inventory event says. */
  readonly onHand: number | undefined;
  /** Minutes of stock at the current velocity; undefined when on-hand or velocity is unknown. */
  readonly coverMinutes: number | undefined;
  /** shortVelocity / longVelocity, the demand signal; undefined when the long window is empty. */
  readonly velocityRatio: number | undefined;
  /** Orders the short window would hold at the long window's order rate. */
  readonly expectedShortOrders: number;
}

/**
 * Builds the statistics from window sums (units, orders, depleted units) and the time each window
 * covers, in ms: its size, or less while the SKU's history is shorter than the window.
 */
export function windowStats(
  short: {
    readonly units: number;
    readonly orders: number;
    readonly depleted: number;
    readonly spanMs: number;
  },
  long: { readonly units: number; readonly orders: number; readonly spanMs: number },
  onHand: number | undefined,
): WindowStats {
  const shortMinutes = short.spanMs / 60_000;
  const longMinutes = long.spanMs / 60_000;
  const shortVelocity = short.units / shortMinutes;
  const longVelocity = long.units / longMinutes;
  const velocity = shortVelocity > 0 ? shortVelocity : longVelocity;
  return {
    shortUnits: short.units,
    shortOrders: short.orders,
    longUnits: long.units,
    longOrders: long.orders,
    shortVelocity,
    longVelocity,
    depletionRate: short.depleted / shortMinutes,
    onHand,
    coverMinutes: onHand === undefined || velocity === 0 ? undefined : onHand / velocity,
    velocityRatio: longVelocity > 0 ? shortVelocity / longVelocity : undefined,
    expectedShortOrders: (long.orders * short.spanMs) / long.spanMs,
  };
}
