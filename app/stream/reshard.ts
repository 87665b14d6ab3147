import {
  type KinesisClient,
  MergeShardsCommand,
  SplitShardCommand,
  waitUntilStreamExists,
} from '@aws-sdk/client-kinesis';
import { requireStream } from './ensureStream';
import { loadShardMap, type OpenShard } from './shardMap';

/** One change to a stream's shards: a shard split in two at a hash key, or two adjacent shards merged. */
export type ReshardStep =
  | { readonly kind: 'split'; readonly shard: OpenShard; readonly at: bigint }
  | { readonly kind: 'merge'; readonly shards: readonly [OpenShard, OpenShard] };

const width = (shard: OpenShard) => shard.endingHashKey - shard.startingHashKey + 1n;

/**
 * The next split or merge that takes these open shards toward `target`: below it, the shard with
 * the widest hash range split at its middle; above it, the adjacent pair whose ranges together are
 * the narrowest, merged. So the shards' ranges stay as even as splits and merges allow (exactly
 * even from one power of two to another), and each shard takes an even share of the SKUs.
 * Undefined at the target, or when no step can get closer.
 */
export function nextReshardStep(open: readonly OpenShard[], target: number): ReshardStep | undefined {
  const shards = [...open].sort((a, b) => (a.startingHashKey < b.startingHashKey ? -1 : 1));
  if (shards.length < target) {
    const widest = shards.reduce((best, shard) => (width(shard) > width(best) ? shard : best));
    if (width(widest) < 2n) return undefined;
    return { kind: 'split', shard: widest, at: widest.startingHashKey + width(widest) / 2n };
  }
  let pair: [OpenShard, OpenShard] | undefined;
  if (shards.length > target) {
    for (let index = 0; index + 1 < shards.length; index++) {
      const [low, high] = [shards[index] as OpenShard, shards[index + 1] as OpenShard];
      if (low.endingHashKey + 1n !== high.startingHashKey) continue;
      if (pair === undefined || width(low) + width(high) < width(pair[0]) + width(pair[1]))
        pair = [low, high];
    }
  }
  return pair === undefined ? undefined : { kind: 'merge', shards: pair };
}

/**
 * Splits and merges a stream's open shards, one step at a time (each once the stream is active
 * again), until it has `target`; tells `onStep` each step and the open shards after it. Returns
 * the open shard count at the end. A consumer reads each new shard once its parents are finished.
 * An on-demand stream is refused: Kinesis allows splits and merges in provisioned mode only.
 */
export async function reshard(
  kinesis: KinesisClient,
  streamName: string,
  target: number,
  onStep: (step: ReshardStep, openShards: number) => void = () => {},
): Promise<number> {
  if ((await requireStream(kinesis, streamName)).onDemand)
    throw new Error(
      `${streamName} is an on-demand stream: Kinesis scales its shards itself, and splitting or merging them needs provisioned mode`,
    );
  const active = () =>
    waitUntilStreamExists({ client: kinesis, maxWaitTime: 300, minDelay: 1 }, { StreamName: streamName });
  await active();
  for (;;) {
    const open = (await loadShardMap(kinesis, streamName)).shards;
    const step = nextReshardStep(open, target);
    if (step === undefined) return open.length;
    if (step.kind === 'split')
      await kinesis.send(
        new SplitShardCommand({
          StreamName: streamName,
          ShardToSplit: step.shard.shardId,
          NewStartingHashKey: String(step.at),
        }),
      );
    else
      await kinesis.send(
        new MergeShardsCommand({
          StreamName: streamName,
          ShardToMerge: step.shards[0].shardId,
          AdjacentShardToMerge: step.shards[1].shardId,
        }),
      );
    await active();
    onStep(step, open.length + (step.kind === 'split' ? 1 : -1));
  }
}
