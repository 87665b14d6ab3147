import { EventEmitter } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  ExpiredIteratorException,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type KinesisClient,
  type _Record as KinesisRecord,
  type ShardIteratorType,
} from '@aws-sdk/client-kinesis';
import { listAllShards } from '../stream/shardMap';
import { BatchDelivery, type DeliveryOptions } from './BatchDelivery';
import type { CheckpointStore } from './CheckpointStore';
import { batchLength, fillsBatch, largestRecord, readLimit } from './invocationPayload';
import { defaultPollerSettings, type PollerSettings } from './pollerSettings';

export interface PollerOptions extends DeliveryOptions {
  readonly kinesis: KinesisClient;
  readonly checkpoints: CheckpointStore;
  readonly settings?: Partial<PollerSettings>;
  /** Pause between empty reads of a shard. @default 100 ms */
  readonly idleMs?: number;
}

interface ShardProgress {
  /** Reads that found the shard at the tip of the stream with nothing in flight. */
  caughtUpReads: number;
  finished: boolean;
  /** When the oldest record read but not yet acknowledged reached the stream; undefined when there is none. */
  oldestArrival: number | undefined;
  /** Records read but not yet acknowledged: waiting for a batch, or in one. */
  unacknowledged: number;
}

/**
 * The local runtime's stand-in for Lambda's Kinesis event source mapping, invoking the same
 * handler: per shard, one batch in flight (or `parallelizationFactor` lanes by partition-key
 * hash), checkpoints in DynamoDB after each acknowledged batch (a restart resumes there; each is
 * written while the next batch runs, as Lambda's own checkpointing does not hold a shard), retries
 * from the first failed record a batch reports, bisection, a retry limit and a record age after
 * which a batch goes to the on-failure destination, and shard lineage: a shard is read only after
 * its parents are finished, found with ListShards since not every emulator returns ChildShards.
 */
export class EventSourcePoller {
  private readonly settings: PollerSettings;
  private readonly progress = new Map<string, ShardProgress>();
  private readonly workers = new Map<string, Promise<void>>();
  private readonly events = new EventEmitter();
  private stopping = false;
  private discovery: Promise<void> | undefined;
  private failure: Error | undefined;

  private readonly delivery: BatchDelivery;

  constructor(private readonly options: PollerOptions) {
    this.settings = { ...defaultPollerSettings, ...options.settings };
    this.delivery = new BatchDelivery(options, this.settings, () => this.stopping);
  }

  start(): void {
    this.discovery = this.discover();
  }

