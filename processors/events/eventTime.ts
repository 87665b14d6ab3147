const dayMs = 86_400_000;

/**
 * Epoch ms of a timestamp of the contract's pattern
 * (`YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`), or NaN when it is not one or names no real
 * instant: a month outside 1–12, a day the month lacks (`2026-02-30`), a minute, second or
 * offset out of range.
 *
 * The same instants `Date.parse` gives (24:00:00 with no fraction is the next midnight; a
 * fraction is cut to whole ms), without its roll-over of days a month lacks, read digit by digit
 * without allocating: this runs once per event.
 */
export function eventTimeOf(timestamp: string): number {
  const time = eventTimeAt(timestamp, 0);
  return eventTimeEnd === timestamp.length ? time : Number.NaN;
}

/** Where the timestamp `eventTimeAt` last read ends in its text: the index after it. */
export let eventTimeEnd = 0;

/**
 * `eventTimeOf` the timestamp starting at `start` in `text` (an event's JSON, read in place), and
 * NaN for one the contract's pattern refuses too: a digit missing, a separator out of place, a
 * fraction of no digits or of more than 9. Sets `eventTimeEnd`.
 */
export function eventTimeAt(text: string, start: number): number {
  if (
    text.charCodeAt(start + 4) !== 45 /* - */ ||
    text.charCodeAt(start + 7) !== 45 /* - */ ||
    text.charCodeAt(start + 10) !== 84 /* T */ ||
    text.charCodeAt(start + 13) !== 58 /* : */ ||
    text.charCodeAt(start + 16) !== 58 /* : */
  )
    return Number.NaN;
  // A character that is not a digit makes its field NaN, and so the result.
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
    const first = ++index;
    for (let place = 100; isDigit(text.charCodeAt(index)); index++, place /= 10) {
      const digit = text.charCodeAt(index) - 48;
      if (place >= 1) ms += digit * place;
      if (digit > 0) fraction = true;
    }
    if (index === first || index - first > 9) return Number.NaN;
  }
  let offsetMinutes = 0;
  const zone = text.charCodeAt(index);
  if (zone === 90 /* Z */) eventTimeEnd = index + 1;
  else if ((zone === 43 || zone === 45) /* + or - */ && text.charCodeAt(index + 3) === 58 /* : */) {
    const offsetHour = digits(text, index + 1, 2);
    const offsetMinute = digits(text, index + 4, 2);
    if (offsetHour > 23 || offsetMinute > 59) return Number.NaN;
    offsetMinutes = (offsetHour * 60 + offsetMinute) * (zone === 45 ? -1 : 1);
    eventTimeEnd = index + 6;
  } else return Number.NaN;
  if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return Number.NaN;
  if (minute > 59 || second > 59) return Number.NaN;
  if (hour > 24 || (hour === 24 && (minute > 0 || second > 0 || fraction))) return Number.NaN;
  return (
    daysFromEpoch(year, month, day) * dayMs + ((hour * 60 + minute - offsetMinutes) * 60 + second) * 1000 + ms
  );
}

/** The number the `count` digits at `from` write, or NaN if one is not a digit. */
function digits(text: string, from: number, count: number): number {
  let value = 0;
  for (let index = from; index < from + count; index++) {
    const digit = text.charCodeAt(index) - 48;
    value = digit >= 0 && digit <= 9 ? value * 10 + digit : Number.NaN;
  }
  return value;
}

/** Whether a character code is one of `0`–`9`. */
export function isDigit(code: number): boolean {
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
