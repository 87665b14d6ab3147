import { createHash } from 'node:crypto';
import { AggregatedRecord, checksumBytes, magic } from './kplFormat';

/** One user record out of a Kinesis record: its partition key, bytes and index in the aggregate. */
export interface UserRecordBytes {
  readonly partitionKey: string;
  readonly data: Uint8Array;
  readonly subSequenceNumber: number;
}

/**
 * Splits a Kinesis record's bytes into its user records: a KPL-aggregated record (magic number,
 * protobuf, MD5 checksum) into each record it holds, any other record into itself. Throws for an
 * aggregate whose checksum or protobuf is broken, or that holds no user record; the caller turns
 * that into a dead letter.
 */
export function userRecordsOf(bytes: Buffer, partitionKey: string): UserRecordBytes[] {
  if (!isAggregated(bytes)) return [{ partitionKey, data: bytes, subSequenceNumber: 0 }];
  const body = bytes.subarray(magic.length, bytes.length - checksumBytes);
  const checksum = createHash('md5').update(body).digest();
  if (checksum.compare(bytes, bytes.length - checksumBytes) !== 0)
    throw new Error('invalid KPL record checksum');
  const message = AggregatedRecord.decode(body);
  // protobufjs reads a length-delimited field that runs past the end as whatever is there: an
  // aggregate it makes nothing of would otherwise vanish without a dead letter.
  if (message.records.length === 0) throw new Error('KPL aggregate holds no user records');
  return message.records.map((record, index) => ({
    partitionKey: message.partition_key_table[tableIndex(record.partition_key_index)] ?? partitionKey,
    data: record.data,
    subSequenceNumber: index,
  }));
}

/** Whether a record's bytes are a KPL aggregate: the magic number, something, an MD5 checksum. */
export function isAggregated(bytes: Buffer): boolean {
  return (
    bytes.length > magic.length + checksumBytes &&
    bytes.compare(magic, 0, magic.length, 0, magic.length) === 0
  );
}

/**
 * A uint64 index as a number: protobufjs hands uint64 fields back as Long objects, and indexing
 * an array with one goes through its toString, a string built per user record.
 */
function tableIndex(index: number | { toNumber(): number }): number {
  return typeof index === 'number' ? index : index.toNumber();
}
