import type { PricingRule } from '../config/pricingConfig';

/** The hard limits on a SKU's price, in cents: floor ≤ price ≤ ceiling. */
export interface PriceBand {
  readonly floor: number;
  readonly ceiling: number;
}

/**
 * The floor is the larger of the configured floor and unit cost × (1 + minimum margin); unit cost
 * defaults to a share of the base price. The ceiling is the configured one, or base × maxMultiple,
 * and never below the floor.
 */
export function priceBand(rule: PricingRule, basePrice: number): PriceBand {
  const unitCost = rule.unitCost ?? Math.round(basePrice * rule.defaultCostShare);
  const floor = Math.max(rule.floor ?? 0, Math.ceil(unitCost * (1 + rule.minMargin)));
  const ceiling = Math.max(floor, rule.ceiling ?? Math.floor(basePrice * rule.maxMultiple));
  return { floor, ceiling };
}
