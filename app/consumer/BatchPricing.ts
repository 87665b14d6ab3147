import type { Logger } from '@aws-lambda-powertools/logger';
import type { KinesisStreamEvent } from 'aws-lambda';
import {
  catchError,
  concatMap,
  defer,
  from,
  lastValueFrom,
  map,
  type Observable,
  tap,
  throwError,
  toArray,
} from 'rxjs';
import type { PricingConfig } from '../../processors/config/pricingConfig';
import type { DecodedEvent } from '../../processors/events/decodedEvent';
import { createDecodeTally, type DecodeTally, decodeEach } from '../../processors/events/decodeEach';
import {
  latestEventTime,
  type RecordsRead,
  readRecords,
  shardOf,
} from '../../processors/events/decodeRecords';
import {
  findRepeats,
  findRepeatsByKey,
  type KeyRecords,
  noRecentRecords,
  type RecentRecords,
} from '../../processors/events/repeatedRecords';
import { createCoreState, priceSkus } from '../../processors/pipeline/priceSkus';
import type { DueSweep } from './DueSweep';
import { SkuNotReadError } from './errors';
import type { ParentShards } from './ParentShards';
import type { StateStore, StoredSku } from './StateStore';
import type { Batch, ConsumerMetrics } from './types';
import type { WarmSkus } from './WarmSkus';

type KinesisRecord = KinesisStreamEvent['Records'][number];

export interface BatchPricingDeps {
  readonly config: PricingConfig;
  readonly states: StateStore;
  readonly parents: ParentShards;
  readonly metrics: ConsumerMetrics;
  readonly logger: Logger;
  readonly warm: WarmSkus | undefined;
  readonly sweeper: DueSweep | undefined;
  /** How repeated records are recognised (see ConsumerDeps.repeats). */
  readonly repeats: 'shard' | 'key' | false;
  readonly now: () => number;
  /** The stored records of these SKUs, as the handler reads them; `held`: how many its container held. */
  readonly loadSkus: (
    shardId: string,
    skus: Iterable<string>,
  ) => Promise<{ loaded: Map<string, StoredSku>; held: number }>;
}

/** A batch read and its SKUs loaded, ready to price (see BatchPricing.prepare). */
export interface PreparedBatch {
  readonly shardId: string;
  /** The shard's clock, or what its parents left it on its first batch. */
  readonly clock: { readonly maxEventTime?: number; readonly nextTick?: number };
  /** The records read; `loaded` holds the stored records of the SKUs their partition keys name. */
  readonly read: RecordsRead;
  readonly loaded: Map<string, StoredSku>;
  readonly repeats: ReadonlySet<string>;
  readonly repeatedRecords: number;
  readonly recent: RecentRecords | undefined;
  readonly keyRecent: ReadonlyMap<string, KeyRecords>;
  readonly records: number;
  readonly cacheBehind: boolean;
  readonly oldestArrival: number;
  readonly startedAt: number;
  readonly early: Batch['early'];
}

/**
 * The first half of a batch's way through the consumer: read it, load what it needs, price it.
 * The records are split into user records when read and parsed only as they are priced
 * (`decodeEach`), so a batch's events die young instead of living through the young generation's
 * copies until its last is priced. The SKUs to load are therefore the user records' partition
 * keys, which the contract makes their SKUs; a batch that holds an event of another SKU is priced
 * again once that SKU is read (see `price`).
 */
export class BatchPricing {
  constructor(private readonly deps: BatchPricingDeps) {}

