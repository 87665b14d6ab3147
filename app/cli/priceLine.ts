import type { StoredPrice } from '../consumer/PriceStore';

const money = (cents: number | undefined) => (cents === undefined ? '—' : (cents / 100).toFixed(2));

/** One price change as a line for people: time, SKU, old → new, why, and the signal behind it. */
export function priceLine(price: StoredPrice): string {
  const arrow = price.previousPrice === undefined ? '•' : price.price > price.previousPrice ? '▲' : '▼';
  const time = new Date(price.asOf).toISOString().slice(11, 19);
  const why = price.limitedBy === undefined ? price.reason : `${price.reason}, ${price.limitedBy}`;
  const { stats } = price;
  const ratio = stats.velocityRatio === undefined ? '—' : stats.velocityRatio.toFixed(2);
  const stock = stats.onHand === undefined ? '' : `  on hand ${stats.onHand}`;
  return `${time}  ${price.sku.padEnd(14)} ${money(price.previousPrice).padStart(8)} → ${money(price.price).padStart(8)} ${arrow} ${why.padEnd(22)} ${stats.shortVelocity.toFixed(1).padStart(6)}/min  r ${ratio}${stock}`;
}

/** A price with its window statistics, for `pricestream price`. */
export function priceDetail(price: StoredPrice): string {
  const { stats } = price;
  return [
    `${price.sku}  ${money(price.price)}  (was ${money(price.previousPrice)})`,
    `  as of      ${new Date(price.asOf).toISOString()} (event time)`,
    `  reason     ${price.reason}${price.limitedBy ? `, limited by ${price.limitedBy}` : ''}`,
    `  factors    demand ×${price.demandFactor.toFixed(3)}, inventory ×${price.inventoryFactor.toFixed(3)}`,
    `  short      ${stats.shortUnits} units in ${stats.shortOrders} orders, ${stats.shortVelocity.toFixed(2)}/min`,
    `  long       ${stats.longUnits} units in ${stats.longOrders} orders, ${stats.longVelocity.toFixed(2)}/min`,
    `  ratio      ${stats.velocityRatio?.toFixed(3) ?? '—'} (short / long velocity)`,
    `  stock      ${stats.onHand ?? 'unknown'} on hand, cover ${stats.coverMinutes === undefined ? '—' : `${stats.coverMinutes.toFixed(1)} min`}, depleting ${stats.depletionRate.toFixed(2)}/min`,
  ].join('\n');
}
