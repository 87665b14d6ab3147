/**
 * Where an event sits in the stream: its shard, the Kinesis record's sequence number and, for a
 * KPL-aggregated record, the user record's index inside it. Unique per SKU; ordered within a shard.
 */
export interface EventPosition {
  readonly shardId: string;
  readonly sequenceNumber: string;
  readonly subSequenceNumber: number;
}

/**
 * Orders two positions of one shard: negative, zero or positive. Sequence numbers are decimal
 * strings of up to 128 bits, so they compare by length, then digit by digit.
 */
export function comparePositions(a: EventPosition, b: EventPosition): number {
  if (a.sequenceNumber.length !== b.sequenceNumber.length)
    return a.sequenceNumber.length - b.sequenceNumber.length;
  if (a.sequenceNumber !== b.sequenceNumber) return a.sequenceNumber < b.sequenceNumber ? -1 : 1;
  return a.subSequenceNumber - b.subSequenceNumber;
}
