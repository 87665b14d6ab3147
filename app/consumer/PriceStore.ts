import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { PriceChange } from '../../processors/window/outputs';
import { documentClient, putAll } from '../stores/documents';

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

const historyKey = (asOf: number) => `h#${String(asOf).padStart(15, '0')}`;

export function storedPrice(change: PriceChange): StoredPrice {
  const { kind: _, ...price } = change;
  return price;
}

/**
 * Prices in DynamoDB, the record: per SKU one item per change, keyed by the event time the price
 * is as of (`h#` and the as-of time). The current price is the newest item, so an older price can
 * never stand over a newer one, and writes need no condition: the same change written twice (a
 * retry, a replay) is the same item.
 */
export class PriceStore {
  private readonly documents: DynamoDBDocumentClient;

  constructor(
    dynamo: DynamoDBClient,
    private readonly table: string,
  ) {
    this.documents = documentClient(dynamo);
  }

  /** Writes a batch's changes as history rows, 25 to a request, requests in parallel. Idempotent. */
  async write(changes: readonly PriceChange[]): Promise<void> {
    await putAll(
      this.documents,
      this.table,
      changes.map((change) => ({ ...storedPrice(change), version: historyKey(change.asOf) })),
    );
  }

  /** A SKU's current price: its newest history row, or undefined. */
  async current(sku: string): Promise<StoredPrice | undefined> {
    const page = await this.documents.send(
      new QueryCommand({
        TableName: this.table,
        KeyConditionExpression: 'sku = :sku AND begins_with(version, :history)',
        ExpressionAttributeValues: { ':sku': sku, ':history': 'h#' },
        ScanIndexForward: false,
        Limit: 1,
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

  /**
   * Every SKU's current price (its newest history row), a page of SKUs at a time, for rebuilding
   * the cache. Reads the whole table: an operator's repair, not a hot path.
   */
  async *allCurrent(): AsyncGenerator<StoredPrice[]> {
    const newest = new Map<string, StoredPrice>();
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.documents.send(
        new ScanCommand({ TableName: this.table, ExclusiveStartKey: start }),
      );
      for (const item of (page.Items ?? []) as StoredPrice[]) {
        const seen = newest.get(item.sku);
        if (seen === undefined || seen.asOf < item.asOf) newest.set(item.sku, item);
      }
      start = page.LastEvaluatedKey;
    } while (start !== undefined);
    const prices = [...newest.values()];
    for (let index = 0; index < prices.length; index += 500) yield prices.slice(index, index + 500);
  }
}
