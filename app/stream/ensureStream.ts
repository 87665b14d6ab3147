import {
  CreateStreamCommand,
  DescribeStreamSummaryCommand,
  type KinesisClient,
  ResourceInUseException,
  ResourceNotFoundException,
  waitUntilStreamExists,
} from '@aws-sdk/client-kinesis';
import { ConfigError } from '../config/ConfigError';
import { stackConfigSources } from '../config/stackConfig';

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
  return { ...(await requireStream(kinesis, streamName)), created };
}

/**
 * The open shard count and capacity mode of a stream that must exist already. Commands that read
 * or reshard a stream never create one: a mistyped name fails here, naming the setting, instead of
 * making an empty stream (on AWS, one billed by the shard hour) and waiting on it.
 */
export async function requireStream(
  kinesis: KinesisClient,
  streamName: string,
): Promise<StreamStatus & { readonly onDemand: boolean }> {
  try {
    const { StreamDescriptionSummary: summary } = await kinesis.send(
      new DescribeStreamSummaryCommand({ StreamName: streamName }),
    );
    return {
      created: false,
      openShardCount: summary?.OpenShardCount ?? 0,
      onDemand: summary?.StreamModeDetails?.StreamMode === 'ON_DEMAND',
    };
  } catch (error) {
    if (!(error instanceof ResourceNotFoundException)) throw error;
    throw new ConfigError(
      `streamName (${stackConfigSources.streamName})`,
      `there is no stream named ${streamName}: name an existing one, or produce into it first`,
      { cause: error },
    );
  }
}
