import aggregation from 'aws-kinesis-agg';

/** One user record: the bytes of one per-SKU event under its SKU as partition key. */
export interface UserRecord {
  readonly partitionKey: string;
  readonly data: Buffer;
}

/** The part of aws-kinesis-agg's RecordAggregator pricestream uses (it is not in the package's typings). */
interface KplRecordAggregator {
  readonly totalBytes: number;
  addUserRecord(record: { partitionKey: string; data: Buffer }): void;
  calculateUserRecordSize(record: { partitionKey: string; data: Buffer }): number;
  length(): number;
  build(): { partitionKey: string; data: Buffer } | undefined;
}

const { RecordAggregator } = aggregation as unknown as { RecordAggregator: new () => KplRecordAggregator };

/** The KPL format's own limit on one aggregated record's payload (1 MiB less magic and checksum). */
export const maxAggregateBytes = 1024 * 1024 - 16 - 4;

/**
 * Packs user records bound for one shard into KPL aggregated records (protobuf, magic number,
 * MD5 checksum) of at most `limitBytes` each. Records leave in the order they came.
 */
export class ShardAggregator {
  private aggregator = new RecordAggregator();
  private readonly limitBytes: number;

  constructor(limitBytes: number) {
    if (limitBytes > maxAggregateBytes)
      throw new RangeError(`an aggregated record holds at most ${maxAggregateBytes} bytes`);
    this.limitBytes = limitBytes;
  }

  /** Adds a user record; returns the finished aggregate when this record did not fit beside the others. */
  add(record: UserRecord): Buffer | undefined {
    const size = this.aggregator.calculateUserRecordSize(record);
    let finished: Buffer | undefined;
    if (this.aggregator.length() > 0 && this.aggregator.totalBytes + size > this.limitBytes)
      finished = this.flush();
    this.aggregator.addUserRecord(record);
    return finished;
  }

  /** Encodes what is pending into one aggregated record, or undefined when nothing is. */
  flush(): Buffer | undefined {
    if (this.aggregator.length() === 0) return undefined;
    return this.aggregator.build()?.data;
  }
}
