import { Logger } from '@aws-lambda-powertools/logger';
import { describe, expect, it } from 'vitest';
import { PricePublisher, type PricePublisherDeps } from '../../../app/consumer/PricePublisher';
import type { StoredPrice } from '../../../app/consumer/PriceStore';
import type { PriceChange } from '../../../processors/window/outputs';

const change: PriceChange = {
  kind: 'price',
  sku: 'ELEC-000001',
  price: 2199,
  previousPrice: 1999,
  asOf: 1_772_359_200_000,
  reason: 'demand',
  limitedBy: undefined,
  demandFactor: 1.1,
  inventoryFactor: 1,
  stats: {} as PriceChange['stats'],
};

/** A publisher over stand-ins that note what was asked of them; `cache` picks how Redis answers. */
function publisherWith(cache: PricePublisherDeps['cache'], settled = () => Promise.resolve()) {
  const noted = { flaggedAt: [] as number[], clearedAt: [] as number[], failures: 0, pricesRead: 0 };
  const publisher = new PricePublisher({
    cache,
    prices: {
      allCurrent: async function* (): AsyncGenerator<StoredPrice[]> {
        noted.pricesRead += 1;
        yield [];
      },
    },
    states: {
      flagCacheBehind: async (at) => {
        noted.flaggedAt.push(at);
      },
      clearCacheBehind: async (started) => {
        noted.clearedAt.push(started);
      },
    },
    logger: new Logger({ logLevel: 'SILENT' }),
    metrics: {
      addMetric: (name) => {
        if (name === 'CacheWriteFailures') noted.failures += 1;
      },
    },
    now: () => 42,
    settled,
  });
  return { publisher, noted };
}

const redisDown = () => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:6379'));

describe('PricePublisher', () => {
  it('flags the cache as behind instead of failing when Redis refuses a publish', async () => {
    const { publisher, noted } = publisherWith({ publish: redisDown, rebuild: redisDown });

    await expect(publisher.publish([change])).resolves.toBe(false);

    expect(noted).toMatchObject({ flaggedAt: [42], failures: 1, clearedAt: [] });
  });

  it('publishes nothing and flags nothing without changes or without a cache', async () => {
    const down = publisherWith({ publish: redisDown, rebuild: redisDown });
    const none = publisherWith(undefined);

    await expect(down.publisher.publish([])).resolves.toBe(true);
    await expect(none.publisher.publish([change])).resolves.toBe(true);

    expect([down.noted.flaggedAt, none.noted.flaggedAt]).toEqual([[], []]);
  });

  it('rebuilds only after the deferred SKU writes settle, then clears the flag', async () => {
    let release: () => void = () => {};
    const writes = new Promise<void>((resolve) => {
      release = resolve;
    });
    const { publisher, noted } = publisherWith(
      {
        publish: async () => {},
        rebuild: async (pages) => {
          let written = 0;
          for await (const page of pages) written += page.length;
          return written;
        },
      },
      () => writes,
    );

    const rebuilding = publisher.rebuild();
    await new Promise<void>((resolve) => setImmediate(resolve)); // every callback that is ready has run
    expect(noted.pricesRead).toBe(0);
    release();
    await rebuilding;

    expect(noted).toMatchObject({ pricesRead: 1, clearedAt: [42], flaggedAt: [] });
  });

  it('keeps the cache flagged when the rebuild fails', async () => {
    const { publisher, noted } = publisherWith({ publish: async () => {}, rebuild: redisDown });

    await publisher.rebuild();

    expect(noted).toMatchObject({ flaggedAt: [42], clearedAt: [], failures: 1 });
  });
});
