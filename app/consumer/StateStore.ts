import { ConditionalCheckFailedException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  type BatchGetCommandOutput,
  DeleteCommand,
  type DynamoDBDocumentClient,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import {
  type KeyRecords,
  noRecentRecords,
  type RecentRecords,
} from '../../processors/events/repeatedRecords';
import type { SkuRecord } from '../../processors/window/skuRecord';
import { DynamoWireClient } from '../stores/DynamoWireClient';
import { documentClient, jsonAttribute } from '../stores/documents';
import { chunked, forEachConcurrently } from '../stores/forEachConcurrently';
import { dueIndex, dueKey, dueKeyAfter } from '../stores/tableSpecs';
import { StaleStateError } from './errors';
import type { StoredPrice } from './PriceStore';

/** A SKU's stored record, its current price, and the version it was read at (0: not stored yet). */
export interface StoredSku {
  readonly record: SkuRecord;
  readonly version: number;
  readonly price?: StoredPrice | undefined;
  /** With lanes: the newest records put under this SKU as partition key (see `findRepeatsByKey`). */
  readonly recent?: KeyRecords | undefined;
}

/** A shard's event-time clock as stored: absent fields mean "not started". */
export interface ShardClock {
  readonly maxEventTime?: number | undefined;
  readonly nextTick?: number | undefined;
}

const shardKey = (shardId: string) => `#shard#${shardId}`;
const cacheFlagKey = '#cache';
const getLimit = 100;
const readConcurrency = 16;
const writeConcurrency = 32;

/**
 * The consumer's state in DynamoDB: one item per SKU (its record and its current price, each one
 * JSON string (see `jsonAttribute`), a version for conditional writes, and its place in the due
 * index while it is active), one per shard (its clock and the
 * digests of its newest records, see `findRepeats`), and a
 * flag saying the Redis cache missed updates. Per-item atomicity only: every write is conditional
 * on what was read, so no transaction is needed (dynalite has none).
 */
export class StateStore {
  private readonly documents: DynamoDBDocumentClient;
  /** For the conditional SKU puts, one per changed SKU per batch: see DynamoWireClient. */
  private readonly wire: DynamoWireClient;

  constructor(
    dynamo: DynamoDBClient,
    private readonly table: string,
  ) {
    this.documents = documentClient(dynamo);
    this.wire = DynamoWireClient.of(dynamo);
  }

  /**
   * The stored records of these SKUs, 100 a request, up to 16 requests in flight, retrying
   * unprocessed keys. Bounded: a replay's batch can touch tens of thousands of SKUs, and hundreds
   * of requests sent at once queue behind each other until the last pass the client's timeout.
   */
  async loadSkus(skus: Iterable<string>): Promise<Map<string, StoredSku>> {
    const found = new Map<string, StoredSku>();
    const all = [...new Set(skus)];
    await forEachConcurrently(chunked(all, getLimit), readConcurrency, async (chunk) => {
      let keys: Record<string, unknown>[] | undefined = chunk.map((sku) => ({ sku }));
      while (keys !== undefined && keys.length > 0) {
        const page: BatchGetCommandOutput = await this.documents.send(
          new BatchGetCommand({ RequestItems: { [this.table]: { Keys: keys, ConsistentRead: true } } }),
        );
        for (const item of page.Responses?.[this.table] ?? []) {
          found.set(item.sku as string, {
            record: jsonAttribute<SkuRecord>(item.record),
            version: item.version as number,
            price: jsonAttribute<StoredPrice | undefined>(item.price),
            recent: jsonAttribute<KeyRecords | undefined>(item.recent),
          });
        }
        keys = page.UnprocessedKeys?.[this.table]?.Keys;
      }
    });
    return found;
  }

  /**
   * Writes SKU records with their current prices, each conditional on the version it was read at;
   * a SKU another writer changed meanwhile fails with StaleStateError. Active SKUs are indexed
   * under their `dueAt` (see `dueKey`). `recent`: the newest records put under each SKU as
   * partition key, kept with lanes (see `findRepeatsByKey`). `expected`: for a SKU whose record
   * builds on one not stored yet, the version DynamoDB holds, to write against instead (the new
   * version is still one past `versions`'; see DeferredSkuWrites).
   */
  async saveSkus(
    records: readonly SkuRecord[],
    versions: ReadonlyMap<string, number>,
    prices: ReadonlyMap<string, StoredPrice>,
    shardId: string,
    recent: ReadonlyMap<string, KeyRecords> = new Map(),
    expected: ReadonlyMap<string, number> = new Map(),
  ): Promise<void> {
    const write = async (record: SkuRecord) => {
      const version = versions.get(record.sku) ?? 0;
      const stored = expected.get(record.sku) ?? version;
      const due = record.windows !== undefined && record.dueAt !== undefined;
      try {
        await this.wire.send('PutItem', {
          TableName: this.table,
          Item: marshall(
            {
              sku: record.sku,
              version: version + 1,
              record: JSON.stringify(record),
              price: prices.has(record.sku) ? JSON.stringify(prices.get(record.sku)) : undefined,
              recent: recent.has(record.sku) ? JSON.stringify(recent.get(record.sku)) : undefined,
              ...(due ? { dueShard: shardId, dueKey: dueKey(record.dueAt as number, record.sku) } : {}),
            },
            { removeUndefinedValues: true },
          ),
          // The legacy form of `attribute_not_exists(sku)` / `version = :version`: DynamoDB takes
          // both alike, and dynalite skips parsing an expression on every put (see README
          // Performance).
          Expected: stored === 0 ? { sku: { Exists: false } } : { version: { Value: { N: String(stored) } } },
        });
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException)
          throw new StaleStateError(record.sku, shardId, { cause: error });
        throw error;
      }
    };
    await forEachConcurrently(records, writeConcurrency, write);
  }

  /**
   * SKUs of a shard due at or before `upTo`, oldest first, at most `limit`. One page: the index
   * holds keys only (about 100 bytes an entry), so the sweep's cap is far inside a 1 MB page.
   */
  async dueSkus(shardId: string, upTo: number, limit: number): Promise<string[]> {
    const page = await this.documents.send(
      new QueryCommand({
        TableName: this.table,
        IndexName: dueIndex,
        KeyConditionExpression: 'dueShard = :shard AND dueKey < :after',
        ExpressionAttributeValues: { ':shard': shardId, ':after': dueKeyAfter(upTo) },
        Limit: limit,
      }),
    );
    return (page.Items ?? []).map((item) => item.sku as string);
  }

  /**
   * A shard's clock, its newest records' digests, the stamp of the container that last wrote it
   * (see WarmSkus), and whether the cache is flagged as behind, in one read.
   */
  async loadShard(shardId: string): Promise<{
    clock: ShardClock;
    recent: RecentRecords;
    writer: string | undefined;
    cacheBehind: boolean;
  }> {
    const page = await this.documents.send(
      new BatchGetCommand({
        RequestItems: {
          [this.table]: { Keys: [{ sku: shardKey(shardId) }, { sku: cacheFlagKey }], ConsistentRead: true },
        },
      }),
    );
    const items = page.Responses?.[this.table] ?? [];
    const shard = items.find((item) => item.sku === shardKey(shardId));
    return {
      clock: {
        maxEventTime: shard?.maxEventTime as number | undefined,
        nextTick: shard?.nextTick as number | undefined,
      },
      recent:
        typeof shard?.recentThrough === 'string'
          ? {
              through: shard.recentThrough,
              digests: typeof shard.recentDigests === 'string' ? shard.recentDigests.split(',') : [],
            }
          : noRecentRecords,
      writer: shard?.writer as string | undefined,
      cacheBehind: items.some((item) => item.sku === cacheFlagKey),
    };
  }

  /**
   * Moves a shard's clock forward, never back (a slower retry or another lane leaves it as is),
   * with the digests of its newest records, if given; and stamps the shard with its `writer`, if
   * given, either way. A batch with no event to start the clock saves only the digests.
   */
  async saveShard(
    shardId: string,
    clock: ShardClock,
    writer?: string,
    recent?: RecentRecords,
  ): Promise<void> {
    const key = { sku: shardKey(shardId) };
    const stamp = writer === undefined ? {} : { ':writer': writer };
    const digests =
      recent?.through === undefined
        ? undefined
        : { ':through': recent.through, ':digests': recent.digests.join(',') };
    const setDigests = digests === undefined ? [] : ['recentThrough = :through', 'recentDigests = :digests'];
    if (clock.maxEventTime === undefined) {
      if (digests !== undefined)
        await this.documents.send(
          new UpdateCommand({
            TableName: this.table,
            Key: key,
            UpdateExpression: `SET ${setDigests.join(', ')}`,
            ExpressionAttributeValues: digests,
          }),
        );
      return;
    }
    try {
      await this.documents.send(
        new UpdateCommand({
          TableName: this.table,
          Key: key,
          UpdateExpression: `SET ${[
            'maxEventTime = :max',
            'nextTick = :next',
            ...setDigests,
            ...(writer === undefined ? [] : ['writer = :writer']),
          ].join(', ')}`,
          ConditionExpression: 'attribute_not_exists(maxEventTime) OR maxEventTime <= :max',
          ExpressionAttributeValues: {
            ':max': clock.maxEventTime,
            ':next': clock.nextTick ?? null,
            ...digests,
            ...stamp,
          },
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      if (writer === undefined) return;
      await this.documents.send(
        new UpdateCommand({
          TableName: this.table,
          Key: key,
          UpdateExpression: 'SET writer = :writer',
          ExpressionAttributeValues: stamp,
        }),
      );
    }
  }

  /**
   * Flags that the cache missed an update at `at` (wall-clock ms) and must be rebuilt. The newest
   * miss wins, so a rebuild that started before it cannot clear the flag.
   */
  async flagCacheBehind(at: number): Promise<void> {
    await this.documents.send(
      new PutCommand({ TableName: this.table, Item: { sku: cacheFlagKey, since: at } }),
    );
  }

  /** Clears the flag after a rebuild that started after it was raised. */
  async clearCacheBehind(rebuildStarted: number): Promise<void> {
    await this.documents
      .send(
        new DeleteCommand({
          TableName: this.table,
          Key: { sku: cacheFlagKey },
          ConditionExpression: 'since <= :started',
          ExpressionAttributeValues: { ':started': rebuildStarted },
        }),
      )
      .catch((error: unknown) => {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      });
  }
}
