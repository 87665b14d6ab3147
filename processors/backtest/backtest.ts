import {
  concat,
  concatMap,
  connect,
  defer,
  EMPTY,
  from,
  merge,
  mergeMap,
  type Observable,
  type OperatorFunction,
  of,
  tap,
} from 'rxjs';
import type { PricingConfig } from '../config/pricingConfig';
import { type DecodedEvent, decodedEvent } from '../events/decodedEvent';
import { eventTimeOf } from '../events/eventTime';
import type { StreamEvent } from '../events/schema';
import { splitBySku } from '../events/splitBySku';
import { createCoreState, priceSkus, recordsOf, sweepSkus } from '../pipeline/priceSkus';
import type { CoreOutput, PriceChange } from '../window/outputs';
import type { SkuRecord } from '../window/skuRecord';
import { type BacktestSummary, createTally, summaryOf, tallyEvent, tallyOutput } from './backtestTally';

/** A config under test and the name it is reported by. */
export interface BacktestConfig {
  readonly label: string;
  readonly config: PricingConfig;
}

/** What a backtest emits: each config's price changes as they happen, then each config's summary. */
export type BacktestOutput =
  | { readonly kind: 'price'; readonly label: string; readonly change: PriceChange }
  | { readonly kind: 'summary'; readonly label: string; readonly summary: BacktestSummary };

/**
 * One shard's events, and what it takes over from the shards it was split or merged from. Shards
 * come parents first, as the consumer reads them.
 */
export interface BacktestShard {
  readonly shardId: string;
  /** The shards this one was split or merged from; those not given before it are left out. */
  readonly parents: readonly string[];
  /** Whether a SKU hashes into this shard: its parents' SKUs that still have orders in their windows go on here. */
  readonly owns: (sku: string) => boolean;
  /** The shard's per-SKU events, in stream order. */
  readonly events: Observable<DecodedEvent>;
}

/** The shard a file's events are read as coming from: one partition, in the order given. */
export const backtestShard = 'backtest';

/**
 * Events from a file or a generator as one shard: a sequence number per event, a sub-sequence
 * number per SKU it is split into (an order spanning several SKUs is split, as producers put it).
 */
export function asOneShard(): OperatorFunction<StreamEvent, BacktestShard> {
  return (events) =>
    of({
      shardId: backtestShard,
      parents: [],
      owns: () => true,
      events: defer(() => {
        let sequence = 0;
        return events.pipe(
          mergeMap((event) => {
            sequence += 1;
            const eventTime = eventTimeOf(event.eventTime);
            return splitBySku(event).map((part, subSequenceNumber) =>
              decodedEvent(part, eventTime, {
                shardId: backtestShard,
                sequenceNumber: String(sequence),
                subSequenceNumber,
              }),
            );
          }),
        );
      }),
    });
}

/**
 * Runs the same shards through several pricing configs side by side, each through the stream core
 * exactly as the consumer runs them: a partition per shard, with its own watermark and ticks, in
 * the order its events come. A child shard goes on from its parents as the consumer's does: its
 * clock from the latest of theirs, each SKU from the record its parent left, and the SKUs still
 * active on a parent that now hash into the child carried on there.
 *
 * Emits, in stream order, every config's price changes (the first config's before the second's
 * for the same event), then once the shards complete, each config's summary in the order given.
 * Each shard's events are subscribed once, whatever the number of configs. Deterministic: the
 * same shards and configs give the same output.
 */
export function backtest(
  configs: readonly BacktestConfig[],
): OperatorFunction<BacktestShard, BacktestOutput> {
  return (shards) =>
    defer(() => {
      const runs = configs.map(({ label, config }) => configRun(label, config));
      return concat(
        shards.pipe(
          concatMap((shard) =>
            shard.events.pipe(connect((events) => merge(...runs.map((run) => run.shard(shard, events))))),
          ),
        ),
        defer(() => from(runs.map((run) => run.summary()))),
      );
    });
}

/** What a finished shard leaves its children. */
interface FinishedShard {
  readonly maxEventTime: number;
  readonly nextTick: number;
  /** SKUs whose windows still held events when the shard ended. */
  readonly active: readonly string[];
}

/**
 * One config's run over the shards: the SKU records it has stored (as the consumer's table holds
 * them), each finished shard's clock and active SKUs, and its tally.
 */
function configRun(label: string, config: PricingConfig) {
  const tally = createTally();
  const records = new Map<string, SkuRecord>();
  const finished = new Map<string, FinishedShard>();
  const load = (sku: string) => records.get(sku);
  const reported = (outputs: Observable<CoreOutput>): Observable<BacktestOutput> =>
    outputs.pipe(
      tap((output) => tallyOutput(tally, output)),
      mergeMap((output) =>
        output.kind === 'price' ? [{ kind: 'price' as const, label, change: output }] : [],
      ),
    );
  return {
    shard(shard: BacktestShard, events: Observable<DecodedEvent>): Observable<BacktestOutput> {
      return defer(() => {
        const parents = shard.parents.flatMap((parent) => finished.get(parent) ?? []);
        const state = createCoreState(config, {
          maxEventTime: latest(parents.map((parent) => parent.maxEventTime)),
          nextTick: latest(parents.map((parent) => parent.nextTick)),
        });
        // The parents' SKUs this shard owns, brought to its clock (a merge's slower parent's SKUs
        // run the ticks they missed), as the consumer's first sweep of the shard does.
        const inherited = parents.flatMap((parent) => parent.active).filter(shard.owns);
        const swept = sweepSkus(config, state, inherited, load);
        const priced = events.pipe(
          // Before the core sees the event: an order pays what was published before it arrived.
          tap((event) => tallyEvent(tally, event)),
          priceSkus(config, { state, load }),
        );
        const store = defer(() => {
          for (const record of recordsOf(state)) records.set(record.sku, record);
          for (const [sku, record] of state.idle) records.set(sku, record);
          finished.set(shard.shardId, {
            maxEventTime: state.watermark.maxEventTime,
            nextTick: state.watermark.nextTick,
            active: [...state.skus.keys()],
          });
          return EMPTY;
        });
        return reported(concat(from(swept), priced, store));
      });
    },
    summary: () => ({ kind: 'summary' as const, label, summary: summaryOf(tally) }),
  };
}

/** The latest of the parents' times, undefined where none has one (no event, no tick yet). */
function latest(times: readonly number[]): number | undefined {
  const known = times.filter(Number.isFinite);
  return known.length === 0 ? undefined : Math.max(...known);
}
