import { PricestreamError } from '../errors';

/**
 * A store refused a write because what it holds changed since it was read: another invocation got
 * there first. Retryable: the batch is retried, reloads, and its already-applied events change nothing.
 */
export class StaleStateError extends PricestreamError {
  readonly sku: string;
  readonly shardId: string;

  constructor(sku: string, shardId: string, options?: ErrorOptions) {
    super(`state of ${sku} changed since shard ${shardId} read it`, options);
    this.sku = sku;
    this.shardId = shardId;
  }
}

/**
 * A batch held an event of a SKU it had not read: the record's partition key is not the event's
 * SKU. Not a failure: the consumer reads the SKU and prices the batch again (see BatchPricing).
 */
export class SkuNotReadError extends PricestreamError {
  readonly sku: string;
  readonly shardId: string;

  constructor(sku: string, shardId: string) {
    super(`an event of ${sku} in a batch of shard ${shardId} that did not read it`);
    this.sku = sku;
    this.shardId = shardId;
  }
}