  /**
   * Reads the batch's records, the shard item and the records of the SKUs the partition keys
   * name (at once: one round trip fewer on every batch's way), and finds the records a producer
   * put twice. The container's records count only if it was the shard's last writer: if another
   * container wrote the shard since, they are read again from DynamoDB.
   */
  async prepare(event: KinesisStreamEvent): Promise<PreparedBatch> {
    const { states, parents, warm, loadSkus } = this.deps;
    const startedAt = this.deps.now();
    const records = event.Records;
    const shardId = shardOf(records[0] as KinesisRecord);
    const read = readRecords(records);
    const early = this.deps.sweeper?.early(shardId, latestEventTime(read));
    const [shard, first] = await Promise.all([
      states.loadShard(shardId),
      loadSkus(shardId, read.partitionKeys),
    ]);
    const current = warm?.check(shardId, shard.writer) !== false || first.held === 0;
    const { loaded } = current ? first : await loadSkus(shardId, read.partitionKeys);
    const byShard = this.deps.repeats === 'shard';
    const started =
      shard.clock.maxEventTime !== undefined && (!byShard || shard.recent.through !== undefined);
    const inherited = started ? undefined : await parents.inherited(shardId);
    const clock = shard.clock.maxEventTime === undefined ? (inherited?.clock ?? {}) : shard.clock;
    const repeated = byShard
      ? findRepeats(
          read.digests,
          shard.recent.through === undefined ? (inherited?.recent ?? noRecentRecords) : shard.recent,
        )
      : undefined;
    const repeatedByKey =
      this.deps.repeats === 'key'
        ? findRepeatsByKey(
            read.digests.map((digest, index) => ({
              ...digest,
              partitionKey: (records[index] as KinesisRecord).kinesis.partitionKey,
            })),
            shardId,
            (key) => ({
              records: loaded.get(key)?.recent,
              through: loaded.get(key)?.record.applied[shardId]?.[0],
            }),
          )
        : undefined;
    const repeats = repeated?.repeats ?? repeatedByKey?.repeats ?? new Set<string>();
    return {
      shardId,
      clock,
      read,
      loaded,
      repeats,
      repeatedRecords: repeats.size,
      recent: repeated?.recent,
      keyRecent: repeatedByKey?.recent ?? new Map(),
      records: records.length,
      cacheBehind: shard.cacheBehind,
      oldestArrival: Math.min(...records.map((record) => record.kinesis.approximateArrivalTimestamp * 1000)),
      startedAt,
      early,
    };
  }

  /**
   * Prices the batch against the records read for its partition keys, each record's events parsed
   * as they are priced. An event of a SKU that was not read (a producer that keys records
   * otherwise, an order of several SKUs put as one record) stops that before it is priced: the
   * batch is then decoded whole, the SKUs missing are read, and it is priced again from the
   * shard's clock. Nothing was stored, and pricing is a function of the events.
   */
  price(prepared: PreparedBatch): Observable<Batch> {
    const { loaded, shardId, read, repeats } = prepared;
    return defer(() => {
      const tally = createDecodeTally(read, repeats);
      const events = decodeEach(read, repeats, tally).pipe(
        tap((event) => {
          if (!read.partitionKeys.has(event.sku)) throw new SkuNotReadError(event.sku, shardId);
        }),
      );
      return this.priceEvents(prepared, events, tally);
    }).pipe(
      catchError((error: unknown) => {
        if (!(error instanceof SkuNotReadError)) return throwError(() => error);
        return defer(async () => {
          const tally = createDecodeTally(read, repeats);
          const events = await lastValueFrom(decodeEach(read, repeats, tally).pipe(toArray()));
          const missing = [...new Set(events.map((event) => event.sku))].filter(
            (sku) => !read.partitionKeys.has(sku),
          );
          const { loaded: more } = await this.deps.loadSkus(shardId, missing);
          for (const [sku, stored] of more) loaded.set(sku, stored);
          this.deps.metrics.addMetric('BatchesRepriced', 'Count', 1);
          this.deps.logger.debug(
            'batch priced again: it holds events of SKUs its partition keys do not name',
            { shardId, skus: missing.length },
          );
          return { events, tally };
        }).pipe(concatMap(({ events, tally }) => this.priceEvents(prepared, from(events), tally)));
      }),
    );
  }

  /** The batch's events priced from the shard's clock; `tally` is complete once they are all taken. */
  private priceEvents(
    prepared: PreparedBatch,
    events: Observable<DecodedEvent>,
    tally: DecodeTally,
  ): Observable<Batch> {
    const { config } = this.deps;
    return defer(() => {
      const state = createCoreState(config, prepared.clock);
      return events.pipe(
        priceSkus(config, { state, load: (sku) => prepared.loaded.get(sku)?.record }),
        toArray(),
        map(
          (outputs): Batch => ({
            ...prepared,
            state,
            outputs,
            deadLetters: tally.deadLetters,
            events: tally.events - tally.repeatedEvents,
          }),
        ),
      );
    });
  }
}
