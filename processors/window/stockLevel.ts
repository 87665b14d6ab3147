import type { InventoryEvent } from '../events/schema';

/** A SKU's last known stock: the on-hand count and the event time it is as of. */
export interface StockLevel {
  onHand: number | undefined;
  onHandTime: number;
}

/**
 * Applies an inventory event to the last known stock, by event time, and returns the units it took
 * out of stock. A count (`onHand`) newer than the last replaces it; a delta alone moves a known
 * count forward, unless a newer count already includes it. Units taken out are a negative delta, or
 * for a count alone, how far it fell below the last one.
 */
export function applyInventory(stock: StockLevel, event: InventoryEvent, eventTime: number): number {
  let depleted = 0;
  if (event.delta !== undefined) {
    if (event.delta < 0) depleted = -event.delta;
    if (event.onHand === undefined && stock.onHand !== undefined && eventTime >= stock.onHandTime) {
      stock.onHand = Math.max(0, stock.onHand + event.delta);
      stock.onHandTime = eventTime;
    }
  }
  if (event.onHand !== undefined && eventTime >= stock.onHandTime) {
    if (event.delta === undefined && stock.onHand !== undefined && event.onHand < stock.onHand) {
      depleted = stock.onHand - event.onHand;
    }
    stock.onHand = event.onHand;
    stock.onHandTime = eventTime;
  }
  return depleted;
}
