import type { Logger } from '@aws-lambda-powertools/logger';
import type { KinesisStreamBatchResponse, KinesisStreamEvent } from 'aws-lambda';
import { catchError, concatMap, defer, lastValueFrom, of } from 'rxjs';
import type { PricingConfig } from '../../processors/config/pricingConfig';
import { shardOf } from '../../processors/events/decodeRecords';
import type { ShardLineage } from '../stream/ShardLineage';
import { BatchPricing } from './BatchPricing';
import { BatchSinks } from './BatchSinks';
import type { DeadLetterStore } from './DeadLetterStore';
import { DeferredSkuWrites } from './DeferredSkuWrites';
import { DueSweep } from './DueSweep';
import { StaleStateError } from './errors';
import { ParentShards } from './ParentShards';
import type { PriceCache } from './PriceCache';
import { PricePublisher } from './PricePublisher';
import type { PriceStore } from './PriceStore';
import { reportBatch } from './reportBatch';
import type { StateStore } from './StateStore';
import type { ConsumerMetrics } from './types';
import type { WarmSkus } from './WarmSkus';

export type { ConsumerMetrics } from './types';

export interface ConsumerDeps {
  readonly config: PricingConfig;
  readonly states: StateStore;
  readonly prices: PriceStore;
  readonly deadLetters: DeadLetterStore;
  /** The Redis cache; undefined runs without one (DynamoDB only). */
  readonly cache: PriceCache | undefined;
  readonly logger: Logger;
  readonly metrics: ConsumerMetrics;
  /** Wall clock, for latency metrics and cache flags only (never for pricing). */
  readonly now: () => number;
  /**
   * Idle SKUs brought up to the clock per batch. A tick makes every SKU it changes due at once,
   * and those past the cap wait a batch each: at 500, a store of 10,000 SKUs on 4 shards at
   * 5,000 events/s published a tick's last prices 2 s after its first. @default 5000
   */
  readonly sweepLimit?: number;
  /**
   * Sweep idle SKUs at all. Off when a shard is read by several concurrent batches (a
   * parallelization factor above 1): a lane cannot tell another lane's SKUs, and sweeping one
   * could price a tick before that lane applied an earlier event. Idle SKUs then catch up when
   * they next sell. @default true
   */
  readonly sweep?: boolean;
  /**
   * Recognise records a producer put twice and apply their events once: `shard` keeps the digests
   * of the shard's newest records in its item (`findRepeats`); `key`, for a parallelization factor
   * above 1 (lanes would overwrite each other's digests in the shard item), keeps those of the
   * newest records put under each SKU as partition key, with the SKU (`findRepeatsByKey`).
   * @default 'shard'
   */
  readonly repeats?: 'shard' | 'key' | false;
  /**
   * Where a shard came from. With it, a batch also sweeps the idle SKUs its parent shards left
   * (those that hash into this shard), so their prices decay after a reshard too.
   */
  readonly lineage?: ShardLineage;
  /**
   * SKU records kept between batches, so a warm container reads only the SKUs it does not hold.
   * Only with one batch at a time per shard. @default none: every batch reads its SKUs
   */
  readonly warm?: WarmSkus;
}

/**
 * Puts a container keeps in flight for the records of SKUs its batches only swept, written after
 * those batches are answered: half the 32 of a batch's own SKU puts, so that the requests of the
 * batches after it, a tick's history rows above all, do not queue behind a tick's sweep.
 */
const sweptWriteConcurrency = 16;

/** The consumer's Lambda handler, and a way to wait for the SKU records it writes after answering. */
export interface ConsumerHandler {
  (event: KinesisStreamEvent): Promise<KinesisStreamBatchResponse>;
  /**
   * Resolves once every swept SKU record the handler wrote after acknowledging its batch is
   * stored or given up (see DeferredSkuWrites): for a clean stop, and before reading the state.
   */
  settled(): Promise<void>;
}

