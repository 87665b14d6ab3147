import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { pricingRuleSchema } from '../../../processors/config/pricingConfig';
import { decidePrice, initialPriceState } from '../../../processors/pricing/decidePrice';
import { priceBand } from '../../../processors/pricing/priceBand';
import { windowStats } from '../../../processors/window/windowStats';

const ruleArbitrary = fc
  .record({
    maxStepUp: fc.double({ min: 0.01, max: 0.5, noNaN: true }),
    maxStepDown: fc.double({ min: 0.01, max: 0.5, noNaN: true }),
    hysteresis: fc.double({ min: 0, max: 0.05, noNaN: true }),
    elasticity: fc.double({ min: -6, max: -1.1, noNaN: true }),
    inventoryWeight: fc.double({ min: 0, max: 1, noNaN: true }),
    deadBand: fc.double({ min: 0, max: 0.3, noNaN: true }),
    minOrders: fc.integer({ min: 1, max: 5 }),
    rounding: fc.constantFrom({ step: 1, ending: 0 }, { step: 10, ending: 9 }, { step: 100, ending: 99 }),
  })
  .map((fields) => pricingRuleSchema.parse(fields));

const empty = { units: 0, orders: 0, depleted: 0, spanMs: 60_000 };

const statsArbitrary = fc
  .record({
    shortUnits: fc.integer({ min: 0, max: 500 }),
    longUnits: fc.integer({ min: 0, max: 3000 }),
    orders: fc.integer({ min: 0, max: 50 }),
    onHand: fc.option(fc.integer({ min: 0, max: 10_000 }), { nil: undefined }),
  })
  .map(({ shortUnits, longUnits, orders, onHand }) =>
    windowStats(
      { units: shortUnits, orders, depleted: 0, spanMs: 300_000 },
      { units: Math.max(shortUnits, longUnits), orders, spanMs: 3_600_000 },
      onHand,
    ),
  );

describe('decidePrice', () => {
  it('keeps every price inside the band, within the step limits, and never moves by less than the hysteresis', () => {
    fc.assert(
      fc.property(
        ruleArbitrary,
        fc.integer({ min: 100, max: 100_000 }),
        fc.array(statsArbitrary, { minLength: 1, maxLength: 30 }),
        (rule, basePrice, ticks) => {
          const band = priceBand(rule, basePrice);
          let state = initialPriceState;
          ticks.forEach((stats, index) => {
            const previous = state.price;
            const decision = decidePrice(rule, basePrice, stats, state, index * 30_000);
            expect(decision).toEqual(decidePrice(rule, basePrice, stats, state, index * 30_000));
            expect(Number.isInteger(decision.price)).toBe(true);
            expect(decision.price).toBeGreaterThanOrEqual(band.floor);
            expect(decision.price).toBeLessThanOrEqual(band.ceiling);
            if (previous !== undefined && decision.changed) {
              const move = decision.price - previous;
              expect(move).toBeLessThanOrEqual(previous * rule.maxStepUp + 1e-9);
              expect(-move).toBeLessThanOrEqual(previous * rule.maxStepDown + 1e-9);
              expect(Math.abs(move)).toBeGreaterThanOrEqual(previous * rule.hysteresis);
            }
            if (!decision.changed) expect(decision.price).toBe(previous);
            state = decision.state;
          });
        },
      ),
      { numRuns: 300 },
    );
  });

  it('holds without a signal: fewer orders than minOrders leave the price where it is', () => {
    const rule = pricingRuleSchema.parse({ minOrders: 5 });
    const first = decidePrice(
      rule,
      1999,
      windowStats({ units: 0, orders: 0, depleted: 0, spanMs: 1 }, { units: 0, orders: 0, spanMs: 1 }, 0),
      initialPriceState,
      0,
    );
    const hot = windowStats(
      { units: 90, orders: 4, depleted: 0, spanMs: 300_000 },
      { units: 100, orders: 4, spanMs: 3_600_000 },
      1,
    );
    const next = decidePrice(rule, 1999, hot, first.state, 30_000);
    expect(first).toMatchObject({ reason: 'initial', price: 1999 });
    expect(next).toMatchObject({ reason: 'no-signal', changed: false, price: 1999 });
  });

  it("reads a sparse SKU's jumpy ratio as no signal, but not a surge or a well-sold SKU going quiet", () => {
    const rule = pricingRuleSchema.parse({ minOrders: 3, smoothing: 0 });
    const first = decidePrice(rule, 1999, windowStats(empty, empty, undefined), initialPriceState, 0);
    const decide = (shortOrders: number, longOrders: number) =>
      decidePrice(
        rule,
        1999,
        windowStats(
          { units: shortOrders, orders: shortOrders, depleted: 0, spanMs: 60_000 },
          { units: longOrders, orders: longOrders, spanMs: 600_000 },
          undefined,
        ),
        first.state,
        60_000,
      );
    // 6 orders in 10 min: the last minute expects 0.6, so 0 or 2 in it is chance, not demand.
    expect(decide(0, 6)).toMatchObject({ reason: 'no-signal', changed: false });
    expect(decide(2, 6)).toMatchObject({ reason: 'no-signal', changed: false });
    // The same SKU with 12 orders in the last minute: a surge.
    expect(decide(12, 18)).toMatchObject({ reason: 'demand', changed: true });
    // 60 in 10 min expects 6 in the last minute; none came: demand fell.
    expect(decide(0, 60)).toMatchObject({ reason: 'slow-demand', changed: true });
  });

  it('rounds to price points and names the guard that capped a move', () => {
    const rule = pricingRuleSchema.parse({ maxStepUp: 0.05, rounding: { step: 100, ending: 99 } });
    const surge = windowStats(
      { units: 600, orders: 40, depleted: 0, spanMs: 300_000 },
      { units: 700, orders: 45, spanMs: 3_600_000 },
      2,
    );
    const first = decidePrice(rule, 9999, surge, initialPriceState, 0);
    const next = decidePrice(rule, 9999, surge, first.state, 30_000);
    // 9999 × 1.05 = 10498.95: the highest x.99 point inside the step limit is 103.99.
    expect(next).toMatchObject({ changed: true, price: 10399, reason: 'demand', limitedBy: 'step' });
  });
});
