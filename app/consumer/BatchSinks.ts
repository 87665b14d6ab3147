import type { Logger } from '@aws-lambda-powertools/logger';
import type { KeyRecords } from '../../processors/events/repeatedRecords';
import { recordsOf } from '../../processors/pipeline/priceSkus';
import type { PriceChange } from '../../processors/window/outputs';
import type { SkuRecord } from '../../processors/window/skuRecord';
import type { DeadLetterStore } from './DeadLetterStore';
import type { DeferredSkuWrites, DeferredWrite } from './DeferredSkuWrites';
import { StaleStateError } from './errors';
import type { PricePublisher } from './PricePublisher';
import { type PriceStore, type StoredPrice, storedPrice } from './PriceStore';
import type { StateStore } from './StateStore';
import type { Batch, ConsumerMetrics } from './types';
import type { WarmSkus } from './WarmSkus';

export interface BatchSinksDeps {
  readonly states: StateStore;
  readonly prices: PriceStore;
  readonly deadLetters: DeadLetterStore;
  readonly publisher: PricePublisher;
  /** Where the records of SKUs a batch only swept are queued (see DeferredSkuWrites). */
  readonly deferred: DeferredSkuWrites;
  readonly logger: Logger;
  readonly metrics: ConsumerMetrics;
  readonly warm: WarmSkus | undefined;
  readonly now: () => number;
}

/** The consumer's last stage: a priced batch stored and published (see `persist`). */
export class BatchSinks {
  /** Deferred writes stored and failed since the last batch reported them. */
  private readonly deferredOutcomes = { stored: 0, failed: 0 };

  constructor(private readonly deps: BatchSinksDeps) {}

  /** Adds the deferred writes stored and failed since the last call to the metrics. */
  reportDeferred(): void {
    const { metrics } = this.deps;
    const deferredOutcomes = this.deferredOutcomes;
    if (deferredOutcomes.stored > 0) metrics.addMetric('SkuStatesWritten', 'Count', deferredOutcomes.stored);
    if (deferredOutcomes.failed > 0) metrics.addMetric('SweptWritesFailed', 'Count', deferredOutcomes.failed);
    deferredOutcomes.stored = 0;
    deferredOutcomes.failed = 0;
  }

  /**
   * Stores the batch and publishes its price changes: dead letters, then the changes as price
   * history rows, each request's changes to the cache as soon as its rows are stored, then every
   * SKU record the batch's events touched (each conditional on its version, carrying its current
   * price), the shard clock last; the records of the SKUs it only swept are queued, to be written
   * after it answers. A price is published once the record holds it as a history row, without
   * waiting for the rest of the batch's rows or for the conditional SKU writes, the slow part.
   * That is safe because prices are a function of the events: a retry after a failure recomputes
   * the same changes, rewrites the same rows and republishes the same values, and the cache's
   * compare-and-set refuses an older one. The batch is acknowledged only after all of it.
   */
  async persist(batch: Batch): Promise<PriceChange[]> {
    const { states, prices, deadLetters, publisher, deferred, metrics, warm, now } = this.deps;
    const changes = batch.outputs.filter((output): output is PriceChange => output.kind === 'price');
    const records = new Map<string, SkuRecord>();
    for (const output of batch.outputs)
      if (output.kind === 'snapshot') records.set(output.sku, output.record);
    for (const record of recordsOf(batch.state)) records.set(record.sku, record);
    const versions = new Map([...batch.loaded].map(([sku, stored]) => [sku, stored.version]));
    const current = new Map<string, StoredPrice>();
    for (const [sku, stored] of batch.loaded) if (stored.price !== undefined) current.set(sku, stored.price);
    for (const change of changes) current.set(change.sku, storedPrice(change));
    await deadLetters.putRecords(batch.deadLetters);
    // Each request's prices are published as soon as its rows are stored, not after the last
    // request: at a tick, the first of a shard's hundreds of rows are stored long before the last.
    // After a Redis failure the rest are not tried (the cache is flagged for a rebuild already).
    let published = true;
    await prices.write(changes, async (stored) => {
      if (published) published = await publisher.publish(stored);
    });
    if (changes.length > 0) metrics.addMetric('PricesStoredMs', 'Milliseconds', now() - batch.startedAt);
    const recent = new Map<string, KeyRecords>();
    for (const sku of records.keys()) {
      const kept = batch.keyRecent.get(sku) ?? batch.loaded.get(sku)?.recent;
      if (kept !== undefined) recent.set(sku, kept);
    }
    const swept = [...records.values()].filter((record) => batch.swept?.has(record.sku));
    const touched = [...records.values()].filter((record) => !batch.swept?.has(record.sku));
    // A SKU this container swept earlier is written on top of that write: if the write is still
    // queued this one replaces it, against the version DynamoDB holds; if it failed, so does this.
    const putsStarted = now();
    const { expected, unstored } = await deferred.takeOver(touched.map((record) => record.sku));
    if (unstored !== undefined)
      throw new StaleStateError(unstored, batch.shardId, {
        cause: new Error('this container swept it, and that write was not stored'),
      });
    await states.saveSkus(touched, versions, current, batch.shardId, recent, expected);
    metrics.addMetric('SkuStatesWritten', 'Count', touched.length);
    metrics.addMetric('SkuStatesWriteMs', 'Milliseconds', now() - putsStarted);
    deferred.defer(
      swept.map((record) => this.deferredWrite(batch.shardId, record, versions, current, recent)),
    );
    warm?.remember(
      batch.shardId,
      [...records.values()].map((record) => ({
        record,
        version: (versions.get(record.sku) ?? 0) + 1,
        price: current.get(record.sku),
        recent: recent.get(record.sku),
      })),
    );
    const { maxEventTime, nextTick } = batch.state.watermark;
    await states.saveShard(
      batch.shardId,
      {
        maxEventTime: Number.isFinite(maxEventTime) ? maxEventTime : undefined,
        nextTick: Number.isFinite(nextTick) ? nextTick : undefined,
      },
      warm?.writer,
      batch.recent,
    );
    if (batch.sweptThrough !== undefined) warm?.swept(batch.shardId, batch.sweptThrough);
    if (batch.cacheBehind && published) await publisher.rebuild();
    return changes;
  }

  /** A swept SKU's record, to write after the batch is answered (see DeferredSkuWrites). */
  private deferredWrite(
    shardId: string,
    record: SkuRecord,
    versions: ReadonlyMap<string, number>,
    prices: ReadonlyMap<string, StoredPrice>,
    recent: ReadonlyMap<string, KeyRecords>,
  ): DeferredWrite {
    const { states, logger, warm } = this.deps;
    const outcomes = this.deferredOutcomes;
    return {
      sku: record.sku,
      expected: versions.get(record.sku) ?? 0,
      put: async (expected) => {
        await states.saveSkus([record], versions, prices, shardId, recent, new Map([[record.sku, expected]]));
        outcomes.stored += 1;
      },
      failed: (error) => {
        if (outcomes.failed === 0)
          logger.warn(
            'swept SKU record not stored (DynamoDB failed, or another writer came first); it stays due',
            {
              shardId,
              sku: record.sku,
              error,
            },
          );
        outcomes.failed += 1;
        // What the container holds of the shard builds on records DynamoDB does not have.
        warm?.forget(shardId);
      },
    };
  }
}
