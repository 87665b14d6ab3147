import { createHash } from 'node:crypto';
import { type DeadLetter, type DecodedEvent, type DecodeStep, decodedEvent } from './decodedEvent';
import { checksumBytes } from './kplFormat';
import { isAggregated, userRecordsOf } from './kplRecords';
import { parseEvent } from './parseEvent';
import type { EventPosition } from './position';
import type { RecordDigest } from './repeatedRecords';
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

/** Strict: bytes that are not UTF-8 are a dead letter, not replacement characters. */
const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Decodes Lambda-shaped Kinesis records: base64 → KPL de-aggregation (plain records pass
 * through) → UTF-8 JSON → schema check. Each event keeps its position (shard from the eventID,
 * sequence and sub-sequence number); an order spanning several SKUs becomes one event per SKU.
 * Never throws for bad data: what fails a step becomes a dead letter with the step and reason, and
 * every good event beside it is kept.
 */
export function decodeRecords(records: readonly KinesisRecordInput[]): DecodedBatch {
  const events: DecodedEvent[] = [];
  const deadLetters: DeadLetter[] = [];
  const digests: RecordDigest[] = [];
  for (const record of records) {
    const digest = decodeRecord(record, events, deadLetters);
    digests.push({ sequenceNumber: record.kinesis.sequenceNumber, digest });
  }
  return { events, deadLetters, digests };
}

/** The shard of a Lambda Kinesis record: its eventID is `shardId-…:sequenceNumber`. */
export function shardOf(record: KinesisRecordInput): string {
  const colon = record.eventID.indexOf(':');
  return colon < 0 ? record.eventID : record.eventID.slice(0, colon);
}

/** Decodes one record into `events` and `deadLetters`; returns the digest of its bytes. */
function decodeRecord(record: KinesisRecordInput, events: DecodedEvent[], deadLetters: DeadLetter[]): string {
  const shardId = shardOf(record);
  const { partitionKey, sequenceNumber, data } = record.kinesis;
  const bytes = base64Bytes(data);
  const digest = digestOf(bytes);
  let userRecords: ReturnType<typeof userRecordsOf>;
  try {
    userRecords = userRecordsOf(bytes, partitionKey);
  } catch (error) {
    const position = { shardId, sequenceNumber, subSequenceNumber: 0 };
    deadLetters.push(
      deadLetter(position, partitionKey, 'deaggregate', undefined, (error as Error).message, bytes),
    );
    return digest;
  }
  for (const user of userRecords) {
    const position: EventPosition = { shardId, sequenceNumber, subSequenceNumber: user.subSequenceNumber };
    let value: unknown;
    try {
      value = JSON.parse(utf8.decode(user.data));
    } catch (error) {
      deadLetters.push(
        deadLetter(position, user.partitionKey, 'utf8-json', undefined, (error as Error).message, user.data),
      );
      continue;
    }
    const parsed = parseEvent(value);
    if (!parsed.ok) {
      deadLetters.push(
        deadLetter(
          position,
          user.partitionKey,
          'schema',
          parsed.problem.field,
          parsed.problem.reason,
          user.data,
        ),
      );
      continue;
    }
    const { event, eventTime } = parsed;
    if (event.type === 'inventory' || event.lines.length === 1)
      events.push(decodedEvent(event, eventTime, position));
    else for (const part of splitBySku(event)) events.push(decodedEvent(part, eventTime, position));
  }
  return digest;
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

/**
 * The buffer each record's base64 is decoded into, reused: nothing keeps a record's bytes past its
 * own decoding (events hold parsed values, dead letters a copy). A fresh buffer per record cost
 * about 4 % of the raw path in bench:core. Grows to the largest record seen (at most 1 MiB).
 */
let scratch = Buffer.allocUnsafe(0);

function base64Bytes(data: string): Buffer {
  const size = Buffer.byteLength(data, 'base64');
  if (scratch.length < size) scratch = Buffer.allocUnsafe(Math.max(size, 2 * scratch.length));
  return scratch.subarray(0, scratch.write(data, 'base64'));
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
