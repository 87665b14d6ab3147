import { Observable, type OperatorFunction } from 'rxjs';
import type { DecodedEvent } from '../processors/events/decodedEvent';
import {
  type ActiveSku,
  advanceWatermark,
  createWatermarkState,
  type SkuSink,
} from '../processors/window/watermark';
import type { WindowPlan } from '../processors/window/windowPlan';

/** What the core's watermark tells one SKU, as a value for the groupBy-based reference. */
export type SkuMessage =
  | { readonly kind: 'event'; readonly sku: string; readonly event: DecodedEvent }
  | { readonly kind: 'late'; readonly sku: string; readonly event: DecodedEvent; readonly watermark: number }
  | { readonly kind: 'tick' | 'evict'; readonly sku: string; readonly at: number };

/** The core's watermark as an operator emitting per-SKU messages, for the groupBy-based reference. */
export function stampWatermark(plan: WindowPlan): OperatorFunction<DecodedEvent, SkuMessage> {
  return (events) =>
    new Observable<SkuMessage>((subscriber) => {
      const state = createWatermarkState<ActiveSku>();
      const sink: SkuSink<ActiveSku> = {
        open: (sku) => ({ sku, lastEventTime: Number.NEGATIVE_INFINITY }),
        event: ({ sku }, event) => subscriber.next({ kind: 'event', sku, event }),
        late: ({ sku }, event, watermark) => subscriber.next({ kind: 'late', sku, event, watermark }),
        tick: ({ sku }, at) => subscriber.next({ kind: 'tick', sku, at }),
        evict: ({ sku }, at) => subscriber.next({ kind: 'evict', sku, at }),
        repeat: () => {}, // the bench's records are never put twice
      };
      return events.subscribe({
        next: (event) => advanceWatermark(state, event, plan, sink),
        error: (error) => subscriber.error(error),
        complete: () => subscriber.complete(),
      });
    });
}
