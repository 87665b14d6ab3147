/**
 * Where an event sits in the stream: its shard, the Kinesis record's sequence number and, for a
 * KPL-aggregated record, the user record's index inside it. Unique per SKU; ordered within a shard.
 */
export interface EventPosition {
  readonly shardId: string;
  readonly sequenceNumber: string;
  readonly subSequenceNumber: number;
}

/** Orders two Kinesis sequence numbers, decimal strings of up to 128 bits: by length, then digits. */
export function compareSequenceNumbers(a: string, b: string): number {
  if (a.length !== b.length) return a.length - b.length;
  return a === b ? 0 : a < b ? -1 : 1;
}

/** Orders two positions of one shard: negative, zero or positive. */
export function comparePositions(a: EventPosition, b: EventPosition): number {
  return (
    compareSequenceNumbers(a.sequenceNumber, b.sequenceNumber) || a.subSequenceNumber - b.subSequenceNumber
  );
}
