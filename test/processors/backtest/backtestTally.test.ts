import { describe, expect, it } from 'vitest';
import { createTally, summaryOf, tallyEvent, tallyOutput } from '../../../processors/backtest/backtestTally';
import { type DecodedEvent, decodedEvent } from '../../../processors/events/decodedEvent';
import type { StreamEvent } from '../../../processors/events/schema';
import type { PriceChange } from '../../../processors/window/outputs';
import { inventoryEvent, orderEvent } from '../../helpers/events';

const t0 = Date.parse('2026-03-01T10:00:00Z');

function decoded(event: StreamEvent, offsetMs: number): DecodedEvent {
  return decodedEvent(event, t0 + offsetMs, {
    shardId: 'backtest',
    sequenceNumber: String(offsetMs + 1),
    subSequenceNumber: 0,
  });
}

function change(
  sku: string,
  price: number,
  previousPrice: number | undefined,
  reason: PriceChange['reason'],
) {
  return { kind: 'price', sku, price, previousPrice, reason } as PriceChange;
}

describe('a backtest tally', () => {
  it('charges each order the price published for its SKU before it arrived, or what it paid before any', () => {
    const tally = createTally();
    const line = (quantity: number, unitPrice: number) => ({ sku: 'ELEC-1', quantity, unitPrice });
    tallyEvent(tally, decoded(orderEvent({ lines: [line(2, 1000)] }), 0));
    tallyOutput(tally, change('ELEC-1', 1100, undefined, 'initial'));
    tallyEvent(tally, decoded(orderEvent({ lines: [line(3, 1000)] }), 60_000));
    tallyOutput(tally, change('ELEC-1', 1210, 1100, 'demand'));
    tallyEvent(tally, decoded(orderEvent({ lines: [line(1, 1000), line(1, 990)] }), 120_000));
    tallyEvent(tally, decoded(inventoryEvent({ sku: 'ELEC-1' }), 180_000));
    // A copy a producer put twice: the core applies nothing of it, and neither does the till.
    tallyEvent(tally, { ...decoded(orderEvent({ lines: [line(5, 1000)] }), 240_000), repeat: true });

    const summary = summaryOf(tally);

    expect(summary.recordedRevenue).toBe(2 * 1000 + 3 * 1000 + 1000 + 990);
    expect(summary.revenue).toBe(2 * 1000 + 3 * 1100 + 2 * 1210);
    expect(summary.events).toBe(4);
    expect(summary.spanMs).toBe(180_000);
  });

  it('counts first prices apart from moves, and moves by direction, size and reason', () => {
    const tally = createTally();
    tallyOutput(tally, change('A-1', 1000, undefined, 'initial'));
    tallyOutput(tally, change('B-1', 2000, undefined, 'initial'));
    tallyOutput(tally, change('A-1', 1100, 1000, 'demand'));
    tallyOutput(tally, change('A-1', 1045, 1100, 'slow-demand'));
    tallyOutput(tally, change('B-1', 2200, 2000, 'scarcity'));
    tallyEvent(tally, decoded(inventoryEvent({ sku: 'A-1' }), 0));
    tallyEvent(tally, decoded(inventoryEvent({ sku: 'A-1' }), 1_800_000));

    const summary = summaryOf(tally);

    expect(summary).toMatchObject({ skusPriced: 2, initialPrices: 2, priceChanges: 3, rises: 2, falls: 1 });
    expect(summary.byReason).toEqual({ demand: 1, 'slow-demand': 1, scarcity: 1 });
    expect(summary.meanStep).toBeCloseTo((0.1 + 0.05 + 0.1) / 3, 12);
    // 3 moves over 2 SKUs for half an hour
    expect(summary.changesPerSkuHour).toBeCloseTo(3, 12);
  });

  it('counts late events, and gives zeros rather than NaN for a stream with nothing priced', () => {
    const tally = createTally();
    const late = decoded(orderEvent(), 0);
    tallyOutput(tally, { kind: 'late', sku: late.sku, event: late, watermark: t0 + 1 });

    const summary = summaryOf(tally);

    expect(summary).toMatchObject({ lateEvents: 1, events: 0, spanMs: 0, changesPerSkuHour: 0, meanStep: 0 });
  });
});
