import type { Logger } from '@aws-lambda-powertools/logger';
import type { PriceChange } from '../../processors/window/outputs';
import type { PriceCache } from './PriceCache';
import type { PriceStore } from './PriceStore';
import type { StateStore } from './StateStore';
import type { ConsumerMetrics } from './types';

export interface PricePublisherDeps {
  /** The Redis cache; undefined runs without one (DynamoDB only). */
  readonly cache: Pick<PriceCache, 'publish' | 'rebuild'> | undefined;
  /** Where a rebuild reads the current prices. */
  readonly prices: Pick<PriceStore, 'allCurrent'>;
  /** Where the cache is flagged as behind. */
  readonly states: Pick<StateStore, 'flagCacheBehind' | 'clearCacheBehind'>;
  readonly logger: Logger;
  readonly metrics: ConsumerMetrics;
  /** Wall clock, for the cache flag. */
  readonly now: () => number;
  /** Resolves once the SKU records written after their batches are stored (see DeferredSkuWrites). */
  readonly settled: () => Promise<void>;
}

/**
 * Keeps the Redis cache with DynamoDB: publishes stored price changes to it, and when Redis fails
 * flags the cache as behind (in DynamoDB, so any container sees it) instead of failing the batch;
 * a later batch rebuilds it from DynamoDB's current prices and clears the flag.
 */
export class PricePublisher {
  constructor(private readonly deps: PricePublisherDeps) {}

  /** Publishes stored changes; returns whether Redis took them (if not, the cache is flagged). */
  async publish(changes: readonly PriceChange[]): Promise<boolean> {
    const { cache } = this.deps;
    if (cache === undefined || changes.length === 0) return true;
    const started = this.deps.now();
    try {
      await cache.publish(changes);
      return true;
    } catch (error) {
      await this.missed(error, started);
      return false;
    }
  }

  /** Rebuilds a cache flagged as behind from DynamoDB, and clears the flag. */
  async rebuild(): Promise<void> {
    const { cache, states, logger } = this.deps;
    if (cache === undefined) return;
    const started = this.deps.now();
    try {
      await this.deps.settled(); // so that the current prices it reads include the swept SKUs'
      const rebuilt = await cache.rebuild(this.deps.prices.allCurrent());
      await states.clearCacheBehind(started);
      logger.info('price cache rebuilt from DynamoDB', { prices: rebuilt });
    } catch (error) {
      await this.missed(error, started);
    }
  }

  private async missed(error: unknown, started: number): Promise<void> {
    const { metrics, logger, states } = this.deps;
    metrics.addMetric('CacheWriteFailures', 'Count', 1);
    logger.warn('price cache not updated; DynamoDB holds the prices and the cache will be rebuilt', {
      error,
    });
    await states.flagCacheBehind(started);
  }
}
