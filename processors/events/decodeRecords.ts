import { createHash } from 'node:crypto';
import { type DeadLetter, type DecodedEvent, type DecodeStep, decodedEvent } from './decodedEvent';
import { checksumBytes } from './kplFormat';
import { isAggregated, type UserRecordBytes, userRecordsOf } from './kplRecords';
import { parseEvent } from './parseEvent';
import { readPlainEvent } from './plainEvent';
import { comparePositions, type EventPosition } from './position';
import type { RecordDigest } from './repeatedRecords';
import type { StreamEvent } from './schema';
import { splitBySku } from './splitBySku';

/** The fields of a Lambda Kinesis record decoding needs (a `KinesisStreamRecord` has them all). */
export interface KinesisRecordInput {
  readonly eventID: string;
  readonly kinesis: {
    readonly data: string;
    readonly partitionKey: string;
    readonly sequenceNumber: string;
  };
}

/** What a batch of records decodes to: events in stream order, the dead letters, and each record's digest. */
export interface DecodedBatch {
  readonly events: DecodedEvent[];
  readonly deadLetters: DeadLetter[];
  /** Each record's sequence number and the digest of its bytes, in the order given (see `findRepeats`). */
  readonly digests: RecordDigest[];
}

/** A Kinesis record split into its user records, none of them parsed yet (see `readRecords`). */
export interface RecordRead {
  readonly shardId: string;
  readonly sequenceNumber: string;
  readonly userRecords: readonly UserRecordBytes[];
}

/** A batch's records read: what is known of them before any event is parsed. */
export interface RecordsRead {
  /** The records that split into user records, in stream order, to decode with `decodeRecord`. */
  readonly records: RecordRead[];
  /** The records that do not: a broken aggregate. */
  readonly deadLetters: DeadLetter[];
  /** Each record's sequence number and the digest of its bytes, in the order given (see `findRepeats`). */
  readonly digests: RecordDigest[];
  /**
   * Every user record's partition key. The contract keys each event by its SKU, so these are the
   * SKUs of the batch's events, known without parsing them; a producer that keys otherwise makes
   * them a guess, which is why a consumer has to check each event's SKU against them.
   */
  readonly partitionKeys: Set<string>;
}

/** Strict: bytes that are not UTF-8 are a dead letter, not replacement characters. */
const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Decodes Lambda-shaped Kinesis records: base64 → KPL de-aggregation (plain records pass
 * through) → UTF-8 JSON → schema check. Each event keeps its position (shard from the eventID,
 * sequence and sub-sequence number); an order spanning several SKUs becomes one event per SKU.
 * Never throws for bad data: what fails a step becomes a dead letter with the step and reason, and
 * every good event beside it is kept. The two halves, `readRecords` and `decodeRecord`, let a
 * consumer parse each record's events only when it prices them.
 */
export function decodeRecords(records: readonly KinesisRecordInput[]): DecodedBatch {
  const read = readRecords(records);
  const events: DecodedEvent[] = [];
  const deadLetters = [...read.deadLetters];
  for (const record of read.records) decodeRecord(record, events, deadLetters);
  deadLetters.sort((a, b) => comparePositions(a.position, b.position));
  return { events, deadLetters, digests: read.digests };
}

/** The shard of a Lambda Kinesis record: its eventID is `shardId-…:sequenceNumber`. */
export function shardOf(record: KinesisRecordInput): string {
  const colon = record.eventID.indexOf(':');
  return colon < 0 ? record.eventID : record.eventID.slice(0, colon);
}

/**
 * The first half of decoding: each record's bytes (base64), its digest, and its user records (KPL
 * de-aggregation); a record that does not de-aggregate is a dead letter. Parses no event.
 */
