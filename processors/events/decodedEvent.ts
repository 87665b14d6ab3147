import type { EventPosition } from './position';
import type { StreamEvent } from './schema';
import { skuOf } from './splitBySku';

/** A valid per-SKU event off the stream: the event, its SKU, its event time in ms, and its position. */
export interface DecodedEvent {
  readonly sku: string;
  readonly eventTime: number;
  readonly event: StreamEvent;
  readonly position: EventPosition;
  /**
   * Units of the SKU the event orders: its lines' quantities summed; 0 for an inventory event.
   * Carried beside the event so the core's hot loop need not read the lines: at 100,000 SKUs the
   * event's objects are cold by then, and reading its lines cost the core about a tenth of its
   * throughput (bench:core).
   */
  readonly units: number;
  /**
   * A copy of an earlier record of its shard, put again by a producer's retry (see `findRepeats`):
   * the core records its position on the SKU and counts it, and applies nothing.
   */
  readonly repeat?: boolean;
}

/** The decoded form of a per-SKU event (one `splitBySku` gives) at `position`; `repeat`, see `DecodedEvent.repeat`. */
export function decodedEvent(
  event: StreamEvent,
  eventTime: number,
  position: EventPosition,
  repeat = false,
): DecodedEvent {
  let units = 0;
  if (event.type === 'order') for (const line of event.lines) units += line.quantity;
  const decoded = { sku: skuOf(event), eventTime, event, position, units };
  return repeat ? { ...decoded, repeat } : decoded;
}

/** The step of decoding a record failed at. */
export type DecodeStep = 'deaggregate' | 'utf8-json' | 'schema';

/**
 * A record (or one user record of an aggregate) that could not be decoded, with the step and the
 * reason. It goes to the dead letters; the records around it are decoded as usual.
 */
export interface DeadLetter {
  readonly position: EventPosition;
  readonly partitionKey: string;
  readonly step: DecodeStep;
  readonly field: string | undefined;
  readonly reason: string;
  /** The undecodable bytes, base64. */
  readonly data: string;
}
