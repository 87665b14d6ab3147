import type { _Record as KinesisRecord } from '@aws-sdk/client-kinesis';
import type { KinesisStreamRecord } from 'aws-lambda';

/** Where a record was read: the region and stream its event source ARN names. */
export interface RecordSource {
  readonly region: string;
  readonly streamName: string;
}

/** A record read with GetRecords, as Lambda's event source mapping hands it to the handler. */
export function lambdaRecord(
  source: RecordSource,
  shardId: string,
  record: KinesisRecord,
): KinesisStreamRecord {
  return {
    awsRegion: source.region,
    eventID: `${shardId}:${record.SequenceNumber}`,
    eventName: 'aws:kinesis:record',
    eventSource: 'aws:kinesis',
    eventSourceARN: `arn:aws:kinesis:${source.region}:000000000000:stream/${source.streamName}`,
    eventVersion: '1.0',
    invokeIdentityArn: 'arn:aws:iam::000000000000:role/pricestream-local',
    kinesis: {
      kinesisSchemaVersion: '1.0',
      partitionKey: record.PartitionKey ?? '',
      sequenceNumber: record.SequenceNumber ?? '',
      data: Buffer.from(record.Data ?? new Uint8Array()).toString('base64'),
      approximateArrivalTimestamp: (record.ApproximateArrivalTimestamp?.getTime() ?? 0) / 1000,
    },
  };
}
