import type { KinesisClient } from '@aws-sdk/client-kinesis';
import type { StreamEvent } from '../../processors/events/schema';
import { skuOf, splitBySku } from '../../processors/events/splitBySku';
import { loadShardMap, type ShardMap } from '../stream/shardMap';
import { maxAggregateBytes, ShardAggregator } from './kplAggregation';
import { type PendingRecord, type PutCounters, RecordPutter } from './RecordPutter';

export interface ProducerOptions {
  readonly kinesis: KinesisClient;
  readonly streamName: string;
  /** KPL-aggregate user records per shard. @default true */
  readonly aggregate?: boolean;
  /** Largest aggregated record, bytes. @default 256 KiB */
  readonly aggregateBytes?: number;
  /** Attempts per Kinesis record before it is reported as failed. @default 8 */
  readonly maxAttempts?: number;
  /** Send what is buffered once the oldest buffered event is this old (ms of wall time). @default 100 */
  readonly lingerMs?: number;
  readonly backoffBaseMs?: number;
  readonly random?: () => number;
}

/** What a run put, and what it could not. `failedEvents` lists every per-SKU event not written. */
export interface ProduceReport extends PutCounters {
  readonly events: number;
  readonly userRecords: number;
  readonly failedEvents: readonly { readonly event: StreamEvent; readonly error: string }[];
}

/**
 * Puts events into a Kinesis stream, in order per SKU. Each event is split per SKU
 * (`splitBySku`) and keyed by SKU. With aggregation, a shard's user records are packed into KPL
 * records sent with the shard's starting hash key, so one hot SKU is not held to 1,000 records/s
 * per shard. The shard map is reloaded when the stream places a record on a shard the map did
 * not expect (it was resharded).
 */
export class Producer {
  private readonly options: Required<Omit<ProducerOptions, 'random' | 'backoffBaseMs'>> &
    Pick<ProducerOptions, 'random' | 'backoffBaseMs'>;
  private readonly putter: RecordPutter<StreamEvent>;
  private readonly aggregators = new Map<string, ShardAggregator>();
  private readonly pendingItems = new Map<string, StreamEvent[]>();
  private readonly failedEvents: { event: StreamEvent; error: string }[] = [];
  private shardMap: ShardMap | undefined;
  private shardMapStale = false;
  private events = 0;
  private userRecords = 0;
  private bufferedSince: number | undefined;

  constructor(options: ProducerOptions) {
    this.options = { aggregate: true, aggregateBytes: 256 * 1024, maxAttempts: 8, lingerMs: 100, ...options };
    if (this.options.aggregateBytes > maxAggregateBytes) {
      throw new RangeError(`aggregateBytes: at most ${maxAggregateBytes}`);
    }
    this.putter = new RecordPutter<StreamEvent>({
      kinesis: options.kinesis,
      streamName: options.streamName,
      onePer: this.options.aggregate ? 'shard' : 'partitionKey',
      maxAttempts: this.options.maxAttempts,
      ...(options.backoffBaseMs === undefined ? {} : { backoffBaseMs: options.backoffBaseMs }),
      ...(options.random === undefined ? {} : { random: options.random }),
      onFailed: (record) => {
        for (const event of record.items)
          this.failedEvents.push({ event, error: record.lastError ?? 'failed' });
      },
      onMisroute: () => {
        this.shardMapStale = true;
      },
    });
  }

  /** Progress so far; cheap enough to read on every tick of a progress bar. */
  report(): ProduceReport {
    return {
      ...this.putter.counters,
      events: this.events,
      userRecords: this.userRecords,
      failedEvents: this.failedEvents,
    };
  }

  /** Buffers one event, sending whenever a full request is ready or the linger time has passed. */
  async put(event: StreamEvent): Promise<void> {
    const map = await this.currentShardMap();
    this.events += 1;
    for (const part of splitBySku(event)) {
      const partitionKey = skuOf(part);
      const data = Buffer.from(JSON.stringify(part));
      const shard = map.shardFor(partitionKey);
      this.userRecords += 1;
      if (this.options.aggregate)
        this.aggregateInto(shard.shardId, shard.explicitHashKey, partitionKey, data, part);
      else this.putter.enqueue({ shardId: shard.shardId, partitionKey, data, items: [part], attempts: 0 });
    }
    this.bufferedSince ??= performance.now();
    if (this.putter.hasFullRequest()) await this.putter.sendOne();
    else if (performance.now() - this.bufferedSince >= this.options.lingerMs) await this.flush();
  }

  /** Puts every event of a source, then flushes. */
  async putAll(events: AsyncIterable<StreamEvent> | Iterable<StreamEvent>): Promise<ProduceReport> {
    for await (const event of events) await this.put(event);
    await this.flush();
    return this.report();
  }

  /** Closes the open aggregates and sends everything buffered. */
  async flush(): Promise<void> {
    for (const shardId of this.aggregators.keys()) this.closeAggregate(shardId);
    await this.putter.drain();
    this.bufferedSince = undefined;
  }

  private aggregateInto(
    shardId: string,
    explicitHashKey: string,
    partitionKey: string,
    data: Buffer,
    event: StreamEvent,
  ): void {
    let aggregator = this.aggregators.get(shardId);
    if (aggregator === undefined) {
      aggregator = new ShardAggregator(this.options.aggregateBytes);
      this.aggregators.set(shardId, aggregator);
    }
    const items = this.pendingItems.get(shardId) ?? [];
    const finished = aggregator.add({ partitionKey, data });
    if (finished !== undefined) {
      const firstKey = skuOf(items[0] as StreamEvent);
      this.putter.enqueue({
        shardId,
        partitionKey: firstKey,
        explicitHashKey,
        data: finished,
        items,
        attempts: 0,
      });
      this.pendingItems.set(shardId, [event]);
    } else {
      items.push(event);
      this.pendingItems.set(shardId, items);
    }
  }

  private closeAggregate(shardId: string): void {
    const data = this.aggregators.get(shardId)?.flush();
    const items = this.pendingItems.get(shardId) ?? [];
    if (data === undefined || items.length === 0) return;
    const shard = this.shardMap?.shards.find((candidate) => candidate.shardId === shardId);
    const first = items[0] as StreamEvent;
    this.putter.enqueue({
      shardId,
      partitionKey: skuOf(first),
      explicitHashKey: shard?.explicitHashKey,
      data,
      items,
      attempts: 0,
    } satisfies PendingRecord<StreamEvent>);
    this.pendingItems.delete(shardId);
  }

  private async currentShardMap(): Promise<ShardMap> {
    if (this.shardMap !== undefined && !this.shardMapStale) return this.shardMap;
    if (this.shardMap !== undefined) await this.flush();
    this.shardMap = await loadShardMap(this.options.kinesis, this.options.streamName);
    this.shardMapStale = false;
    this.aggregators.clear();
    return this.shardMap;
  }
}
