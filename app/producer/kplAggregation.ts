import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';

/** One user record: the bytes of one per-SKU event under its SKU as partition key. */
export interface UserRecord {
  readonly partitionKey: string;
  readonly data: Buffer;
}

interface AggregatedRecordMessage {
  readonly partition_key_table: readonly string[];
  readonly records: readonly { readonly partition_key_index: number; readonly data: Uint8Array }[];
}

// aws-kinesis-agg's protobuf type for the KPL aggregated record, and its magic number. Its own
// aggregators keep the partition-key table in a plain object, whose key order puts integer-like
// keys first and drops `__proto__`: a SKU such as `10023` would come out under another record's
// key. The table is kept here in a Map, in the order keys first appear.
const { AggregatedRecord, magic } = createRequire(import.meta.url)('aws-kinesis-agg/lib/common.js') as {
  AggregatedRecord: { encode(message: AggregatedRecordMessage): { finish(): Uint8Array } };
  magic: Buffer;
};

/** The KPL format's own limit on one aggregated record's payload (1 MiB less magic and checksum). */
export const maxAggregateBytes = 1024 * 1024 - 16 - 4;

/**
 * Packs user records bound for one shard into KPL aggregated records (protobuf, magic number,
 * MD5 checksum) whose protobuf body is at most `limitBytes`. Records leave in the order they
 * came, each under its own partition key.
 */
export class ShardAggregator {
  private readonly limitBytes: number;
  private keys = new Map<string, number>();
  private records: { partition_key_index: number; data: Uint8Array }[] = [];
  private bodyBytes = 0;

  constructor(limitBytes: number) {
    if (limitBytes > maxAggregateBytes)
      throw new RangeError(`an aggregated record holds at most ${maxAggregateBytes} bytes`);
    this.limitBytes = limitBytes;
  }

  /** Adds a user record; returns the finished aggregate when this record did not fit beside the others. */
  add(record: UserRecord): Buffer | undefined {
    let finished: Buffer | undefined;
    if (this.records.length > 0 && this.bodyBytes + this.sizeOf(record) > this.limitBytes)
      finished = this.flush();
    this.bodyBytes += this.sizeOf(record);
    let index = this.keys.get(record.partitionKey);
    if (index === undefined) {
      index = this.keys.size;
      this.keys.set(record.partitionKey, index);
    }
    this.records.push({ partition_key_index: index, data: record.data });
    return finished;
  }

  /** Encodes what is pending into one aggregated record, or undefined when nothing is. */
  flush(): Buffer | undefined {
    if (this.records.length === 0) return undefined;
    const body = AggregatedRecord.encode({
      partition_key_table: [...this.keys.keys()],
      records: this.records,
    }).finish();
    this.keys = new Map();
    this.records = [];
    this.bodyBytes = 0;
    return Buffer.concat([magic, body, createHash('md5').update(body).digest()]);
  }

  /** The bytes a record adds to the protobuf body: its key, if new, and the record message. */
  private sizeOf(record: UserRecord): number {
    const index = this.keys.get(record.partitionKey);
    const key = index === undefined ? fieldBytes(Buffer.byteLength(record.partitionKey)) : 0;
    const message = 1 + varintBytes(index ?? this.keys.size) + fieldBytes(record.data.length);
    return key + fieldBytes(message);
  }
}

/** A length-delimited field: its tag, its length as a varint, its bytes. */
function fieldBytes(length: number): number {
  return 1 + varintBytes(length) + length;
}

function varintBytes(value: number): number {
  let bytes = 1;
  for (let rest = value; rest >= 128; rest = Math.floor(rest / 128)) bytes += 1;
  return bytes;
}
