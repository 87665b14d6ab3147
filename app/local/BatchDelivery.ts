import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { _Record as KinesisRecord } from '@aws-sdk/client-kinesis';
import type { KinesisStreamBatchResponse, KinesisStreamEvent } from 'aws-lambda';
import { compareSequenceNumbers } from '../../processors/events/position';
import type { FailedBatch } from '../consumer/DeadLetterStore';
import { lambdaRecord } from '../stream/lambdaRecords';
import type { PollerSettings } from './pollerSettings';

/** What a delivery needs of the poller's options. */
export interface DeliveryOptions {
  readonly region: string;
  readonly streamName: string;
  readonly handler: (event: KinesisStreamEvent) => Promise<KinesisStreamBatchResponse>;
  /** Where batches that are given up on go (the on-failure destination). */
  readonly onFailure: (batch: FailedBatch) => Promise<void>;
  /** Called after every invocation, for progress. */
  readonly onBatch?: (shardId: string, records: number, failed: boolean) => void;
  /** Wall clock (record and iterator age only). @default Date.now */
  readonly now?: () => number;
}

/**
 * Hands a shard's batch to the handler as Lambda's event source mapping does: one invocation per
 * lane (`parallelizationFactor`, by partition-key hash), each within the function timeout; the
 * records before the first one a lane reports failed are done, and the rest are retried with
 * backoff, split in two with `bisectOnError`, until `maxRetries` or `maxRecordAgeMs` sends them to
 * the on-failure destination.
 */
export class BatchDelivery {
  constructor(
    private readonly options: DeliveryOptions,
    private readonly settings: PollerSettings,
    /** Whether the poller is stopping: a failing batch is then left for the next start, not retried. */
    private readonly stopping: () => boolean,
  ) {}

  /** Processes a batch until it is acknowledged or given up; returns how many leading records are done. */
  async deliver(shardId: string, batch: KinesisRecord[]): Promise<number> {
    const now = this.options.now ?? Date.now;
    let attempts = 0;
    for (;;) {
      const { maxRecordAgeMs } = this.settings;
      if (maxRecordAgeMs >= 0) {
        const expired = batch.findIndex(
          (record) => now() - (record.ApproximateArrivalTimestamp?.getTime() ?? now()) <= maxRecordAgeMs,
        );
        const count = expired === -1 ? batch.length : expired;
        if (count > 0) {
          await this.giveUp(
            shardId,
            batch.slice(0, count),
            `older than the maximum record age (${maxRecordAgeMs} ms)`,
          );
          return count;
        }
      }
      const failedAt = await this.invoke(shardId, batch);
      this.options.onBatch?.(shardId, failedAt ?? batch.length, failedAt !== undefined);
      if (failedAt === undefined) return batch.length;
      if (failedAt > 0) return failedAt; // the records before the failed one are acknowledged
      attempts += 1;
      if (this.settings.maxRetries >= 0 && attempts > this.settings.maxRetries) {
        await this.giveUp(
          shardId,
          batch,
          `failed ${attempts} times (maximum retries ${this.settings.maxRetries})`,
        );
        return batch.length;
      }
      if (this.settings.bisectOnError && batch.length > 1) {
        const half = Math.ceil(batch.length / 2);
        const done = await this.deliver(shardId, batch.slice(0, half));
        return done < half ? done : half + (await this.deliver(shardId, batch.slice(half)));
      }
      if (this.stopping()) return 0;
      await sleep(Math.min(1000, 50 * 2 ** attempts));
    }
  }

  private async giveUp(shardId: string, records: KinesisRecord[], reason: string): Promise<void> {
    await this.options.onFailure({
      shardId,
      firstSequenceNumber: records[0]?.SequenceNumber ?? '',
      lastSequenceNumber: records.at(-1)?.SequenceNumber ?? '',
      records: records.length,
      reason,
    });
  }

  /** Invokes the handler once per lane; returns the index of the earliest record any lane failed at. */
  private async invoke(shardId: string, batch: KinesisRecord[]): Promise<number | undefined> {
    const lanes = this.settings.parallelizationFactor;
    const byLane = new Map<number, number[]>();
    batch.forEach((record, index) => {
      const lane = lanes === 1 ? 0 : laneOf(record.PartitionKey ?? '', lanes);
      const indexes = byLane.get(lane);
      if (indexes === undefined) byLane.set(lane, [index]);
      else indexes.push(index);
    });
    const failures = await Promise.all(
      [...byLane.values()].map(async (indexes) => {
        const event: KinesisStreamEvent = {
          Records: indexes.map((index) => lambdaRecord(this.options, shardId, batch[index] as KinesisRecord)),
        };
        let response: KinesisStreamBatchResponse;
        try {
          response = await this.withinTimeout(this.options.handler(event));
        } catch {
          return indexes[0];
        }
        const failed = response.batchItemFailures?.[0]?.itemIdentifier;
        if (failed === undefined) return undefined;
        return (
          indexes.find((index) => compareSequenceNumbers(batch[index]?.SequenceNumber ?? '', failed) >= 0) ??
          indexes[0]
        );
      }),
    );
    const failed = failures.filter((index): index is number => index !== undefined);
    return failed.length === 0 ? undefined : Math.min(...failed);
  }

  /**
   * The invocation's answer, or a rejection once the function timeout passes. Lambda would stop
   * the invocation there; here it runs on, and whatever it still writes is harmless, as a
   * timed-out invocation's partial writes are on AWS: every SKU write is conditional on the
   * version it read.
   */
  private async withinTimeout<T>(invocation: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      const ms = this.settings.functionTimeoutMs;
      timer = setTimeout(() => reject(new Error(`invocation timed out after ${ms} ms`)), ms);
    });
    try {
      return await Promise.race([invocation, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}

/** A partition key's lane among `lanes`: every record of a key goes to the same lane, in order. */
function laneOf(partitionKey: string, lanes: number): number {
  return createHash('md5').update(partitionKey).digest().readUInt32BE(0) % lanes;
}
