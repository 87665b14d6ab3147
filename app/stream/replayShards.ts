import { GetRecordsCommand, GetShardIteratorCommand, type KinesisClient } from '@aws-sdk/client-kinesis';
import type { KinesisStreamRecord } from 'aws-lambda';
import { concat, concatMap, defer, EMPTY, from, mergeMap, type Observable } from 'rxjs';
import type { BacktestShard } from '../../processors/backtest/backtest';
import { createDecodeTally, decodeEach } from '../../processors/events/decodeEach';
import { readRecords } from '../../processors/events/decodeRecords';
import {
  findRepeats,
  inheritedRecords,
  noRecentRecords,
  type RecentRecords,
} from '../../processors/events/repeatedRecords';
import { lambdaRecord, type RecordSource } from './lambdaRecords';
import { hashKeyOf, listAllShards } from './shardMap';

/** A shard of a stream, its parents (after a split or a merge) and the hash keys it owns. */
export interface StreamShard {
  readonly shardId: string;
  readonly parents: readonly string[];
  readonly startingHashKey: bigint;
  readonly endingHashKey: bigint;
}

/**
 * Every shard of a stream, parents before children, as the consumer reads them. A parent past the
 * stream's retention is no longer listed: its children come first, as shards with no parent.
 */
export async function shardsParentsFirst(kinesis: KinesisClient, streamName: string): Promise<StreamShard[]> {
  const listed = (await listAllShards(kinesis, streamName)).map((shard) => ({
    shardId: shard.ShardId as string,
    parents: [shard.ParentShardId, shard.AdjacentParentShardId].filter(
      (parent): parent is string => parent !== undefined,
    ),
    startingHashKey: BigInt(shard.HashKeyRange?.StartingHashKey ?? '0'),
    endingHashKey: BigInt(shard.HashKeyRange?.EndingHashKey ?? '0'),
  }));
  const byId = new Map(listed.map((shard) => [shard.shardId, shard]));
  const ordered: StreamShard[] = [];
  const placed = new Set<string>();
  const place = (shard: StreamShard) => {
    if (placed.has(shard.shardId)) return;
    placed.add(shard.shardId);
    for (const parent of shard.parents) {
      const listedParent = byId.get(parent);
      if (listedParent !== undefined) place(listedParent);
    }
    ordered.push(shard);
  };
  for (const shard of listed) place(shard);
  return ordered;
}

/** Where a replay starts each shard: its oldest record, or its first at or after a time. */
export interface ReplayStart {
  readonly from?: Date | undefined;
}

/**
 * A shard's records, Lambda-shaped, a GetRecords page at a time: from its oldest record (or the
 * first at `from`) to its end, or, for a shard still open, to its tip.
 */
export async function* readShard(
  kinesis: KinesisClient,
  source: RecordSource,
  shardId: string,
  start: ReplayStart = {},
): AsyncGenerator<KinesisStreamRecord[]> {
  let iterator = (
    await kinesis.send(
      new GetShardIteratorCommand({
        StreamName: source.streamName,
        ShardId: shardId,
        ...(start.from === undefined
          ? { ShardIteratorType: 'TRIM_HORIZON' }
          : { ShardIteratorType: 'AT_TIMESTAMP', Timestamp: start.from }),
      }),
    )
  ).ShardIterator;
  while (iterator !== undefined) {
    const page = await kinesis.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 10_000 }));
    const records = page.Records ?? [];
    if (records.length > 0) yield records.map((record) => lambdaRecord(source, shardId, record));
    // A closed shard ends with no next iterator; an open one is read once a page comes back
    // empty at the tip.
    iterator =
      records.length === 0 && (page.MillisBehindLatest ?? 0) === 0 ? undefined : page.NextShardIterator;
  }
}

/** What a replay reports as it reads. */
export interface ReplayProgress {
  /** A shard's reading starts. */
  shard(shard: StreamShard): void;
  /** A page of a shard was read and decoded. */
  page(
    shard: StreamShard,
    read: { records: number; events: number; deadLetters: number; repeats: number },
  ): void;
}

/**
 * A stream's shards for `backtest`, parents first, each one's events decoded as the consumer
 * decodes them: undecodable records left out (the consumer's dead letters), and the copies of
 * records a producer put twice marked, with each child starting from its parents' newest records.
 */
export function replayShards(
  kinesis: KinesisClient,
  source: RecordSource,
  start: ReplayStart = {},
  progress?: ReplayProgress,
): Observable<BacktestShard> {
  return defer(() => from(shardsParentsFirst(kinesis, source.streamName))).pipe(
    mergeMap((shards) => {
      const recentOf = new Map<string, RecentRecords>();
      return shards.map((shard): BacktestShard => {
        const owns = (sku: string) => {
          const hash = hashKeyOf(sku);
          return hash >= shard.startingHashKey && hash <= shard.endingHashKey;
        };
        const events = defer(() => {
          const parents = shard.parents.flatMap((parent) => recentOf.get(parent) ?? []);
          let recent = parents.length === 0 ? noRecentRecords : inheritedRecords(parents);
          progress?.shard(shard);
          const decoded = from(readShard(kinesis, source, shard.shardId, start)).pipe(
            concatMap((records) => {
              const read = readRecords(records);
              const repeated = findRepeats(read.digests, recent);
              recent = repeated.recent;
              // Parsed as they are priced, as the consumer does (decodeEach); the page is told once done.
              const tally = createDecodeTally(read, repeated.repeats);
              const told = defer(() => {
                progress?.page(shard, {
                  records: records.length,
                  events: tally.events,
                  deadLetters: tally.deadLetters.length,
                  repeats: repeated.repeats.size,
                });
                return EMPTY;
              });
              return concat(decodeEach(read, repeated.repeats, tally), told);
            }),
          );
          const done = defer(() => {
            recentOf.set(shard.shardId, recent);
            return EMPTY;
          });
          return concat(decoded, done);
        });
        return { shardId: shard.shardId, parents: shard.parents, owns, events };
      });
    }),
  );
}
