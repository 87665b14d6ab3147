import { describe, expect, it } from 'vitest';
import { simulateStore } from '../../../app/producer/storeSimulator';
import { parseEvent } from '../../../processors/events/parseEvent';
import { skuOf, splitBySku } from '../../../processors/events/splitBySku';

const base = { skus: 500, rate: 10, count: 5000, startTime: Date.parse('2026-03-01T00:00:00Z') };

describe('simulateStore', () => {
  it('is a function of its seed', () => {
    expect([...simulateStore({ ...base, seed: 3 })]).toEqual([...simulateStore({ ...base, seed: 3 })]);
    expect([...simulateStore({ ...base, seed: 3 })]).not.toEqual([...simulateStore({ ...base, seed: 4 })]);
  });

  it('produces only valid events, in event-time order', () => {
    const events = [...simulateStore({ ...base, seed: 5 })];
    expect(events.every((event) => parseEvent(event).ok)).toBe(true);
    const times = events.map((event) => Date.parse(event.eventTime));
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });

  it('concentrates orders on the hot SKUs during the flash sale only', () => {
    const flashSale = { startAfterMs: 250_000, durationMs: 250_000, hotSkus: 2, share: 0.7 };
    const events = [...simulateStore({ ...base, seed: 9, flashSale })];
    const hotShare = (from: number, to: number) => {
      const lines = events
        .filter((event) => {
          const t = Date.parse(event.eventTime) - base.startTime;
          return event.type === 'order' && t >= from && t < to;
        })
        .flatMap(splitBySku);
      return (
        lines.filter((event) => ['ELEC-000000', 'HOME-000001'].includes(skuOf(event))).length / lines.length
      );
    };
    expect(hotShare(250_000, 500_000)).toBeGreaterThan(0.6);
    expect(hotShare(0, 250_000)).toBeLessThan(0.3);
  });
});
