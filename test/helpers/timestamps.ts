import fc from 'fast-check';

const twoDigits = fc.integer({ min: 0, max: 99 }).map((value) => String(value).padStart(2, '0'));
// Mostly in range, sometimes not, so both sides of every bound are drawn.
const field = (max: number) =>
  fc.oneof(
    { weight: 4, arbitrary: fc.integer({ min: 0, max }).map((value) => String(value).padStart(2, '0')) },
    { weight: 1, arbitrary: twoDigits },
  );

/** Any string the contract's eventTime pattern accepts, real instants or not (`2026-02-30`, `24:00:01`). */
export const contractTimestamp = fc
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
