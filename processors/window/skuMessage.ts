import type { DecodedEvent } from '../events/decodedEvent';

/**
 * What the watermark stage sends to a SKU, in stream order: an event to apply, a late event to
 * count, a pricing tick (every tick up to the watermark, for every SKU whose windows are not
 * empty), and a final eviction once its windows are all empty.
 */
export type SkuMessage =
  | { readonly kind: 'event'; readonly sku: string; readonly event: DecodedEvent }
  | { readonly kind: 'late'; readonly sku: string; readonly event: DecodedEvent; readonly watermark: number }
  | { readonly kind: 'tick'; readonly sku: string; readonly at: number }
  | { readonly kind: 'evict'; readonly sku: string; readonly at: number };
