import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { eventTimeOf } from '../../../processors/events/eventTime';

const twoDigits = fc.integer({ min: 0, max: 99 }).map((value) => String(value).padStart(2, '0'));
// Mostly in range, sometimes not, so both sides of every bound are drawn.
const field = (max: number) =>
  fc.oneof(
    { weight: 4, arbitrary: fc.integer({ min: 0, max }).map((value) => String(value).padStart(2, '0')) },
    { weight: 1, arbitrary: twoDigits },
  );

/** Any string the contract's eventTime pattern accepts. */
const contractTimestamp = fc
  .record({
    year: fc.integer({ min: 0, max: 9999 }).map((value) => String(value).padStart(4, '0')),
    month: field(13),
    day: field(32),
    hour: fc.oneof(field(24), fc.constant('24')),
    minute: fc.oneof(field(60), fc.constant('00')),
    second: fc.oneof(field(60), fc.constant('00')),
    fraction: fc.option(fc.stringMatching(/^[0-9]{1,9}$/), { nil: undefined }),
    zone: fc.oneof(
      fc.constant('Z'),
      fc.tuple(fc.constantFrom('+', '-'), field(24), field(60)).map(([sign, h, m]) => `${sign}${h}:${m}`),
    ),
  })
  .map(
    ({ year, month, day, hour, minute, second, fraction, zone }) =>
      `${year}-${month}-${day}T${hour}:${minute}:${second}${fraction === undefined ? '' : `.${fraction}`}${zone}`,
  );

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
