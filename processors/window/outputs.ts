import type { DecodedEvent } from '../events/decodedEvent';
import type { PriceLimit, PriceReason, PriceState } from '../pricing/decidePrice';
import type { WindowStats } from './windowStats';

/** A SKU's price moved (or got its first price) at event time `asOf`. */
export interface PriceChange {
  readonly kind: 'price';
  readonly sku: string;
  /** New price, cents. */
  readonly price: number;
  readonly previousPrice: number | undefined;
  /** The pricing tick (event time, epoch ms) this price is as of. */
  readonly asOf: number;
  readonly reason: PriceReason;
  readonly limitedBy: PriceLimit | undefined;
  readonly demandFactor: number;
  readonly inventoryFactor: number;
  readonly stats: WindowStats;
}

/** An event older than the watermark when it arrived: counted and reported, never applied. */
export interface LateEvent {
  readonly kind: 'late';
  readonly sku: string;
  readonly event: DecodedEvent;
  readonly watermark: number;
}

/**
 * What outlives a SKU's windows: emitted when the SKU goes idle (every window empty) and its
 * window state is dropped, and handed back as the seed when the SKU is seen again.
 */
export interface SkuSnapshot {
  readonly kind: 'snapshot';
  readonly sku: string;
  readonly basePrice: number | undefined;
  readonly onHand: number | undefined;
  readonly onHandTime: number;
  readonly lateEvents: number;
  readonly price: PriceState;
}

/** Everything the stream core emits. */
export type CoreOutput = PriceChange | LateEvent | SkuSnapshot;
