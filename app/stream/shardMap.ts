import { createHash } from 'node:crypto';
import { type KinesisClient, ListShardsCommand, type Shard } from '@aws-sdk/client-kinesis';

/** An open shard and the hash keys it owns: [startingHashKey, endingHashKey], inclusive. */
export interface OpenShard {
  readonly shardId: string;
  readonly startingHashKey: bigint;
  readonly endingHashKey: bigint;
  /** Decimal `startingHashKey`, ready to send as an ExplicitHashKey. */
  readonly explicitHashKey: string;
}

/** Kinesis's hash of a partition key: MD5 of its UTF-8 bytes as an unsigned 128-bit integer. */
export function hashKeyOf(partitionKey: string): bigint {
  return BigInt(`0x${createHash('md5').update(partitionKey, 'utf8').digest('hex')}`);
}

/**
 * Which open shard each partition key lands on, as Kinesis routes it. Built from ListShards; an
 * aggregated record is sent with its shard's starting hash key so all of its user records land on
 * the shard their own keys hash to.
 */
export class ShardMap {
  readonly shards: readonly OpenShard[];
  private readonly cache = new Map<string, OpenShard>();

  constructor(shards: readonly OpenShard[]) {
    if (shards.length === 0) throw new Error('the stream has no open shards');
    this.shards = [...shards].sort((a, b) => (a.startingHashKey < b.startingHashKey ? -1 : 1));
  }

  /** The open shard a partition key hashes into. Cached per key: SKUs repeat. */
  shardFor(partitionKey: string): OpenShard {
    let shard = this.cache.get(partitionKey);
    if (shard === undefined) {
      shard = this.lookup(hashKeyOf(partitionKey));
      if (this.cache.size > 1_000_000) this.cache.clear();
      this.cache.set(partitionKey, shard);
    }
    return shard;
  }

  private lookup(hash: bigint): OpenShard {
    let low = 0;
    let high = this.shards.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if ((this.shards[mid] as OpenShard).startingHashKey <= hash) low = mid;
      else high = mid - 1;
    }
    return this.shards[low] as OpenShard;
  }
}

/** Every shard of a stream, open and closed, following ListShards' pagination. */
export async function listAllShards(kinesis: KinesisClient, streamName: string): Promise<Shard[]> {
  const shards: Shard[] = [];
  let nextToken: string | undefined;
  do {
    const page = await kinesis.send(
      nextToken === undefined
        ? new ListShardsCommand({ StreamName: streamName })
        : new ListShardsCommand({ NextToken: nextToken }),
    );
    shards.push(...(page.Shards ?? []));
    nextToken = page.NextToken;
  } while (nextToken !== undefined);
  return shards;
}

/** The stream's current shard map: its open shards (those with no ending sequence number). */
export async function loadShardMap(kinesis: KinesisClient, streamName: string): Promise<ShardMap> {
  const open = (await listAllShards(kinesis, streamName)).filter(
    (shard) => shard.SequenceNumberRange?.EndingSequenceNumber === undefined,
  );
  return new ShardMap(
    open.map((shard) => ({
      shardId: shard.ShardId ?? '',
      startingHashKey: BigInt(shard.HashKeyRange?.StartingHashKey ?? '0'),
      endingHashKey: BigInt(shard.HashKeyRange?.EndingHashKey ?? '0'),
      explicitHashKey: shard.HashKeyRange?.StartingHashKey ?? '0',
    })),
  );
}