/**
 * The consumer: a Lambda handler for a Kinesis event source mapping with ReportBatchItemFailures.
 *
 * One RxJS pipeline per batch: read the records (base64, KPL de-aggregation) → load the shard's
 * clock and the records of the SKUs their partition keys name (those a warm container holds are
 * not read again, see WarmSkus) → decode each record's events as they are priced (`priceSkus`;
 * bad records become dead letters; see BatchPricing) → catch up idle SKUs that are due
 * (`sweepSkus`) → persist,
 * in this order: dead letters, price history (each request's changes to the Redis cache once its
 * rows are stored), the SKU records (conditional on their versions, carrying their current
 * prices), the shard clock. Only when DynamoDB holds the batch is it acknowledged, but for the
 * records of SKUs only swept, which are written after (DeferredSkuWrites); any failure
 * before reports the batch's first record, and Lambda retries from there, which is harmless (each
 * SKU applies a stream position once). A Redis failure does not fail the batch: it flags the
 * cache as behind, and a later batch rebuilds it.
 */
export function createHandler(deps: ConsumerDeps): ConsumerHandler {
  const { config, states, prices, deadLetters, cache, logger, metrics, warm, now } = deps;
  /** Swept SKU records are written after the batch is acknowledged (see DeferredSkuWrites). */
  const deferred = new DeferredSkuWrites(sweptWriteConcurrency);
  /**
   * The stored records of these SKUs: those the container holds for the shard, the rest read.
   * `held` is how many of them the container held.
   */
  const loadSkus = async (shardId: string, skus: Iterable<string>) => {
    const { held, missing } = warm?.take(shardId, skus) ?? { held: new Map(), missing: [...skus] };
    // What is read is caught up to the clock again: a swept record not yet written is not needed.
    await deferred.cancel(missing);
    const loaded = await states.loadSkus(missing);
    deferred.reread(missing);
    metrics.addMetric('SkuStatesRead', 'Count', missing.length);
    metrics.addMetric('SkuStatesHeld', 'Count', held.size);
    for (const [sku, stored] of held) loaded.set(sku, stored);
    return { loaded, held: held.size };
  };
  const parents = new ParentShards(states, deps.lineage);
  const sweeper =
    deps.sweep === false
      ? undefined
      : new DueSweep({ config, states, parents, metrics, warm, limit: deps.sweepLimit ?? 5000, loadSkus });
  const pricing = new BatchPricing({
    config,
    states,
    parents,
    metrics,
    logger,
    warm,
    sweeper,
    repeats: deps.repeats ?? 'shard',
    now,
    loadSkus,
  });
  const publisher = new PricePublisher({
    cache,
    prices,
    states,
    logger,
    metrics,
    now,
    settled: () => deferred.settled(),
  });

  const sinks = new BatchSinks({
    states,
    prices,
    deadLetters,
    publisher,
    deferred,
    logger,
    metrics,
    warm,
    now,
  });

  const handle = (event: KinesisStreamEvent): Promise<KinesisStreamBatchResponse> => {
    if (event.Records.length === 0) return Promise.resolve({ batchItemFailures: [] });
    const firstRecord = event.Records[0] as KinesisStreamEvent['Records'][number];
    const first = firstRecord.kinesis.sequenceNumber;
    return lastValueFrom(
      defer(() => pricing.prepare(event)).pipe(
        concatMap((prepared) => pricing.price(prepared)),
        concatMap((batch) => sweeper?.sweep(batch) ?? of(batch)),
        concatMap(async (batch) => {
          const changes = await sinks.persist(batch);
          sinks.reportDeferred();
          reportBatch(metrics, logger, batch, changes, now());
          return { batchItemFailures: [] };
        }),
        catchError((error: unknown) => {
          // Another writer got to a SKU first (a reshard's sibling shard, a duplicate invocation):
          // expected, and harmless on retry. Anything else is an error.
          if (error instanceof StaleStateError)
            logger.warn('batch retried: another writer changed a SKU it read', {
              sku: error.sku,
              sequenceNumber: first,
            });
          else
            logger.error('batch failed; it will be retried from its first record', {
              error,
              sequenceNumber: first,
            });
          metrics.addMetric('BatchFailures', 'Count', 1);
          // What the container held of the shard may be ahead of or behind the store now.
          warm?.forget(shardOf(firstRecord));
          return of({ batchItemFailures: [{ itemIdentifier: first }] });
        }),
      ),
    );
  };
  const settled = async () => {
    await deferred.settled();
    sinks.reportDeferred();
  };
  return Object.assign(handle, { settled });
}
