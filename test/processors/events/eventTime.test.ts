import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { eventTimeAt, eventTimeEnd, eventTimeOf } from '../../../processors/events/eventTime';
import { orderEventSchema } from '../../../processors/events/schema';
import { editedOnce } from '../../helpers/edits';
import { contractTimestamp } from '../../helpers/timestamps';

/** Whether the day of a timestamp exists in its month (Date.parse takes any day up to 31). */
function dayExists(timestamp: string): boolean {
  const [year, month, day] = timestamp.slice(0, 10).split('-').map(Number) as [number, number, number];
  return (
    new Date(Date.UTC(2000, month - 1, day)).getUTCDate() === day && (month !== 2 || day < 29 || leap(year))
  );
}

const leap = (year: number) => year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);

describe('eventTimeOf', () => {
  it('gives the instant Date.parse gives, and NaN where Date.parse fails or rolls a day over', () => {
    fc.assert(
      fc.property(contractTimestamp, (timestamp) => {
        const expected = dayExists(timestamp) ? Date.parse(timestamp) : Number.NaN;
        expect(eventTimeOf(timestamp)).toBe(expected);
      }),
      { numRuns: 20_000 },
    );
  });

  it('reads a timestamp in place inside a longer text as it reads it alone, and says where it ends', () => {
    fc.assert(
      fc.property(contractTimestamp, fc.string(), fc.string(), (timestamp, before, after) => {
        const time = eventTimeAt(`${before}${timestamp}"${after}`, before.length);
        const end = eventTimeEnd;
        expect(time).toBe(eventTimeOf(timestamp));
        if (!Number.isNaN(time)) expect(end).toBe(before.length + timestamp.length);
      }),
    );
  });

  it("gives NaN for a string the contract's pattern refuses", () => {
    const pattern = new RegExp(
      (orderEventSchema.properties.eventTime as unknown as { pattern: string }).pattern,
    );
    const edited = editedOnce(contractTimestamp, '0159-:.TZz+ ');
    fc.assert(
      fc.property(fc.oneof(edited, fc.string({ maxLength: 40 })), (text) => {
        if (!pattern.test(text)) expect(eventTimeOf(text)).toBeNaN();
      }),
      { numRuns: 20_000 },
    );
  });

  it.each([
    ['2026-03-01T10:00:00Z', Date.UTC(2026, 2, 1, 10)],
    ['2026-03-01T10:00:00.1239+01:30', Date.UTC(2026, 2, 1, 8, 30, 0, 123)],
    ['2024-02-29T23:59:59.999-05:00', Date.UTC(2024, 2, 1, 4, 59, 59, 999)],
    ['2026-03-01T24:00:00Z', Date.UTC(2026, 2, 2)],
    ['0000-01-01T00:00:00Z', -62_167_219_200_000], // Date.UTC maps years 0-99 to 1900-1999
  ])('reads %s', (timestamp, expected) => {
    expect(eventTimeOf(timestamp)).toBe(expected);
  });

  it.each([
    '2026-02-29T10:00:00Z',
    '2100-02-29T10:00:00Z',
    '2026-04-31T10:00:00Z',
    '2026-13-01T10:00:00Z',
    '2026-00-10T10:00:00Z',
    '2026-03-01T24:00:00.001Z',
    '2026-03-01T24:00:00.0001Z',
    '2026-03-01T23:60:00Z',
    '2026-03-01T23:59:60Z',
    '2026-03-01T10:00:00+24:00',
  ])('refuses %s', (timestamp) => {
    expect(eventTimeOf(timestamp)).toBeNaN();
  });
});
