import { Observable, type OperatorFunction } from 'rxjs';
import type { DecodedEvent } from '../events/decodedEvent';
import type { SkuMessage } from '../window/skuMessage';
import { advanceWatermark, createWatermarkState, type WatermarkState } from '../window/watermark';
import type { WindowPlan } from '../window/windowPlan';

/**
 * Turns decoded events into per-SKU messages in event-time order of processing: for each event,
 * the pricing ticks (and evictions) its time lets fire for every active SKU, then the event itself,
 * or a late message when it is older than the watermark. One event can release many messages,
 * which is why this is a `new Observable` rather than a `map`.
 *
 * `state` is the partition's clock; pass a stored one to resume a shard where it left off.
 */
export function stampWatermark(
  plan: WindowPlan,
  state: WatermarkState = createWatermarkState(),
): OperatorFunction<DecodedEvent, SkuMessage> {
  return (events) =>
    new Observable<SkuMessage>((subscriber) => {
      const emit = (message: SkuMessage) => subscriber.next(message);
      return events.subscribe({
        next: (event) => advanceWatermark(state, event, plan, emit),
        error: (error) => subscriber.error(error),
        complete: () => subscriber.complete(),
      });
    });
}
