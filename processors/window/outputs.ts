import type { DecodedEvent } from '../events/decodedEvent';
import type { PriceLimit, PriceReason } from '../pricing/decidePrice';
import type { SkuRecord } from './skuRecord';
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
 * A SKU went idle: every window is empty, so its window state is dropped. `record` is what is left
 * (price, stock, applied positions), to store and to resume from when the SKU sells again.
 */
export interface SkuSnapshot {
  readonly kind: 'snapshot';
  readonly sku: string;
  readonly record: SkuRecord;
}

/** Everything the stream core emits. */
export type CoreOutput = PriceChange | LateEvent | SkuSnapshot;
