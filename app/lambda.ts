/**
 * The Lambda entry point: the consumer handler wired to DynamoDB, Redis and Powertools from the
 * function's environment. Configuration is read once, at cold start.
 *
 * Environment: PRICESTREAM_TABLE_PREFIX, PRICESTREAM_STREAM, PARALLELIZATION_FACTOR (the event
 * source mapping's; above 1 turns the idle-SKU sweep off), REDIS_URL (optional: without it
 * prices go to DynamoDB only), PRICING_CONFIG (the pricing config as JSON; defaults when unset),
 * and Powertools' POWERTOOLS_SERVICE_NAME, POWERTOOLS_LOG_LEVEL, POWERTOOLS_METRICS_NAMESPACE.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { KinesisStreamBatchResponse, KinesisStreamEvent } from 'aws-lambda';
import { type PricingConfig, pricingConfigSchema } from '../processors/config/pricingConfig';
import { createDynamoClient, createKinesisClient } from './aws/awsClients';
import { parseSettings } from './config/parseSettings';
import { createHandler } from './consumer/createHandler';
import { DeadLetterStore } from './consumer/DeadLetterStore';
import { PriceCache } from './consumer/PriceCache';
import { PriceStore } from './consumer/PriceStore';
import { StateStore } from './consumer/StateStore';
import { connectRedis } from './stack';
import { tableNames } from './stores/tableSpecs';
import { KinesisShardLineage } from './stream/ShardLineage';

const env = process.env;
const region = env.AWS_REGION ?? 'us-east-1';
const tables = tableNames(env.PRICESTREAM_TABLE_PREFIX ?? 'pricestream');
const config: PricingConfig = parseSettings(pricingConfigSchema, JSON.parse(env.PRICING_CONFIG ?? '{}'));
const dynamo = createDynamoClient({ region });
const logger = new Logger();
const metrics = new Metrics();
const redis = env.REDIS_URL
  ? await connectRedis(env.REDIS_URL).catch((error: unknown) => {
      logger.warn('Redis unavailable at cold start; pricing into DynamoDB only until it returns', { error });
      return undefined;
    })
  : undefined;

const handle = createHandler({
  config,
  states: new StateStore(dynamo, tables.state),
  prices: new PriceStore(dynamo, tables.prices),
  deadLetters: new DeadLetterStore(dynamo, tables.deadLetters),
  cache: redis === undefined ? undefined : new PriceCache(redis),
  logger,
  metrics: {
    addMetric: (name, unit, value) =>
      metrics.addMetric(name, unit === 'Count' ? MetricUnit.Count : MetricUnit.Milliseconds, value),
  },
  lineage: new KinesisShardLineage(
    createKinesisClient({ region }),
    env.PRICESTREAM_STREAM ?? 'pricestream-events',
  ),
  now: Date.now,
});

/** Kinesis event source mapping handler, with ReportBatchItemFailures. */
export async function handler(event: KinesisStreamEvent): Promise<KinesisStreamBatchResponse> {
  try {
    return await handle(event);
  } finally {
    metrics.publishStoredMetrics();
  }
}
