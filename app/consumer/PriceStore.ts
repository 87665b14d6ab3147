import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, paginateQuery, paginateScan } from '@aws-sdk/lib-dynamodb';
import type { PriceChange } from '../../processors/window/outputs';
import { documentClient, jsonAttribute, putAll } from '../stores/documents';

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
const dayMs = 86_400_000;

/** The history rows' DynamoDB TTL attribute (epoch seconds), set when a TTL is configured. */
export const historyExpiry = 'expiresAt';

export interface PriceTables {
  /** History rows, `sku` + `version`. */
  readonly prices: string;
  /** SKU state items, which carry each SKU's current price (see StateStore.saveSkus). */
  readonly state: string;
}

export function storedPrice(change: PriceChange): StoredPrice {
  const { kind: _, ...price } = change;
  return price;
}

/**
 * Prices in DynamoDB, the record. History: per SKU one row per change, keyed by the event time the
 * price is as of (`h#` and the as-of time); the same change written twice (a retry, a replay) is
 * the same row, so writes need no condition. With `historyTtlDays`, rows expire that many days
 * after their as-of time. The current price is not a history row (it would expire): it is the
 * `price` attribute of the SKU's state item (one JSON string, see `jsonAttribute`), written in the
 * same conditional put as the SKU's windows, so an older price can never stand over a newer one.
 */
export class PriceStore {
  private readonly documents: DynamoDBDocumentClient;

  constructor(
    private readonly dynamo: DynamoDBClient,
    private readonly tables: PriceTables,
    private readonly options: { readonly historyTtlDays?: number | undefined } = {},
  ) {
    this.documents = documentClient(dynamo);
  }

  /**
   * Writes a batch's changes as history rows, 25 to a request, requests in parallel. Idempotent.
   * `stored`, if given, is told the changes of each request once their rows are stored.
   */
  async write(
    changes: readonly PriceChange[],
    stored?: (changes: readonly PriceChange[]) => Promise<void>,
  ): Promise<void> {
    const ttl = this.options.historyTtlDays;
    await putAll(
      this.dynamo,
      this.tables.prices,
      changes.map((change) => ({
        ...storedPrice(change),
        version: historyKey(change.asOf),
        ...(ttl === undefined ? {} : { [historyExpiry]: Math.floor((change.asOf + ttl * dayMs) / 1000) }),
      })),
      stored === undefined ? {} : { stored: (start, end) => stored(changes.slice(start, end)) },
    );
  }

  /** A SKU's current price, or undefined before its first. */
  async current(sku: string): Promise<StoredPrice | undefined> {
    const item = await this.documents.send(
      new GetCommand({ TableName: this.tables.state, Key: { sku }, ProjectionExpression: 'price' }),
    );
    return jsonAttribute<StoredPrice | undefined>(item.Item?.price);
  }

  /** A SKU's price history (the rows not expired), oldest first. */
  async history(sku: string): Promise<StoredPrice[]> {
    const items: StoredPrice[] = [];
    const pages = paginateQuery(
      { client: this.documents },
      {
        TableName: this.tables.prices,
        KeyConditionExpression: 'sku = :sku AND begins_with(version, :history)',
        ExpressionAttributeValues: { ':sku': sku, ':history': 'h#' },
      },
    );
    for await (const page of pages) items.push(...((page.Items ?? []) as StoredPrice[]));
    return items;
  }

  /**
   * Every SKU's current price, a page at a time, for rebuilding the cache. Reads the whole state
   * table: an operator's repair, not a hot path.
   */
  async *allCurrent(): AsyncGenerator<StoredPrice[]> {
    const pages = paginateScan(
      { client: this.documents },
      {
        TableName: this.tables.state,
        ProjectionExpression: 'price',
        FilterExpression: 'attribute_exists(price)',
      },
    );
    for await (const page of pages) {
      const prices = (page.Items ?? []).map((item) => jsonAttribute<StoredPrice>(item.price));
      if (prices.length > 0) yield prices;
    }
  }
}
