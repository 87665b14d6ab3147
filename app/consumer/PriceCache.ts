import type { Redis } from 'ioredis';
import type { PriceChange } from '../../processors/window/outputs';
import { type StoredPrice, storedPrice } from './PriceStore';

/**
 * Writes a price only if it is not older than the cached one (compare-and-set on `asOf`), and
 * publishes it. Same `asOf` is written again: a retried batch is harmless.
 */
const setPriceScript = `
local cached = redis.call('HGET', KEYS[1], 'asOf')
if cached and tonumber(cached) > tonumber(ARGV[1]) then return 0 end
redis.call('HSET', KEYS[1], 'price', ARGV[2], 'asOf', ARGV[1], 'reason', ARGV[3], 'detail', ARGV[4])
redis.call('PUBLISH', ARGV[5], ARGV[4])
return 1
`;

interface PriceCommands {
  pricestreamSetPrice(
    key: string,
    asOf: number,
    price: number,
    reason: string,
    detail: string,
    channel: string,
  ): Promise<number>;
}

/**
 * The live price cache the storefront reads: a hash `{prefix}price:{sku}` per SKU (price, asOf,
 * reason, detail) and a channel `{prefix}prices` that carries each change as JSON. A cache only:
 * DynamoDB is the record, and `rebuild` restores the cache from it.
 */
export class PriceCache {
  readonly channel: string;

  constructor(
    private readonly redis: Redis,
    private readonly prefix = 'pricestream:',
  ) {
    this.channel = `${prefix}prices`;
    if (!('pricestreamSetPrice' in redis))
      redis.defineCommand('pricestreamSetPrice', { numberOfKeys: 1, lua: setPriceScript });
  }

  key(sku: string): string {
    return `${this.prefix}price:${sku}`;
  }

  /** Writes each SKU's newest change of a batch and publishes it, in one pipeline. Throws if Redis fails. */
  async publish(changes: readonly (PriceChange | StoredPrice)[]): Promise<void> {
    if (changes.length === 0) return;
    const newest = new Map<string, StoredPrice>();
    for (const change of changes) {
      const seen = newest.get(change.sku);
      if (seen === undefined || seen.asOf <= change.asOf)
        newest.set(change.sku, 'kind' in change ? storedPrice(change) : change);
    }
    const pipeline = this.redis.pipeline() as unknown as PriceCommands & {
      exec(): Promise<[Error | null, unknown][] | null>;
    };
    for (const price of newest.values()) {
      pipeline.pricestreamSetPrice(
        this.key(price.sku),
        price.asOf,
        price.price,
        price.reason,
        JSON.stringify(price),
        this.channel,
      );
    }
    const results = await pipeline.exec();
    const failed = results?.find(([error]) => error !== null);
    if (results === null || failed !== undefined)
      throw failed?.[0] ?? new Error('Redis pipeline was discarded');
  }

  /** A SKU's cached price, or undefined. */
  async get(sku: string): Promise<StoredPrice | undefined> {
    const detail = await this.redis.hget(this.key(sku), 'detail');
    return detail === null ? undefined : (JSON.parse(detail) as StoredPrice);
  }

  /** The cached prices of several SKUs in one round trip, those with none left out. */
  async getMany(skus: readonly string[]): Promise<StoredPrice[]> {
    if (skus.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const sku of skus) pipeline.hget(this.key(sku), 'detail');
    const results = (await pipeline.exec()) ?? [];
    const failed = results.find(([error]) => error !== null);
    if (failed !== undefined) throw failed[0];
    return results.flatMap(([, detail]) =>
      typeof detail === 'string' ? [JSON.parse(detail) as StoredPrice] : [],
    );
  }

  /** Restores the cache from the record, page by page, telling `onPage` the prices written so far; returns how many. */
  async rebuild(
    pages: AsyncIterable<readonly StoredPrice[]>,
    onPage?: (written: number) => void,
  ): Promise<number> {
    let written = 0;
    for await (const page of pages) {
      await this.publish(page);
      written += page.length;
      onPage?.(written);
    }
    return written;
  }
}
