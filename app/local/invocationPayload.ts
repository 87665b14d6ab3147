import type { _Record as KinesisRecord } from '@aws-sdk/client-kinesis';

/** Lambda's limit on an invocation's payload, which cuts a batch whatever its batch size. */
const invocationPayloadBytes = 6 * 1024 * 1024;
/** What a record adds to the payload besides its base64 data: its ids, ARNs and names, as JSON. */
const recordEnvelopeBytes = 500;

/** What a record of `dataBytes` adds to an invocation's payload: its data as base64, and its envelope. */
function payloadBytes(dataBytes: number): number {
  return Math.ceil(dataBytes / 3) * 4 + recordEnvelopeBytes;
}

/** Whether `records` hold a whole batch: `batchSize` of them, or more than one invocation's payload. */
export function fillsBatch(records: readonly KinesisRecord[], batchSize: number): boolean {
  return records.length >= batchSize || batchLength(records, batchSize) < records.length;
}

/**
 * How many of `records` the next batch takes: at most `batchSize`, and only as many as one
 * invocation's 6 MB payload holds (17 aggregated records of 256 KiB), but always one.
 */
export function batchLength(records: readonly KinesisRecord[], batchSize: number): number {
  const most = Math.min(batchSize, records.length);
  let bytes = 0;
  for (let count = 0; count < most; count++) {
    bytes += payloadBytes(records[count]?.Data?.length ?? 0);
    if (bytes > invocationPayloadBytes) return Math.max(1, count);
  }
  return most;
}

/**
 * How many records the next GetRecords asks for: what the batch still lacks, and no more than one
 * invocation's payload of records of `recordBytes`, the largest of the last read. Kinesis stops a
 * call at 10 MB; kinesalite returns as many records as asked for whatever their size, so without
 * this a shard of 256 KB aggregates was read up to 500 records (128 MB) ahead of the 17 a batch
 * takes. Before the first record the size is unknown, and the read asks for the whole batch.
 */
export function readLimit(missing: number, recordBytes: number | undefined): number {
  const fit =
    recordBytes === undefined ? missing : Math.ceil(invocationPayloadBytes / payloadBytes(recordBytes));
  return Math.max(1, Math.min(10_000, missing, fit));
}

/** The largest data of these records, in bytes; undefined for none. */
export function largestRecord(records: readonly KinesisRecord[] | undefined): number | undefined {
  if (records === undefined || records.length === 0) return undefined;
  return Math.max(...records.map((record) => record.Data?.length ?? 0));
}
