import { concatMap, from, type Observable } from 'rxjs';
import type { DeadLetter, DecodedEvent } from './decodedEvent';
import { decodeRecord, type RecordsRead } from './decodeRecords';

/** What decoding a batch with `decodeEach` found besides its events: complete once they are all emitted. */
export interface DecodeTally {
  /** The dead letters of the records that are not repeats, in the order found. */
  readonly deadLetters: DeadLetter[];
  /** Events emitted, and how many of them were a repeated record's (marked `repeat`). */
  events: number;
  repeatedEvents: number;
}

export function createDecodeTally(read: RecordsRead, repeats: ReadonlySet<string>): DecodeTally {
  return {
    deadLetters: read.deadLetters.filter((deadLetter) => !repeats.has(deadLetter.position.sequenceNumber)),
    events: 0,
    repeatedEvents: 0,
  };
}

/**
 * The events of a batch's records (`readRecords`), parsed one record at a time as the subscriber
 * takes them: a record's events are priced before the next record is parsed. Parsing the whole
 * batch first kept all its events (some 30,000 in a 6 MB batch, each a dozen small objects) alive
 * through the young generation's copies until the last was priced; parsed as they are priced they
 * die young: in bench:core's raw path, scavenges took about a third less time and the peak RSS
 * fell from about 1,370 to 990 MiB (see the README's Performance for the throughput).
 *
 * Emits what `decodeRecords` would, in the same order, the events of records in `repeats` marked
 * `repeat`; their dead letters are left out (the first copy's are the ones stored). Adds to `tally`
 * as it goes: subscribe once (a second subscription decodes again, into the same tally).
 */
export function decodeEach(
  read: RecordsRead,
  repeats: ReadonlySet<string>,
  tally: DecodeTally,
): Observable<DecodedEvent> {
  return from(read.records).pipe(
    concatMap((record) => {
      const repeat = repeats.has(record.sequenceNumber);
      const events: DecodedEvent[] = [];
      decodeRecord(record, events, repeat ? [] : tally.deadLetters, repeat);
      tally.events += events.length;
      if (repeat) tally.repeatedEvents += events.length;
      return events;
    }),
  );
}
