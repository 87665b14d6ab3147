import type { KinesisStreamRecord } from 'aws-lambda';
import { ShardAggregator } from '../../app/producer/kplAggregation';
import { type DecodedEvent, decodedEvent } from '../../processors/events/decodedEvent';
import type { StreamEvent } from '../../processors/events/schema';
import { skuOf } from '../../processors/events/splitBySku';

let sequence = 49_600_000_000_000_000_000_000_000_000_000_000_000_000_000_000n;

/** A Lambda-shaped Kinesis record around raw bytes (base64 done here, never in a test). */
export function lambdaRecord(
  data: Uint8Array,
  options: { partitionKey?: string; shardId?: string } = {},
): KinesisStreamRecord {
  sequence += 1n;
  const shardId = options.shardId ?? 'shardId-000000000000';
  return {
    awsRegion: 'us-east-1',
    eventID: `${shardId}:${sequence}`,
    eventName: 'aws:kinesis:record',
    eventSource: 'aws:kinesis',
    eventSourceARN: 'arn:aws:kinesis:us-east-1:000000000000:stream/pricestream-events',
    eventVersion: '1.0',
    invokeIdentityArn: 'arn:aws:iam::000000000000:role/pricestream',
    kinesis: {
      kinesisSchemaVersion: '1.0',
      partitionKey: options.partitionKey ?? 'key',
      sequenceNumber: String(sequence),
      data: Buffer.from(data).toString('base64'),
      approximateArrivalTimestamp: 1_772_000_000,
    },
  };
}

/** One plain record per event, as `--no-aggregate` puts them. */
export function plainRecords(payloads: readonly unknown[], shardId?: string): KinesisStreamRecord[] {
  return payloads.map((payload) =>
    lambdaRecord(Buffer.from(JSON.stringify(payload)), { partitionKey: keyOf(payload), shardId }),
  );
}

/** The partition key the producer would use; any payload (valid or not) gets one. */
function keyOf(payload: unknown): string {
  const event = payload as StreamEvent;
  return event?.type === 'order' && Array.isArray(event.lines)
    ? skuOf(event)
    : ((payload as { sku?: string }).sku ?? 'unknown');
}

/** KPL-aggregated records holding the payloads in order, as the producer packs them. */
export function aggregatedRecords(
  payloads: readonly unknown[],
  limitBytes = 64 * 1024,
  shardId?: string,
): KinesisStreamRecord[] {
  const aggregator = new ShardAggregator(limitBytes);
  const records: KinesisStreamRecord[] = [];
  for (const payload of payloads) {
    const finished = aggregator.add({
      partitionKey: keyOf(payload),
      data: Buffer.from(JSON.stringify(payload)),
    });
    if (finished) records.push(lambdaRecord(finished, { shardId }));
  }
  const last = aggregator.flush();
  if (last) records.push(lambdaRecord(last, { shardId }));
  return records;
}

/** Decoded events straight from stream events, numbered as one shard's positions. */
export function decodedEvents(
  events: readonly StreamEvent[],
  shardId = 'shardId-000000000000',
): DecodedEvent[] {
  return events.map((event, index) =>
    decodedEvent(event, Date.parse(event.eventTime), {
      shardId,
      sequenceNumber: String(1000 + index),
      subSequenceNumber: 0,
    }),
  );
}
