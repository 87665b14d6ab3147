import { createRequire } from 'node:module';

/** The KPL aggregated record's protobuf message, with the fields pricestream reads and writes. */
export interface AggregatedRecordMessage {
  readonly partition_key_table: readonly string[];
  /** `partition_key_index` is a uint64: protobufjs decodes it as a Long object, encodes a number. */
  readonly records: readonly {
    readonly partition_key_index: number | { toNumber(): number };
    readonly data: Uint8Array;
  }[];
}

/**
 * aws-kinesis-agg's protobuf type for the KPL aggregated record and its magic number: the one
 * definition of the format that the consumer decodes and the producer encodes. Its public
 * functions are not used: deaggregate() hands each user record back as a base64 string (an encode
 * and a decode per event on the hot path), and its aggregators keep the partition-key table in a
 * plain object, which puts integer-like keys first and drops `__proto__`.
 */
export const { AggregatedRecord, magic } = createRequire(import.meta.url)(
  'aws-kinesis-agg/lib/common.js',
) as {
  readonly AggregatedRecord: {
    decode(bytes: Uint8Array): AggregatedRecordMessage;
    encode(message: AggregatedRecordMessage): { finish(): Uint8Array };
  };
  readonly magic: Buffer;
};

/** The MD5 checksum that ends an aggregated record, in bytes. */
export const checksumBytes = 16;
