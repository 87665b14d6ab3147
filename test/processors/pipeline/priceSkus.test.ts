import fc from 'fast-check';
import { from, lastValueFrom, Subject, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import {
  type PricingConfig,
  type PricingConfigInput,
  pricingConfigSchema,
} from '../../../processors/config/pricingConfig';
import type { DecodedEvent } from '../../../processors/events/decodedEvent';
import type { StreamEvent } from '../../../processors/events/schema';
import {
  type CoreState,
  createCoreState,
  priceSkus,
  recordsOf,
  sweepSkus,
} from '../../../processors/pipeline/priceSkus';
import type { CoreOutput, PriceChange } from '../../../processors/window/outputs';
import type { SkuRecord } from '../../../processors/window/skuRecord';
import { inventoryEvent, orderEvent } from '../../helpers/events';
import { decodedEvents } from '../../helpers/kinesisRecords';
import { streamArbitrary } from '../../helpers/randomStreams';

const config = pricingConfigSchema.parse({
  windows: { short: { size: '60s', slide: '20s' }, long: { size: '3m', slide: '1m' } },
  allowedLateness: '30s',
  pricing: { minOrders: 1, smoothing: 0, markdownStabilization: '40s' },
} satisfies PricingConfigInput);

function run(events: readonly DecodedEvent[], state?: CoreState, pricing = config): Promise<CoreOutput[]> {
  return lastValueFrom(from(events).pipe(priceSkus(pricing, { state }), toArray()));
}

const t0 = Date.parse('2026-03-01T10:00:00Z');
const at = (ms: number) => new Date(t0 + ms).toISOString();

/** An order every `everyMs` from `fromMs` to `toMs` for a SKU. */
function orders(sku: string, fromMs: number, toMs: number, everyMs: number, quantity = 1): StreamEvent[] {
  const out: StreamEvent[] = [];
  for (let ms = fromMs; ms < toMs; ms += everyMs) {
    out.push(
      orderEvent({ orderId: `${sku}-${ms}`, eventTime: at(ms), lines: [{ sku, quantity, unitPrice: 2999 }] }),
    );
  }
  return out;
}

function byTime(events: StreamEvent[]): StreamEvent[] {
  return [...events].sort((a, b) => Date.parse(a.eventTime) - Date.parse(b.eventTime));
}

function pricesOf(outputs: readonly CoreOutput[], sku: string): PriceChange[] {
  return outputs.filter((output): output is PriceChange => output.kind === 'price' && output.sku === sku);
}

describe('priceSkus', () => {
  it('gives the same outputs whether a stream comes in one batch or many', async () => {
    await fc.assert(
      fc.asyncProperty(
        streamArbitrary({ skus: 4 }),
        fc.array(fc.nat(), { maxLength: 8 }),
        async (stream, cuts) => {
          const events = decodedEvents(stream);
          const whole = await run(events);
          const points = [...new Set(cuts.map((cut) => cut % (events.length + 1)))].sort((a, b) => a - b);
          const state = createCoreState(config);
          const batched: CoreOutput[] = [];
          let from = 0;
          for (const point of [...points, events.length]) {
            batched.push(...(await run(events.slice(from, point), state)));
            from = point;
          }
          expect(batched).toEqual(whole);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('raises a low-stock hot item, lowers an overstocked slow one, and holds one with no signal', async () => {
    const stream = byTime([
      // HOT: steady 1/min, then 20/min for five minutes with 5 units left.
      ...orders('ELEC-HOT', 0, 600_000, 60_000),
      ...orders('ELEC-HOT', 600_000, 900_000, 3_000),
      inventoryEvent({ eventId: 'h', sku: 'ELEC-HOT', eventTime: at(590_000), onHand: 5 }),
      // SLOW: 4/min, then 1 every 3 min, with 10,000 on hand.
      ...orders('HOME-SLOW', 0, 600_000, 15_000),
      ...orders('HOME-SLOW', 600_000, 900_000, 180_000),
      inventoryEvent({ eventId: 's', sku: 'HOME-SLOW', eventTime: at(590_000), onHand: 10_000 }),
      // QUIET: a single order, never enough for a signal with minOrders 3.
      ...orders('TOYS-QUIET', 0, 1, 1),
      ...orders('ELEC-CLOCK', 0, 1_200_000, 10_000), // keeps event time moving
    ]);
    const outputs = await run(
      decodedEvents(stream),
      undefined,
      pricingConfigSchema.parse({ ...config, pricing: { ...config.pricing, minOrders: 3 } }),
    );

    const hot = pricesOf(outputs, 'ELEC-HOT');
    const slow = pricesOf(outputs, 'HOME-SLOW');
    const quiet = pricesOf(outputs, 'TOYS-QUIET');
    expect(hot[0]?.reason).toBe('initial');
    expect(hot.at(-1)?.price).toBeGreaterThan(hot[0]?.price as number);
    expect(hot.slice(1).some((change) => change.reason === 'demand' || change.reason === 'scarcity')).toBe(
      true,
    );
    expect(slow.at(-1)?.price).toBeLessThan(slow[0]?.price as number);
    expect(
      slow.slice(1).every((change) => change.reason === 'slow-demand' || change.reason === 'overstock'),
    ).toBe(true);
    expect(quiet.map((change) => change.reason)).toEqual(['initial']);
    for (const change of hot) expect(change.asOf % 20_000).toBe(0);
  });

  it('does not read a new SKU with steady demand as a surge while its windows fill', async () => {
    // First order 15 s before the 1-minute long-window boundary: both windows have seen 20 s of it.
    const stream = byTime([
      ...orders('ELEC-NEW', 45_000, 200_000, 1_000),
      ...orders('ELEC-CLOCK', 0, 300_000, 10_000),
    ]);
    const outputs = await run(decodedEvents(stream));

    const changes = pricesOf(outputs, 'ELEC-NEW');
    // Nothing but the initial price while it sells steadily (it stops at 200 s, and then decays).
    expect(changes.filter((change) => change.asOf <= t0 + 200_000).map((change) => change.reason)).toEqual([
      'initial',
    ]);
    expect(changes.at(-1)?.reason).toBe('slow-demand');
  });

  it('counts late events beyond the allowed lateness and does not apply them', async () => {
    const stream = [
      ...orders('ELEC-1', 0, 300_000, 10_000),
      orderEvent({
        orderId: 'late',
        eventTime: at(100_000),
        lines: [{ sku: 'ELEC-1', quantity: 50, unitPrice: 2999 }],
      }),
      ...orders('ELEC-1', 300_000, 600_000, 10_000),
    ];
    const outputs = await run(decodedEvents(stream));

    const late = outputs.filter((output) => output.kind === 'late');
    expect(late).toHaveLength(1);
    expect(late[0]).toMatchObject({ sku: 'ELEC-1', watermark: t0 + 300_000 - 10_000 - 30_000 });
    const units = pricesOf(outputs, 'ELEC-1').map((change) => change.stats.longUnits);
    expect(Math.max(...units)).toBeLessThanOrEqual(18);
  });

  it('lets an idle SKU decay to zero velocity and evicts its windows with a snapshot', async () => {
    const stream = byTime([
      ...orders('ELEC-IDLE', 0, 120_000, 5_000),
      ...orders('ELEC-CLOCK', 0, 900_000, 20_000),
    ]);
    const state = createCoreState(config);
    const outputs = await run(decodedEvents(stream), state);

    const snapshot = outputs.find((output) => output.kind === 'snapshot' && output.sku === 'ELEC-IDLE');
    expect(snapshot).toMatchObject({ kind: 'snapshot', record: { basePrice: 2999, windows: undefined } });
    const idle = pricesOf(outputs, 'ELEC-IDLE');
    expect(idle.at(-1)?.price).toBeLessThan(idle[0]?.price as number);
    expect(state.skus.has('ELEC-IDLE')).toBe(false);
    expect(state.skus.has('ELEC-CLOCK')).toBe(true);
  });
});

describe("a SKU record's dueAt", () => {
  const sparse = pricingConfigSchema.parse({ ...config, pricing: { ...config.pricing, minOrders: 2 } });

  it('is a promise: the SKU changes price no sooner unless it sells again', () => {
    fc.assert(
      fc.property(streamArbitrary({ skus: 4 }), (stream) => {
        const state = createCoreState(sparse);
        const events = new Subject<DecodedEvent>();
        const emitted: CoreOutput[] = [];
        events.pipe(priceSkus(sparse, { state })).subscribe((output) => emitted.push(output));
        let promised = new Map<string, number | undefined>();
        for (const event of decodedEvents(stream)) {
          emitted.length = 0;
          events.next(event);
          for (const change of emitted) {
            if (change.kind !== 'price' || change.sku === event.sku || !promised.has(change.sku)) continue;
            expect(change.asOf).toBeGreaterThanOrEqual(promised.get(change.sku) ?? Number.POSITIVE_INFINITY);
          }
          promised = new Map(recordsOf(state).map((record) => [record.sku, record.dueAt]));
        }
      }),
      { numRuns: 200 },
    );
  });
});

describe('priceSkus with stored records (one Lambda invocation per batch)', () => {
  const bySkuAndTime = (outputs: readonly CoreOutput[]) =>
    outputs
      .filter((output): output is PriceChange => output.kind === 'price')
      .map((change) => `${change.sku}@${change.asOf}=${change.price}/${change.reason}`)
      .sort();

  /**
   * Runs batches as separate invocations: fresh core state, SKUs loaded from and saved to a store.
   * `crash(i)` picks, for batch i, how many of its SKU records are saved before the invocation
   * dies (the clock is saved last, so not at all); the batch is then run again.
   */
  async function invocations(
    batches: readonly DecodedEvent[][],
    crash: (batch: number) => number | undefined = () => undefined,
    pricing: PricingConfig = config,
  ) {
    const store = new Map<string, SkuRecord>();
    let clock: { maxEventTime?: number; nextTick?: number } = {};
    const outputs: CoreOutput[] = [];
    const save = (state: CoreState, produced: readonly CoreOutput[]) => {
      for (const output of produced) if (output.kind === 'snapshot') store.set(output.sku, output.record);
      for (const record of recordsOf(state)) store.set(record.sku, record);
      clock = { maxEventTime: state.watermark.maxEventTime, nextTick: state.watermark.nextTick };
      outputs.push(...produced);
    };
    const attempt = async (batch: readonly DecodedEvent[]) => {
      const state = createCoreState(pricing, clock);
      const load = (sku: string) => store.get(sku);
      return {
        state,
        produced: await lastValueFrom(from(batch).pipe(priceSkus(pricing, { state, load }), toArray())),
      };
    };
    for (const [index, batch] of batches.entries()) {
      const saved = crash(index);
      if (saved !== undefined) {
        // The attempt dies after saving `saved` of its SKU records, before the clock.
        const { state, produced } = await attempt(batch);
        const records = [
          ...produced.flatMap((output) => (output.kind === 'snapshot' ? [output.record] : [])),
          ...recordsOf(state),
        ];
        for (const record of records.slice(0, saved)) store.set(record.sku, record);
        outputs.push(...produced);
      }
      const { state, produced } = await attempt(batch);
      save(state, produced);
    }
    // The sweep brings every SKU still holding windows up to the clock, as the consumer does.
    const state = createCoreState(pricing, clock);
    const idle = [...store.values()]
      .filter((record) => record.windows !== undefined)
      .map((record) => record.sku);
    save(
      state,
      sweepSkus(pricing, state, idle, (sku) => store.get(sku)),
    );
    return { outputs, store };
  }

  function cut(events: DecodedEvent[], cuts: number[]): DecodedEvent[][] {
    const points = [...new Set(cuts.map((point) => point % (events.length + 1)))].sort((a, b) => a - b);
    const batches: DecodedEvent[][] = [];
    let start = 0;
    for (const point of [...points, events.length]) {
      batches.push(events.slice(start, point));
      start = point;
    }
    return batches;
  }

  it('gives the same prices as one uninterrupted run, SKUs caught up lazily', async () => {
    await fc.assert(
      fc.asyncProperty(
        streamArbitrary({ skus: 5 }),
        fc.array(fc.nat(), { maxLength: 10 }),
        async (stream, cuts) => {
          const events = decodedEvents(stream);
          const whole = await run(events);
          const { outputs, store } = await invocations(cut(events, cuts));

          expect(bySkuAndTime(outputs)).toEqual(bySkuAndTime(whole));
          const lateInWhole = whole.filter((output) => output.kind === 'late').length;
          expect([...store.values()].reduce((total, record) => total + record.lateEvents, 0)).toBe(
            lateInWhole,
          );
        },
      ),
      { numRuns: 80 },
    );
  });

  it('prices as a clean run when an invocation dies after saving some SKUs and its batch is retried', async () => {
    await fc.assert(
      fc.asyncProperty(
        streamArbitrary({ skus: 4 }),
        fc.array(fc.nat(), { maxLength: 6 }),
        fc.array(fc.option(fc.nat({ max: 6 }), { nil: undefined }), { minLength: 8, maxLength: 8 }),
        async (stream, cuts, crashes) => {
          const batches = cut(decodedEvents(stream), cuts);
          // With smoothing on, as the consumer runs by default.
          const smoothed = pricingConfigSchema.parse({
            ...config,
            pricing: { ...config.pricing, smoothing: '30s' },
          });
          const clean = await invocations(batches, undefined, smoothed);
          const crashed = await invocations(batches, (index) => crashes[index % crashes.length], smoothed);

          // Prices a dead attempt wrote are written again, identically, by its retry: compare as sets.
          expect([...new Set(bySkuAndTime(crashed.outputs))]).toEqual([
            ...new Set(bySkuAndTime(clean.outputs)),
          ]);
          expect(new Map([...crashed.store].map(([sku, record]) => [sku, record.lateEvents]))).toEqual(
            new Map([...clean.store].map(([sku, record]) => [sku, record.lateEvents])),
          );
        },
      ),
      { numRuns: 80 },
    );
  });

  it('applies once the events of a record a producer put twice, and counts the copy where it was', async () => {
    await fc.assert(
      fc.asyncProperty(
        streamArbitrary({ skus: 4, minLength: 1 }),
        fc.array(fc.record({ source: fc.nat(), delay: fc.nat({ max: 8 }) }), { minLength: 1, maxLength: 5 }),
        fc.array(fc.nat(), { maxLength: 6 }),
        async (stream, copies, cuts) => {
          const events = decodedEvents(stream);
          // Each copy goes in a few events after its original, as a producer's retry lands.
          const after = new Map<number, DecodedEvent[]>();
          for (const { source, delay } of copies) {
            const original = events[source % events.length] as DecodedEvent;
            const at = Math.min(events.length - 1, (source % events.length) + delay);
            after.set(at, [...(after.get(at) ?? []), { ...original, repeat: true }]);
          }
          const withCopies = events
            .flatMap((event, index) => [event, ...(after.get(index) ?? [])])
            .map((event, index) => ({
              ...event,
              position: { ...event.position, sequenceNumber: String(1000 + index) },
            }));

          const once = await invocations([events]);
          const twice = await invocations(cut(withCopies, cuts));

          expect(bySkuAndTime(twice.outputs)).toEqual(bySkuAndTime(once.outputs));
          const counts = (store: Map<string, SkuRecord>) =>
            new Map([...store].map(([sku, record]) => [sku, [record.appliedEvents, record.lateEvents]]));
          expect(counts(twice.store)).toEqual(counts(once.store));
          const repeated = [...twice.store.values()].reduce(
            (sum, record) => sum + (record.repeatedEvents ?? 0),
            0,
          );
          expect(repeated).toBe(copies.length);
        },
      ),
      { numRuns: 80 },
    );
  });

  it('changes nothing when batches are delivered again (retries, replays)', async () => {
    await fc.assert(
      fc.asyncProperty(
        streamArbitrary({ skus: 4 }),
        fc.array(fc.nat(), { maxLength: 6 }),
        fc.nat(),
        async (stream, cuts, replay) => {
          const events = decodedEvents(stream);
          const batches = cut(events, cuts);
          const again = batches[replay % batches.length] as DecodedEvent[];
          const once = await invocations(batches);
          const twice = await invocations([...batches, again, ...batches]);

          expect(bySkuAndTime(twice.outputs)).toEqual(bySkuAndTime(once.outputs));
          expect(new Map([...twice.store].map(([sku, record]) => [sku, record.lateEvents]))).toEqual(
            new Map([...once.store].map(([sku, record]) => [sku, record.lateEvents])),
          );
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe('priceSkus when a load fails', () => {
  it('fails the subscription with the error and reads no further event', async () => {
    const events = decodedEvents([
      orderEvent({ orderId: 'o-1', eventTime: at(0) }),
      orderEvent({
        orderId: 'o-2',
        eventTime: at(1000),
        lines: [{ sku: 'TOYS-1', quantity: 1, unitPrice: 100 }],
      }),
      orderEvent({
        orderId: 'o-3',
        eventTime: at(2000),
        lines: [{ sku: 'FOOD-1', quantity: 1, unitPrice: 100 }],
      }),
    ]);
    const loaded: string[] = [];
    const failure = new Error('the store is down');
    const load = (sku: string): SkuRecord | undefined => {
      loaded.push(sku);
      if (sku === 'TOYS-1') throw failure;
      return undefined;
    };

    await expect(lastValueFrom(from(events).pipe(priceSkus(config, { load }), toArray()))).rejects.toBe(
      failure,
    );
    expect(loaded).toEqual(['ELEC-000001', 'TOYS-1']);
  });
});
