import { type KinesisClient, PutRecordsCommand, type PutRecordsRequestEntry } from '@aws-sdk/client-kinesis';

/** A Kinesis record waiting to be put, with the per-SKU events it carries (for reporting). */
export interface PendingRecord<T> {
  readonly shardId: string;
  readonly partitionKey: string;
  readonly explicitHashKey?: string | undefined;
  readonly data: Uint8Array;
  readonly items: readonly T[];
  attempts: number;
  lastError?: string;
}

/** Limits PutRecords puts on one request. */
const maxRecordsPerRequest = 500;
const maxBytesPerRequest = 5 * 1024 * 1024;
const maxBytesPerShardPerRequest = 1024 * 1024;
/** How far past repeated keys one shard's queue is searched for a request. */
const maxSkippedPerShard = 2000;

export interface RecordPutterOptions<T> {
  readonly kinesis: KinesisClient;
  readonly streamName: string;
  /**
   * Ordering rule for one request: with aggregation each shard sends at most one record per request;
   * without it, each partition key does. A failure then never leaves a later record of the same key
   * written ahead of an earlier one, and the retry goes out before anything after it.
   */
  readonly onePer: 'shard' | 'partitionKey';
  /** Attempts per record before it is reported as failed. @default 8 */
  readonly maxAttempts?: number;
  /** Base and cap of the full-jitter exponential backoff after a partial failure, in ms. @default 50, 2000 */
  readonly backoffBaseMs?: number;
  readonly backoffCapMs?: number;
  /** Random in [0, 1) for jitter; injectable for tests. @default Math.random */
  readonly random?: () => number;
  /** Called with records that exhausted their attempts. */
  readonly onFailed?: (record: PendingRecord<T>) => void;
  /** Called when the stream put a record on another shard than the map said (the stream was resharded). */
  readonly onMisroute?: () => void;
}

/** Counters a put loop keeps; read them for progress. */
export interface PutCounters {
  requests: number;
  recordsPut: number;
  itemsPut: number;
  retries: number;
  throttled: number;
  failedRecords: number;
  failedItems: number;
}

/**
 * Per-shard queues of Kinesis records and one PutRecords request at a time. Records a request
 * rejects (FailedRecordCount, ProvisionedThroughputExceeded, internal failure) go back to the head
 * of their shard's queue in their original order and are retried after a jittered backoff, up to
 * `maxAttempts`; what still fails is handed to `onFailed`, never dropped in silence.
 */
export class RecordPutter<T> {
  readonly counters: PutCounters = {
    requests: 0,
    recordsPut: 0,
    itemsPut: 0,
    retries: 0,
    throttled: 0,
    failedRecords: 0,
    failedItems: 0,
  };
  private readonly queues = new Map<string, PendingRecord<T>[]>();
  private queuedRecords = 0;
  private queuedBytes = 0;
  private readonly options: Required<Omit<RecordPutterOptions<T>, 'onFailed' | 'onMisroute'>> &
    Pick<RecordPutterOptions<T>, 'onFailed' | 'onMisroute'>;

  constructor(options: RecordPutterOptions<T>) {
    this.options = { maxAttempts: 8, backoffBaseMs: 50, backoffCapMs: 2000, random: Math.random, ...options };
  }

  enqueue(record: PendingRecord<T>): void {
    let queue = this.queues.get(record.shardId);
    if (queue === undefined) {
      queue = [];
      this.queues.set(record.shardId, queue);
    }
    queue.push(record);
    this.queuedRecords += 1;
    this.queuedBytes += record.data.byteLength;
  }

  /** Whether a full request's worth is queued, so sending now wastes nothing. */
  hasFullRequest(): boolean {
    if (this.options.onePer === 'shard')
      return this.queues.size > 0 && [...this.queues.values()].every((q) => q.length > 0);
    return this.queuedRecords >= maxRecordsPerRequest || this.queuedBytes >= maxBytesPerRequest;
  }

