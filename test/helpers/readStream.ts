import { GetRecordsCommand, GetShardIteratorCommand, type KinesisClient } from '@aws-sdk/client-kinesis';
import aggregation from 'aws-kinesis-agg';
import { listAllShards } from '../../app/stream/shardMap';

/** A user record as read back: its shard, position and payload. */
export interface ReadRecord {
  readonly shardId: string;
  readonly partitionKey: string;
  readonly sequenceNumber: string;
  readonly subSequenceNumber: number | undefined;
  readonly json: unknown;
}

/**
 * Reads every record of every shard from TRIM_HORIZON until each shard is caught up, and
 * de-aggregates KPL records with aws-kinesis-agg. Records come back in shard order.
 */
export async function readWholeStream(kinesis: KinesisClient, streamName: string): Promise<ReadRecord[]> {
  const out: ReadRecord[] = [];
  for (const shard of await listAllShards(kinesis, streamName)) {
    const shardId = shard.ShardId as string;
    let iterator = (
      await kinesis.send(
        new GetShardIteratorCommand({
          StreamName: streamName,
          ShardId: shardId,
          ShardIteratorType: 'TRIM_HORIZON',
        }),
      )
    ).ShardIterator;
    while (iterator !== undefined) {
      const page = await kinesis.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 10_000 }));
      for (const record of page.Records ?? []) {
        aggregation.deaggregateSync(record as never, true, (error, userRecords) => {
          if (error) throw error;
          for (const user of userRecords ?? []) {
            const fields = user as unknown as {
              PartitionKey: string;
              SequenceNumber: string;
              SubSequenceNumber?: number;
              Data: string | Uint8Array;
            };
            const bytes =
              typeof fields.Data === 'string' ? Buffer.from(fields.Data, 'base64') : Buffer.from(fields.Data);
            out.push({
              shardId,
              partitionKey: fields.PartitionKey,
              sequenceNumber: fields.SequenceNumber,
              subSequenceNumber: fields.SubSequenceNumber,
              json: JSON.parse(bytes.toString('utf8')),
            });
          }
        });
      }
      const caughtUp = (page.Records ?? []).length === 0 && (page.MillisBehindLatest ?? 0) === 0;
      iterator = caughtUp ? undefined : page.NextShardIterator;
    }
  }
  return out;
}
