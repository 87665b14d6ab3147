import aggregation from 'aws-kinesis-agg';
import type { DeadLetter, DecodedEvent } from './decodedEvent';
import { parseEvent } from './parseEvent';
import type { EventPosition } from './position';
import { skuOf, splitBySku } from './splitBySku';

/** The fields of a Lambda Kinesis record decoding needs (a `KinesisStreamRecord` has them all). */
export interface KinesisRecordInput {
  readonly eventID: string;
  readonly kinesis: {
    readonly data: string;
    readonly partitionKey: string;
    readonly sequenceNumber: string;
    readonly explicitHashKey?: string | undefined;
  };
}

/** What a batch of records decodes to: events in stream order, and the dead letters. */
export interface DecodedBatch {
  readonly events: DecodedEvent[];
  readonly deadLetters: DeadLetter[];
}

/** Strict: bytes that are not UTF-8 are a dead letter, not replacement characters. */
const utf8 = new TextDecoder('utf-8', { fatal: true });

interface UserRecord {
  readonly partitionKey: string;
  readonly sequenceNumber: string;
  readonly subSequenceNumber?: number;
  readonly data: string;
}

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
  for (const record of records) decodeRecord(record, events, deadLetters);
  return { events, deadLetters };
}

/** The shard of a Lambda Kinesis record: its eventID is `shardId-…:sequenceNumber`. */
export function shardOf(record: KinesisRecordInput): string {
  const colon = record.eventID.indexOf(':');
  return colon < 0 ? record.eventID : record.eventID.slice(0, colon);
}

function decodeRecord(record: KinesisRecordInput, events: DecodedEvent[], deadLetters: DeadLetter[]): void {
  const shardId = shardOf(record);
  const { partitionKey, sequenceNumber, data } = record.kinesis;
  let userRecords: UserRecord[] = [];
  let failure: Error | undefined;
  aggregation.deaggregateSync(record.kinesis as never, true, (error, users) => {
    failure = error ?? undefined;
    userRecords = (users ?? []) as unknown as UserRecord[];
  });
  if (failure !== undefined) {
    const position = { shardId, sequenceNumber, subSequenceNumber: 0 };
    deadLetters.push({
      position,
      partitionKey,
      step: 'deaggregate',
      field: undefined,
      reason: failure.message,
      data,
    });
    return;
  }
  for (const user of userRecords) {
    const position: EventPosition = {
      shardId,
      sequenceNumber,
      subSequenceNumber: user.subSequenceNumber ?? 0,
    };
    const fail = (step: DeadLetter['step'], field: string | undefined, reason: string) =>
      deadLetters.push({ position, partitionKey: user.partitionKey, step, field, reason, data: user.data });
    let value: unknown;
    try {
      value = JSON.parse(utf8.decode(Buffer.from(user.data, 'base64')));
    } catch (error) {
      fail('utf8-json', undefined, (error as Error).message);
      continue;
    }
    const parsed = parseEvent(value);
    if (!parsed.ok) {
      fail('schema', parsed.problem.field, parsed.problem.reason);
      continue;
    }
    const eventTime = Date.parse(parsed.event.eventTime);
    for (const event of splitBySku(parsed.event))
      events.push({ sku: skuOf(event), eventTime, event, position });
  }
}
