/** The event source mapping settings the local runtime honours, with Lambda's meanings. */
export interface PollerSettings {
  readonly startingPosition: 'TRIM_HORIZON' | 'LATEST' | 'AT_TIMESTAMP';
  readonly startingTimestamp?: Date | undefined;
  /** Records per invocation, at most. @default 100 */
  readonly batchSize: number;
  /** Wait up to this long to fill a batch (MaximumBatchingWindowInSeconds). @default 0 */
  readonly batchWindowMs: number;
  /** Concurrent batches per shard, split by partition-key hash so each SKU stays in order. @default 1 */
  readonly parallelizationFactor: number;
  /** Split a failing batch in two and retry each half. @default false */
  readonly bisectOnError: boolean;
  /** Retries of a failing batch before it goes to the on-failure destination; -1: until its records expire. @default -1 */
  readonly maxRetries: number;
  /** Records older than this (by arrival) are not processed but sent to the on-failure destination; -1: never. @default -1 */
  readonly maxRecordAgeMs: number;
  /**
   * An invocation still running after this long has failed, as one past Lambda's function timeout
   * has, and its batch is retried. @default 60,000 (the deployed function's timeout)
   */
  readonly functionTimeoutMs: number;
}

export const defaultPollerSettings: PollerSettings = {
  startingPosition: 'TRIM_HORIZON',
  batchSize: 100,
  batchWindowMs: 0,
  parallelizationFactor: 1,
  bisectOnError: false,
  maxRetries: -1,
  maxRecordAgeMs: -1,
  functionTimeoutMs: 60_000,
};