  /** Finishes the batches in flight, then stops reading. */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.discovery;
    await Promise.all(this.workers.values());
  }

  /**
   * Resolves once, after this call, shards were listed anew and every shard has been read to its
   * end or to the tip of the stream with nothing in flight: when a producer has put its events
   * before calling this, the pipeline has processed them all, resharded shards included.
   */
  whenCaughtUp(): Promise<void> {
    const passes = this.discoveryPasses;
    const reads = new Map([...this.progress].map(([shardId, shard]) => [shardId, shard.caughtUpReads]));
    return new Promise((resolve, reject) => {
      const check = () => {
        if (this.failure !== undefined) return finish(() => reject(this.failure));
        // Two passes: the one under way at the call may have listed shards before a reshard.
        if (this.discoveryPasses < passes + 2 || !this.lineageSettled) return;
        const done = [...this.progress].every(
          ([shardId, shard]) => shard.finished || shard.caughtUpReads > (reads.get(shardId) ?? 0),
        );
        if (done) finish(resolve);
      };
      const finish = (settle: () => void) => {
        this.events.off('progress', check);
        settle();
      };
      this.events.on('progress', check);
    });
  }

  /** Rejects with the error that stops the runtime (a shard it cannot read or checkpoint), should one. */
  whenFailed(): Promise<never> {
    return new Promise((_, reject) => {
      const check = () => {
        if (this.failure === undefined) return;
        this.events.off('progress', check);
        reject(this.failure);
      };
      this.events.on('progress', check);
      check();
    });
  }

  /**
   * Records read from the stream and not yet acknowledged, over all shards: what the handler has
   * in hand or is about to. A large batch is priced for seconds before its records count as done.
   */
  unacknowledgedRecords(): number {
    let records = 0;
    for (const shard of this.progress.values()) records += shard.unacknowledged;
    return records;
  }

  /**
   * The iterator age, as Lambda's metric of that name: how long ago the oldest record read but not
   * yet acknowledged, over all shards, reached the stream; 0 when none is waiting.
   */
  iteratorAgeMs(): number {
    const now = (this.options.now ?? Date.now)();
    let age = 0;
    for (const shard of this.progress.values())
      if (shard.oldestArrival !== undefined) age = Math.max(age, now - shard.oldestArrival);
    return age;
  }

  private lineageSettled = false;
  private discoveryPasses = 0;

  private async discover(): Promise<void> {
    try {
      while (!this.stopping) {
        const shards = await listAllShards(this.options.kinesis, this.options.streamName);
        const known = new Set(shards.map((shard) => shard.ShardId as string));
        let waiting = false;
        for (const shard of shards) {
          const shardId = shard.ShardId as string;
          if (this.workers.has(shardId)) continue;
          const parents = [shard.ParentShardId, shard.AdjacentParentShardId].filter(
            (parent): parent is string => parent !== undefined && known.has(parent),
          );
          const parentsDone = await Promise.all(parents.map((parent) => this.isFinished(parent)));
          if (parentsDone.every(Boolean)) {
            this.progress.set(shardId, {
              caughtUpReads: 0,
              finished: false,
              oldestArrival: undefined,
              unacknowledged: 0,
            });
            this.workers.set(shardId, this.runShard(shardId));
          } else {
            waiting = true;
          }
        }
        this.lineageSettled = !waiting;
        this.discoveryPasses += 1;
        this.events.emit('progress');
        await sleep(waiting ? 100 : 500);
      }
    } catch (error) {
      this.fail(error as Error);
    }
  }

  private async isFinished(shardId: string): Promise<boolean> {
    if (this.progress.get(shardId)?.finished) return true;
    return (await this.options.checkpoints.get(shardId))?.finished === true;
  }

  private fail(error: Error): void {
    this.failure = error;
    this.stopping = true;
    this.events.emit('progress');
  }

  private async iterator(shardId: string, after: string | undefined): Promise<string | undefined> {
    const { startingPosition, startingTimestamp } = this.settings;
    const type: ShardIteratorType = after !== undefined ? 'AFTER_SEQUENCE_NUMBER' : startingPosition;
    const result = await this.options.kinesis.send(
      new GetShardIteratorCommand({
        StreamName: this.options.streamName,
        ShardId: shardId,
        ShardIteratorType: type,
        ...(after !== undefined ? { StartingSequenceNumber: after } : {}),
        ...(type === 'AT_TIMESTAMP' ? { Timestamp: startingTimestamp } : {}),
      }),
    );
    return result.ShardIterator;
  }

  private async runShard(shardId: string): Promise<void> {
    const progress = this.progress.get(shardId) as ShardProgress;
    try {
      const checkpoint = await this.options.checkpoints.get(shardId);
      if (checkpoint?.finished) {
        progress.finished = true;
        return;
      }
      let lastDone = checkpoint?.sequenceNumber;
      let iterator = await this.iterator(shardId, lastDone);
      let pending: KinesisRecord[] = [];
      /** The largest record of the last read, which sizes the next read (see `readLimit`). */
      let recordBytes: number | undefined;
      /**
       * The last batch's checkpoint, written while the next batch is read and handled: it only says
       * where a restart resumes, and one that lands a batch late replays that batch, which is
       * harmless. At most one is in flight, and a failed one fails the shard at the next batch.
       */
      let checkpointing: Promise<void> | undefined;
      const saveCheckpoint = async (finished: boolean) => {
        await checkpointing;
        checkpointing = this.options.checkpoints.put(shardId, { sequenceNumber: lastDone, finished });
        checkpointing.catch(() => {}); // awaited before the next one, and when the shard stops
      };
      while (!this.stopping) {
        const windowStarted = performance.now();
        let behind = 0;
        // Reads until the pending records fill a batch, by count or by payload, and no further.
        while (iterator !== undefined && !fillsBatch(pending, this.settings.batchSize)) {
          try {
            const page = await this.options.kinesis.send(
              new GetRecordsCommand({
                ShardIterator: iterator,
                Limit: readLimit(this.settings.batchSize - pending.length, recordBytes),
              }),
            );
            recordBytes = largestRecord(page.Records) ?? recordBytes;
            pending.push(...(page.Records ?? []));
            progress.unacknowledged = pending.length;
            iterator = page.NextShardIterator;
            behind = page.MillisBehindLatest ?? 0;
            const windowOpen = performance.now() - windowStarted < this.settings.batchWindowMs;
            if ((page.Records ?? []).length === 0 && (!windowOpen || pending.length === 0)) break;
            if (!windowOpen) break;
          } catch (error) {
            if (!(error instanceof ExpiredIteratorException)) throw error;
            pending = [];
            progress.unacknowledged = 0;
            iterator = await this.iterator(shardId, lastDone);
          }
        }
        if (pending.length === 0) {
          if (iterator === undefined) {
            await saveCheckpoint(true);
            await checkpointing;
            progress.finished = true;
            this.events.emit('progress');
            return;
          }
          await checkpointing; // caught up means checkpointed too
          if (behind === 0) progress.caughtUpReads += 1;
          this.events.emit('progress');
          await sleep(this.options.idleMs ?? 100);
          continue;
        }
        const batch = pending.slice(0, batchLength(pending, this.settings.batchSize));
        progress.oldestArrival = batch[0]?.ApproximateArrivalTimestamp?.getTime();
        const consumed = await this.delivery.deliver(shardId, batch);
        if (consumed > 0) {
          lastDone = batch[consumed - 1]?.SequenceNumber;
          await saveCheckpoint(false);
        }
        pending = pending.slice(consumed);
        progress.unacknowledged = pending.length;
        progress.oldestArrival = pending[0]?.ApproximateArrivalTimestamp?.getTime();
      }
      await checkpointing;
    } catch (error) {
      this.fail(error as Error);
    }
  }
}
