import { Logger } from '@aws-lambda-powertools/logger';
import type { KinesisStreamBatchResponse, KinesisStreamEvent } from 'aws-lambda';
import type { PricingConfig } from '../../processors/config/pricingConfig';
import { type ConsumerHandler, createHandler } from '../consumer/createHandler';
import { DeadLetterStore } from '../consumer/DeadLetterStore';
import { PriceCache } from '../consumer/PriceCache';
import { PriceStore } from '../consumer/PriceStore';
import { StateStore } from '../consumer/StateStore';
import { WarmSkus } from '../consumer/WarmSkus';
import type { Stack } from '../stack';
import { KinesisShardLineage } from '../stream/ShardLineage';
import { CheckpointStore } from './CheckpointStore';
import { EventSourcePoller } from './EventSourcePoller';
import { LocalMetrics } from './LocalMetrics';
import type { PollerSettings } from './pollerSettings';

export interface PipelineOptions {
  readonly config: PricingConfig;
  readonly settings?: Partial<PollerSettings>;
  /** Names this consumer's checkpoints: another name reads the stream again from its starting position. @default 'pricestream' */
  readonly consumer?: string;
  /** Redis key prefix. @default 'pricestream:' */
  readonly cachePrefix?: string;
  readonly logLevel?: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'SILENT';
  /**
   * SKU records the consumer keeps between batches (see WarmSkus); 0 reads every batch's SKUs
   * from DynamoDB. Off with a parallelization factor above 1. @default 100_000
   */
  readonly warmSkus?: number;
  /** Wall clock for record age. @default Date.now */
  readonly now?: () => number;
  /** Wraps the handler, for fault injection in tests. */
  readonly wrapHandler?: (
    handler: ConsumerHandler,
  ) => (event: KinesisStreamEvent) => Promise<KinesisStreamBatchResponse>;
}

/** The consumer running locally: the Lambda handler behind the event-source poller, over a stack. */
export interface Pipeline {
  readonly poller: EventSourcePoller;
  readonly prices: PriceStore;
  readonly states: StateStore;
  readonly deadLetters: DeadLetterStore;
  readonly cache: PriceCache | undefined;
  readonly metrics: LocalMetrics;
  /**
   * Resolves once every shard is read to the tip with nothing in flight (`poller.whenCaughtUp`)
   * and the swept SKU records written after their batches are stored too.
   */
  whenCaughtUp(): Promise<void>;
  /** Stops reading, lets the batches in flight finish, and waits for their deferred writes. */
  stop(): Promise<void>;
}

export function startPipeline(stack: Stack, options: PipelineOptions): Pipeline {
  const { dynamo, tables, config: stackConfig } = stack;
  const states = new StateStore(dynamo, tables.state);
  const prices = new PriceStore(dynamo, tables);
  const deadLetters = new DeadLetterStore(dynamo, tables.deadLetters);
  const cache = stack.redis === undefined ? undefined : new PriceCache(stack.redis, options.cachePrefix);
  const metrics = new LocalMetrics();
  const logger = new Logger({ serviceName: 'pricestream', logLevel: options.logLevel ?? 'WARN' });
  const oneLane = (options.settings?.parallelizationFactor ?? 1) === 1;
  const warmSkus = options.warmSkus ?? 100_000;
  const handler = createHandler({
    config: options.config,
    states,
    prices,
    deadLetters,
    cache,
    logger,
    metrics,
    lineage: new KinesisShardLineage(stack.kinesis, stackConfig.streamName),
    sweep: oneLane,
    repeats: oneLane ? 'shard' : 'key',
    warm: oneLane && warmSkus > 0 ? new WarmSkus(warmSkus) : undefined,
    now: Date.now,
  });
  const poller = new EventSourcePoller({
    kinesis: stack.kinesis,
    streamName: stackConfig.streamName,
    region: stackConfig.region,
    checkpoints: new CheckpointStore(
      dynamo,
      tables.checkpoints,
      `${options.consumer ?? 'pricestream'}:${stackConfig.streamName}`,
    ),
    handler: options.wrapHandler ? options.wrapHandler(handler) : handler,
    settings: options.settings,
    onFailure: (batch) => deadLetters.putBatch(batch),
    ...(options.now === undefined ? {} : { now: options.now }),
  });
  poller.start();
  return {
    poller,
    prices,
    states,
    deadLetters,
    cache,
    metrics,
    whenCaughtUp: async () => {
      await poller.whenCaughtUp();
      await handler.settled();
    },
    stop: async () => {
      await poller.stop();
      await handler.settled();
    },
  };
}
