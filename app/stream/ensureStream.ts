import {
  CreateStreamCommand,
  DescribeStreamSummaryCommand,
  type KinesisClient,
  ResourceInUseException,
  ResourceNotFoundException,
  waitUntilStreamExists,
} from '@aws-sdk/client-kinesis';

/** What `ensureStream` found or made. */
export interface StreamStatus {
  readonly created: boolean;
  readonly openShardCount: number;
}

/**
 * Creates the stream with `shardCount` shards if it does not exist, and waits until it is active.
 * An existing stream is left as it is (resharding is an operator's decision, never a side effect
 * of starting up); its open shard count is returned.
 */
export async function ensureStream(
  kinesis: KinesisClient,
  streamName: string,
  shardCount: number,
): Promise<StreamStatus> {
  let created = false;
  try {
    await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: streamName }));
  } catch (error) {
    if (!(error instanceof ResourceNotFoundException)) throw error;
    try {
      await kinesis.send(new CreateStreamCommand({ StreamName: streamName, ShardCount: shardCount }));
      created = true;
    } catch (createError) {
      if (!(createError instanceof ResourceInUseException)) throw createError;
    }
  }
  await waitUntilStreamExists({ client: kinesis, maxWaitTime: 120, minDelay: 1 }, { StreamName: streamName });
  const summary = await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: streamName }));
  return { created, openShardCount: summary.StreamDescriptionSummary?.OpenShardCount ?? 0 };
}
