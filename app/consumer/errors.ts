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
