import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { listAllShards } from './shardMap';

/** A shard's parents (after a split or a merge) and the hash keys it owns. */
export interface ShardFamily {
  readonly parents: readonly string[];
  readonly startingHashKey: bigint;
  readonly endingHashKey: bigint;
}

/** Where the consumer asks which shards a shard came from. */
export interface ShardLineage {
  familyOf(shardId: string): Promise<ShardFamily | undefined>;
}

/**
 * Shard lineage from ListShards, cached per stream and reloaded when a shard it does not know is
 * asked for (the stream was resharded since).
 */
export class KinesisShardLineage implements ShardLineage {
  private families: Map<string, ShardFamily> | undefined;

  constructor(
    private readonly kinesis: KinesisClient,
    private readonly streamName: string,
  ) {}

  async familyOf(shardId: string): Promise<ShardFamily | undefined> {
    if (!this.families?.has(shardId)) this.families = await this.load();
    return this.families.get(shardId);
  }

  private async load(): Promise<Map<string, ShardFamily>> {
    const shards = await listAllShards(this.kinesis, this.streamName);
    return new Map(
      shards.map((shard) => [
        shard.ShardId as string,
        {
          parents: [shard.ParentShardId, shard.AdjacentParentShardId].filter(
            (parent): parent is string => parent !== undefined,
          ),
          startingHashKey: BigInt(shard.HashKeyRange?.StartingHashKey ?? '0'),
          endingHashKey: BigInt(shard.HashKeyRange?.EndingHashKey ?? '0'),
        },
      ]),
    );
  }
}
