import fc from 'fast-check';
import type { StreamEvent } from '../../processors/events/schema';

const start = Date.parse('2026-03-01T10:00:00Z');

/**
 * Random per-SKU event streams for property tests: a few SKUs, orders and inventory deltas,
 * event time moving forward in steps with some events arriving out of order, a few far enough
 * behind to be late.
 */
export const streamArbitrary = (
  options: { skus?: number; maxLength?: number } = {},
): fc.Arbitrary<StreamEvent[]> =>
  fc
    .array(
      fc.record({
        sku: fc.integer({ min: 0, max: (options.skus ?? 3) - 1 }),
        advance: fc.integer({ min: 0, max: 40_000 }),
        behind: fc.oneof(fc.constant(0), fc.constant(0), fc.integer({ min: 0, max: 120_000 })),
        kind: fc.constantFrom('order', 'order', 'order', 'inventory'),
        quantity: fc.integer({ min: 1, max: 5 }),
        delta: fc.integer({ min: -6, max: 6 }),
      }),
      { maxLength: options.maxLength ?? 300 },
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