  /** Sends one request from the queues' heads; backs off when part of it failed. */
  async sendOne(): Promise<void> {
    const batch = this.takeRequest();
    if (batch.length === 0) return;
    const entries: PutRecordsRequestEntry[] = batch.map((record) => ({
      Data: record.data,
      PartitionKey: record.partitionKey,
      ...(record.explicitHashKey === undefined ? {} : { ExplicitHashKey: record.explicitHashKey }),
    }));
    this.counters.requests += 1;
    let results: {
      ErrorCode?: string | undefined;
      ErrorMessage?: string | undefined;
      ShardId?: string | undefined;
    }[];
    try {
      const response = await this.options.kinesis.send(
        new PutRecordsCommand({ StreamName: this.options.streamName, Records: entries }),
      );
      results = response.Records ?? [];
    } catch (error) {
      if (!isRetryable(error)) {
        this.requeue(batch);
        throw error;
      }
      const message = (error as Error).name || 'request failed';
      results = batch.map(() => ({ ErrorCode: message, ErrorMessage: (error as Error).message }));
    }
    const failed: PendingRecord<T>[] = [];
    let misrouted = false;
    batch.forEach((record, index) => {
      const result = results[index];
      if (result !== undefined && result.ErrorCode === undefined) {
        this.counters.recordsPut += 1;
        this.counters.itemsPut += record.items.length;
        if (result.ShardId !== undefined && result.ShardId !== record.shardId) misrouted = true;
        return;
      }
      record.attempts += 1;
      record.lastError = `${result?.ErrorCode ?? 'NoResult'}: ${result?.ErrorMessage ?? 'no result for this record'}`;
      if (result?.ErrorCode === 'ProvisionedThroughputExceededException') this.counters.throttled += 1;
      if (record.attempts >= this.options.maxAttempts) {
        this.counters.failedRecords += 1;
        this.counters.failedItems += record.items.length;
        this.options.onFailed?.(record);
      } else {
        this.counters.retries += 1;
        failed.push(record);
      }
    });
    if (misrouted) this.options.onMisroute?.();
    if (failed.length > 0) {
      this.requeue(failed);
      await this.backoff(Math.max(...failed.map((record) => record.attempts)));
    }
  }

  /** Sends until every queue is empty (or what remains has failed for good). */
  async drain(): Promise<void> {
    while (this.queuedRecords > 0) await this.sendOne();
  }

  private takeRequest(): PendingRecord<T>[] {
    const batch: PendingRecord<T>[] = [];
    let bytes = 0;
    const keys = new Set<string>();
    for (const [shardId, queue] of this.queues) {
      let shardBytes = 0;
      const kept: PendingRecord<T>[] = [];
      let index = 0;
      for (; index < queue.length; index++) {
        const record = queue[index] as PendingRecord<T>;
        const size = record.data.byteLength + record.partitionKey.length;
        const full =
          batch.length >= maxRecordsPerRequest ||
          bytes + size > maxBytesPerRequest ||
          (shardBytes > 0 && shardBytes + size > maxBytesPerShardPerRequest);
        if (full || kept.length >= maxSkippedPerShard) break;
        if (this.options.onePer === 'partitionKey' && keys.has(record.partitionKey)) {
          // A later record of a key already in this request waits for the next one.
          kept.push(record);
          continue;
        }
        batch.push(record);
        keys.add(record.partitionKey);
        bytes += size;
        shardBytes += size;
        if (this.options.onePer === 'shard') {
          index += 1;
          break;
        }
      }
      const rest = kept.length === 0 ? queue.slice(index) : kept.concat(queue.slice(index));
      if (rest.length === 0) this.queues.delete(shardId);
      else this.queues.set(shardId, rest);
      if (batch.length >= maxRecordsPerRequest) break;
    }
    for (const record of batch) {
      this.queuedRecords -= 1;
      this.queuedBytes -= record.data.byteLength;
    }
    return batch;
  }

  /** Puts records back at the heads of their shards' queues, keeping their order. */
  private requeue(records: readonly PendingRecord<T>[]): void {
    const byShard = new Map<string, PendingRecord<T>[]>();
    for (const record of records) {
      const list = byShard.get(record.shardId) ?? [];
      list.push(record);
      byShard.set(record.shardId, list);
      this.queuedRecords += 1;
      this.queuedBytes += record.data.byteLength;
    }
    for (const [shardId, list] of byShard)
      this.queues.set(shardId, list.concat(this.queues.get(shardId) ?? []));
  }

  private backoff(attempt: number): Promise<void> {
    const { backoffBaseMs, backoffCapMs, random } = this.options;
    const ceiling = Math.min(backoffCapMs, backoffBaseMs * 2 ** (attempt - 1));
    return new Promise((resolve) => setTimeout(resolve, random() * ceiling));
  }
}

/** Throttling and server-side faults are worth retrying; a missing stream or a bad request is not. */
function isRetryable(error: unknown): boolean {
  const name = (error as Error).name;
  if (
    name === 'ResourceNotFoundException' ||
    name === 'ValidationException' ||
    name === 'InvalidArgumentException'
  ) {
    return false;
  }
  const fault = (error as { $fault?: string }).$fault;
  return (
    fault !== 'client' ||
    name === 'ProvisionedThroughputExceededException' ||
    name === 'LimitExceededException'
  );
}