export function readRecords(records: readonly KinesisRecordInput[]): RecordsRead {
  const read: RecordRead[] = [];
  const deadLetters: DeadLetter[] = [];
  const digests: RecordDigest[] = [];
  const partitionKeys = new Set<string>();
  for (const record of records) {
    const shardId = shardOf(record);
    const { partitionKey, sequenceNumber, data } = record.kinesis;
    // A buffer of the record's own: its user records are views of it, parsed later.
    const bytes = Buffer.from(data, 'base64');
    digests.push({ sequenceNumber, digest: digestOf(bytes) });
    let userRecords: UserRecordBytes[];
    try {
      userRecords = userRecordsOf(bytes, partitionKey);
    } catch (error) {
      const position = { shardId, sequenceNumber, subSequenceNumber: 0 };
      deadLetters.push(
        deadLetter(position, partitionKey, 'deaggregate', undefined, (error as Error).message, bytes),
      );
      continue;
    }
    for (const user of userRecords) partitionKeys.add(user.partitionKey);
    read.push({ shardId, sequenceNumber, userRecords });
  }
  return { records: read, deadLetters, digests, partitionKeys };
}

/**
 * The second half: a read record's user records parsed (UTF-8 JSON, schema check) into `events`,
 * those that fail into `deadLetters`. With `repeat`, the events are marked as a repeated record's
 * (see `findRepeats`).
 */
export function decodeRecord(
  record: RecordRead,
  events: DecodedEvent[],
  deadLetters: DeadLetter[],
  repeat = false,
): void {
  const { shardId, sequenceNumber } = record;
  for (const user of record.userRecords) {
    const position: EventPosition = { shardId, sequenceNumber, subSequenceNumber: user.subSequenceNumber };
    const parsed = parseUserRecord(user);
    if (!parsed.ok) {
      const { step, field, reason } = parsed;
      deadLetters.push(deadLetter(position, user.partitionKey, step, field, reason, user.data));
      continue;
    }
    const { event, eventTime } = parsed;
    if (event.type === 'inventory' || event.lines.length === 1)
      events.push(decodedEvent(event, eventTime, position, repeat));
    else for (const part of splitBySku(event)) events.push(decodedEvent(part, eventTime, position, repeat));
  }
}

/**
 * The event time of the batch's last user record that is a valid event, read without decoding the
 * rest: within a shard producers put in event-time order, so it is the newest, or close to it (a
 * late event can come last). Undefined when no user record is valid.
 */
export function latestEventTime(read: RecordsRead): number | undefined {
  for (let r = read.records.length - 1; r >= 0; r -= 1) {
    const { userRecords } = read.records[r] as RecordRead;
    for (let u = userRecords.length - 1; u >= 0; u -= 1) {
      const parsed = parseUserRecord(userRecords[u] as UserRecordBytes);
      if (parsed.ok) return parsed.eventTime;
    }
  }
  return undefined;
}

/** A user record parsed: the event, or the step it failed at and why. */
type ParsedUserRecord =
  | { readonly ok: true; readonly event: StreamEvent; readonly eventTime: number }
  | {
      readonly ok: false;
      readonly step: DecodeStep;
      readonly field: string | undefined;
      readonly reason: string;
    };

function parseUserRecord(user: UserRecordBytes): ParsedUserRecord {
  let value: unknown;
  try {
    const text = utf8.decode(user.data);
    const plain = readPlainEvent(text);
    if (plain !== undefined) return plain;
    value = JSON.parse(text);
  } catch (error) {
    return { ok: false, step: 'utf8-json', field: undefined, reason: (error as Error).message };
  }
  const parsed = parseEvent(value);
  if (!parsed.ok) return { ok: false, step: 'schema', ...parsed.problem };
  return parsed;
}

/**
 * The first 8 bytes of a record's MD5, base64url: an aggregate's own checksum (its last 16 bytes,
 * already there), a plain record's computed. Two records with the same bytes carry the same events,
 * whose ids the contract makes unique: one was put twice.
 */
function digestOf(bytes: Buffer): string {
  const md5 = isAggregated(bytes)
    ? bytes.subarray(bytes.length - checksumBytes)
    : createHash('md5').update(bytes).digest();
  return md5.toString('base64url', 0, 8);
}

function deadLetter(
  position: EventPosition,
  partitionKey: string,
  step: DecodeStep,
  field: string | undefined,
  reason: string,
  data: Uint8Array,
): DeadLetter {
  return { position, partitionKey, step, field, reason, data: Buffer.from(data).toString('base64') };
}
