import fc from 'fast-check';
import type { StreamEvent } from '../../processors/events/schema';

const start = Date.parse('2026-03-01T10:00:00Z');

/**
 * Random per-SKU event streams for property tests: a few SKUs, orders and inventory deltas,
 * event time moving forward in steps (up to `maxAdvanceMs`) with some events arriving out of
 * order, a few far enough behind to be late. With `hotSkus`, half the events go to that many
 * SKUs and the rest spread over all of them, as a catalogue with a long tail.
 */
export const streamArbitrary = (
  options: {
    skus?: number;
    minLength?: number;
    maxLength?: number;
    hotSkus?: number;
    maxAdvanceMs?: number;
  } = {},
): fc.Arbitrary<StreamEvent[]> => {
  const anySku = fc.integer({ min: 0, max: (options.skus ?? 3) - 1 });
  const hot = options.hotSkus;
  return fc
    .array(
      fc.record({
        sku: hot === undefined ? anySku : fc.oneof(fc.integer({ min: 0, max: hot - 1 }), anySku),
        advance: fc.integer({ min: 0, max: options.maxAdvanceMs ?? 40_000 }),
        behind: fc.oneof(fc.constant(0), fc.constant(0), fc.integer({ min: 0, max: 120_000 })),
        kind: fc.constantFrom('order', 'order', 'order', 'inventory'),
        quantity: fc.integer({ min: 1, max: 5 }),
        delta: fc.integer({ min: -6, max: 6 }),
      }),
      { minLength: options.minLength ?? 0, maxLength: options.maxLength ?? 300 },
    )
    .map((draws) => {
      let clock = start;
      return draws.map((draw, index): StreamEvent => {
        clock += draw.advance;
        const eventTime = new Date(clock - draw.behind).toISOString();
        const sku = `ELEC-${draw.sku}`;
        return draw.kind === 'order'
          ? {
              type: 'order',
              v: 1,
              orderId: `o-${index}`,
              eventTime,
              lines: [{ sku, quantity: draw.quantity, unitPrice: 2999 }],
            }
          : {
              type: 'inventory',
              v: 1,
              eventId: `i-${index}`,
              sku,
              location: 'DC-1',
              eventTime,
              delta: draw.delta,
            };
      });
    });
};
