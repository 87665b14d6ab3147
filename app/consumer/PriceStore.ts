import { ConditionalCheckFailedException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  BatchWriteCommand,
  type BatchWriteCommandOutput,
  DynamoDBDocumentClient,
  PutCommand,
  QueryCommand,
  ScanCommand,
} from '@aws-sdk/lib-dynamodb';
import type { PriceChange } from '../../processors/window/outputs';

/** A SKU's price as stored and served: the change that set it. */
export interface StoredPrice {
  readonly sku: string;
  readonly price: number;
  readonly previousPrice?: number | undefined;
  readonly asOf: number;
  readonly reason: string;
  readonly limitedBy?: string | undefined;
  readonly demandFactor: number;
  readonly inventoryFactor: number;
  readonly stats: PriceChange['stats'];
}

const current = 'current';
const historyKey = (asOf: number) => `h#${String(asOf).padStart(15, '0')}`;
const batchLimit = 25;

export function storedPrice(change: PriceChange): StoredPrice {
  const { kind: _, ...price } = change;
  return price;
}

/**
 * Prices in DynamoDB, the record: per SKU a `current` item and a history item per change, keyed
 * by the event time the price is as of. History writes are idempotent (same key, same content on a
 * retry or replay); the current item is written only if it is not newer than what is written, so
 * an older price never overwrites a newer one.
 */
export class PriceStore {
  private readonly documents: DynamoDBDocumentClient;

  constructor(
    dynamo: DynamoDBClient,
    private readonly table: string,
  ) {
    this.documents = DynamoDBDocumentClient.from(dynamo, {
      marshallOptions: { removeUndefinedValues: true },
    });
  }

  /** Writes a batch's changes: all history rows, then one current row per SKU (its newest change). */
  async write(changes: readonly PriceChange[]): Promise<void> {
    if (changes.length === 0) return;
    const rows = changes.map((change) => ({
      PutRequest: { Item: { ...storedPrice(change), version: historyKey(change.asOf) } },
    }));
    for (let start = 0; start < rows.length; start += batchLimit) {
      let pending: BatchWriteCommandOutput['UnprocessedItems'] = {
        [this.table]: rows.slice(start, start + batchLimit),
      };
      while (pending?.[this.table]?.length) {
        const result: BatchWriteCommandOutput = await this.documents.send(
          new BatchWriteCommand({ RequestItems: pending }),
        );
        pending = result.UnprocessedItems;
      }
    }
    const newest = new Map<string, PriceChange>();
    for (const change of changes) {
      const seen = newest.get(change.sku);
      if (seen === undefined || seen.asOf <= change.asOf) newest.set(change.sku, change);
    }
    await Promise.all([...newest.values()].map((change) => this.writeCurrent(change)));
  }

  private async writeCurrent(change: PriceChange): Promise<void> {
    try {
      await this.documents.send(
        new PutCommand({
          TableName: this.table,
          Item: { ...storedPrice(change), version: current },
          ConditionExpression: 'attribute_not_exists(asOf) OR asOf <= :asOf',
          ExpressionAttributeValues: { ':asOf': change.asOf },
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error; // a newer price is there: keep it
    }
  }

  /** A SKU's current price, or undefined. */
  async current(sku: string): Promise<StoredPrice | undefined> {
    const page = await this.documents.send(
      new QueryCommand({
        TableName: this.table,
        KeyConditionExpression: 'sku = :sku AND version = :current',
        ExpressionAttributeValues: { ':sku': sku, ':current': current },
      }),
    );
    return page.Items?.[0] as StoredPrice | undefined;
  }

  /** A SKU's price history, oldest first. */
  async history(sku: string): Promise<StoredPrice[]> {
    const items: StoredPrice[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.documents.send(
        new QueryCommand({
          TableName: this.table,
          KeyConditionExpression: 'sku = :sku AND begins_with(version, :history)',
          ExpressionAttributeValues: { ':sku': sku, ':history': 'h#' },
          ExclusiveStartKey: start,
        }),
      );
      items.push(...((page.Items ?? []) as StoredPrice[]));
      start = page.LastEvaluatedKey;
    } while (start !== undefined);
    return items;
  }

  /** Every SKU's current price, page by page (for rebuilding the cache). */
  async *allCurrent(): AsyncGenerator<StoredPrice[]> {
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.documents.send(
        new ScanCommand({
          TableName: this.table,
          FilterExpression: 'version = :current',
          ExpressionAttributeValues: { ':current': current },
          ExclusiveStartKey: start,
        }),
      );
      yield (page.Items ?? []) as StoredPrice[];
      start = page.LastEvaluatedKey;
    } while (start !== undefined);
  }
}
