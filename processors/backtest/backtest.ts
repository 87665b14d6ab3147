import { concat, connect, defer, merge, mergeMap, type OperatorFunction, of, tap } from 'rxjs';
import type { PricingConfig } from '../config/pricingConfig';
import type { DecodedEvent } from '../events/decodedEvent';
import { eventTimeOf } from '../events/eventTime';
import type { StreamEvent } from '../events/schema';
import { skuOf, splitBySku } from '../events/splitBySku';
import { priceSkus } from '../pipeline/priceSkus';
import type { PriceChange } from '../window/outputs';
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

/** The shard a backtest's events are read as coming from: one partition, in the order given. */
export const backtestShard = 'backtest';

/**
 * Runs the same events through several pricing configs side by side, each through the stream
 * core exactly as the consumer runs one shard: one partition, its watermark and ticks, in the
 * order the events come (an order spanning several SKUs is split per SKU, as producers put it).
 *
 * Emits, in stream order, every config's price changes (the first config's before the second's
 * for the same event), then once the events complete, each config's summary in the order given.
 * The source is subscribed once, whatever the number of configs. Deterministic: the same events
 * and configs give the same output.
 */
export function backtest(configs: readonly BacktestConfig[]): OperatorFunction<StreamEvent, BacktestOutput> {
  return (events) =>
    defer(() =>
      events.pipe(
        mergeMap(perSkuEvents()),
        connect((perSku) =>
          merge(...configs.map(({ label, config }) => perSku.pipe(priceAndTally(label, config)))),
        ),
      ),
    );
}

/**
 * The per-SKU events of each event, with positions on the backtest's one shard: a sequence number
 * per event, a sub-sequence number per SKU it is split into.
 */
function perSkuEvents(): (event: StreamEvent) => DecodedEvent[] {
  let sequence = 0;
  return (event) => {
    sequence += 1;
    const eventTime = eventTimeOf(event.eventTime);
    return splitBySku(event).map((part, subSequenceNumber) => ({
      sku: skuOf(part),
      eventTime,
      event: part,
      position: { shardId: backtestShard, sequenceNumber: String(sequence), subSequenceNumber },
    }));
  };
}

/** One config's run: its price changes as they come, its summary at the end. */
function priceAndTally(label: string, config: PricingConfig): OperatorFunction<DecodedEvent, BacktestOutput> {
  return (events) =>
    defer(() => {
      const tally = createTally();
      const changes = events.pipe(
        // Before the core sees the event: an order pays what was published before it arrived.
        tap((event) => tallyEvent(tally, event)),
        priceSkus(config),
        tap((output) => tallyOutput(tally, output)),
        mergeMap((output) =>
          output.kind === 'price' ? [{ kind: 'price' as const, label, change: output }] : [],
        ),
      );
      return concat(
        changes,
        defer(() => of({ kind: 'summary' as const, label, summary: summaryOf(tally) })),
      );
    });
}
