const dayMs = 86_400_000;

/**
 * Epoch ms of a timestamp the contract's pattern accepted
 * (`YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`), or NaN when it names no real instant: a month
 * outside 1–12, a day the month lacks (`2026-02-30`), a minute, second or offset out of range.
 *
 * The same instants `Date.parse` gives (24:00:00 with no fraction is the next midnight; a
 * fraction is cut to whole ms), without its roll-over of days a month lacks, read digit by digit
 * without allocating: this runs once per event.
 */
export function eventTimeOf(timestamp: string): number {
  return eventTimeAt(timestamp, 0);
}

/** `eventTimeOf` the timestamp starting at `start` in `text` (an event's JSON, read in place). */
export function eventTimeAt(text: string, start: number): number {
  const year = digits(text, start, 4);
  const month = digits(text, start + 5, 2);
  const day = digits(text, start + 8, 2);
  const hour = digits(text, start + 11, 2);
  const minute = digits(text, start + 14, 2);
  const second = digits(text, start + 17, 2);
  let index = start + 19;
  let ms = 0;
  let fraction = false; // any non-zero digit, even past the ms
  if (text.charCodeAt(index) === 46 /* . */) {
    index += 1;
    for (let place = 100; isDigit(text.charCodeAt(index)); index++, place /= 10) {
      const digit = text.charCodeAt(index) - 48;
      if (place >= 1) ms += digit * place;
      if (digit > 0) fraction = true;
    }
  }
  let offsetMinutes = 0;
  if (text.charCodeAt(index) !== 90 /* Z */) {
    const offsetHour = digits(text, index + 1, 2);
    const offsetMinute = digits(text, index + 4, 2);
    if (offsetHour > 23 || offsetMinute > 59) return Number.NaN;
    offsetMinutes = (offsetHour * 60 + offsetMinute) * (text.charCodeAt(index) === 45 /* - */ ? -1 : 1);
  }
  if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return Number.NaN;
  if (minute > 59 || second > 59) return Number.NaN;
  if (hour > 24 || (hour === 24 && (minute > 0 || second > 0 || fraction))) return Number.NaN;
  return (
    daysFromEpoch(year, month, day) * dayMs + ((hour * 60 + minute - offsetMinutes) * 60 + second) * 1000 + ms
  );
}

function digits(text: string, from: number, count: number): number {
  let value = 0;
  for (let index = from; index < from + count; index++) value = value * 10 + text.charCodeAt(index) - 48;
  return value;
}

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

function daysIn(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** Days from 1970-01-01 to a day of the proleptic Gregorian calendar (Hinnant's days_from_civil). */
function daysFromEpoch(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}
