import type { KinesisClient } from '@aws-sdk/client-kinesis';
import type { StreamEvent } from '../../processors/events/schema';
import { skuOf, splitBySku } from '../../processors/events/splitBySku';
import { loadShardMap, type ShardMap } from '../stream/shardMap';
import { maxAggregateBytes, ShardAggregator } from './kplAggregation';
import { type PendingRecord, type PutCounters, RecordPutter } from './RecordPutter';

export interface ProducerOptions {
  readonly kinesis: KinesisClient;
  readonly streamName: string;
  /** KPL-aggregate user records. @default true */
  readonly aggregate?: boolean;
  /**
   * What an aggregate holds. `shard`: any SKUs bound for one shard (fewest records). `sku`: one
   * SKU's events only, under that SKU's partition key, so consumers that split a shard into lanes
   * by partition key (a parallelization factor above 1) still see each SKU in one lane, in order.
   * @default 'shard'
   */
  readonly aggregateBy?: 'shard' | 'sku';
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

/** An aggregate being filled: where it goes and the events it holds. */
interface OpenAggregate {
  readonly aggregator: ShardAggregator;
  readonly shardId: string;
  /** The shard's starting hash key for a shard aggregate; unset for a SKU's (its key routes it). */
  readonly explicitHashKey: string | undefined;
  items: StreamEvent[];
}

/**
 * Puts events into a Kinesis stream, in order per SKU. Each event is split per SKU
 * (`splitBySku`) and keyed by SKU. With aggregation, user records are packed into KPL records, so
 * one hot SKU is not held to 1,000 records/s per shard: by shard (sent with the shard's starting
 * hash key) or by SKU (see `aggregateBy`). The shard map is reloaded when the stream places a
 * record on a shard the map did not expect (it was resharded).
 */
export class Producer {
  private readonly options: Required<Omit<ProducerOptions, 'random' | 'backoffBaseMs'>> &
    Pick<ProducerOptions, 'random' | 'backoffBaseMs'>;
  private readonly putter: RecordPutter<StreamEvent>;
  /** Open aggregates by shard id or SKU (`aggregateBy`). */
  private readonly open = new Map<string, OpenAggregate>();
  private readonly failedEvents: { event: StreamEvent; error: string }[] = [];
  private shardMap: ShardMap | undefined;
  private shardMapStale = false;
  private events = 0;
  private userRecords = 0;
  private bufferedSince: number | undefined;

  constructor(options: ProducerOptions) {
    this.options = {
      aggregate: true,
      aggregateBy: 'shard',
      aggregateBytes: 256 * 1024,
      maxAttempts: 8,
      lingerMs: 100,
      ...options,
    };
    if (this.options.aggregateBytes > maxAggregateBytes) {
      throw new RangeError(`aggregateBytes: at most ${maxAggregateBytes}`);
    }
    this.putter = new RecordPutter<StreamEvent>({
      kinesis: options.kinesis,
      streamName: options.streamName,
      onePer: this.options.aggregate && this.options.aggregateBy === 'shard' ? 'shard' : 'partitionKey',
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

  /** The per-SKU events that failed for good since the last call, handed over once each. */
  takeFailedEvents(): { event: StreamEvent; error: string }[] {
    return this.failedEvents.splice(0);
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
      if (this.options.aggregate && this.options.aggregateBy === 'sku')
        this.aggregateInto(partitionKey, shard.shardId, undefined, partitionKey, data, part);
      else if (this.options.aggregate)
        this.aggregateInto(shard.shardId, shard.shardId, shard.explicitHashKey, partitionKey, data, part);
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
    for (const key of [...this.open.keys()]) this.closeAggregate(key);
    await this.putter.drain();
    this.bufferedSince = undefined;
  }

  private aggregateInto(
    key: string,
    shardId: string,
    explicitHashKey: string | undefined,
    partitionKey: string,
    data: Buffer,
    event: StreamEvent,
  ): void {
    let open = this.open.get(key);
    if (open === undefined) {
      open = {
        aggregator: new ShardAggregator(this.options.aggregateBytes),
        shardId,
        explicitHashKey,
        items: [],
      };
      this.open.set(key, open);
    }
    const finished = open.aggregator.add({ partitionKey, data });
    if (finished !== undefined) {
      this.enqueueAggregate(open, finished);
      open.items = [];
    }
    open.items.push(event);
  }

  private closeAggregate(key: string): void {
    const open = this.open.get(key);
    this.open.delete(key);
    const data = open?.aggregator.flush();
    if (open === undefined || data === undefined || open.items.length === 0) return;
    this.enqueueAggregate(open, data);
  }

  /** Queues a finished aggregate under its first event's SKU as partition key. */
  private enqueueAggregate(open: OpenAggregate, data: Buffer): void {
    this.putter.enqueue({
      shardId: open.shardId,
      partitionKey: skuOf(open.items[0] as StreamEvent),
      explicitHashKey: open.explicitHashKey,
      data,
      items: open.items,
      attempts: 0,
    } satisfies PendingRecord<StreamEvent>);
  }

  private async currentShardMap(): Promise<ShardMap> {
    if (this.shardMap !== undefined && !this.shardMapStale) return this.shardMap;
    if (this.shardMap !== undefined) await this.flush();
    this.shardMap = await loadShardMap(this.options.kinesis, this.options.streamName);
    this.shardMapStale = false;
    return this.shardMap;
  }
}
