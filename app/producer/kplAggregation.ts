import { createHash } from 'node:crypto';
import { AggregatedRecord, checksumBytes, magic } from '../../processors/events/kplFormat';

/** One user record: the bytes of one per-SKU event under its SKU as partition key. */
export interface UserRecord {
  readonly partitionKey: string;
  readonly data: Buffer;
}

/** The KPL format's own limit on one aggregated record's payload (1 MiB less magic and checksum). */
export const maxAggregateBytes = 1024 * 1024 - checksumBytes - magic.length;

/**
 * Packs user records bound for one shard into KPL aggregated records (protobuf, magic number,
 * MD5 checksum) whose protobuf body is at most `limitBytes`. Records leave in the order they
 * came, each under its own partition key: the key table is a Map in the order keys first appear
 * (see kplFormat for why not aws-kinesis-agg's aggregator).
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
    let size = this.sizeOf(record);
    if (this.records.length > 0 && this.bodyBytes + size > this.limitBytes) {
      finished = this.flush();
      size = this.sizeOf(record); // its key is new to the next aggregate
    }
    this.bodyBytes += size;
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
