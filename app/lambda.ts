/**
 * The Lambda entry point: the consumer handler wired to DynamoDB, Redis and Powertools from the
 * function's environment (see `lambdaSettings`), read once at cold start. On AWS the cache is
 * ElastiCache over TLS, its AUTH token read from Secrets Manager; without any Redis setting,
 * prices go to DynamoDB only. When Redis does not answer at cold start, the container keeps trying
 * it: meanwhile prices go to DynamoDB and the cache is flagged as behind, to be rebuilt once Redis
 * answers.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { KinesisStreamBatchResponse, KinesisStreamEvent } from 'aws-lambda';
import { createDynamoClient, createKinesisClient, readSecret } from './aws/awsClients';
import { cacheUrlOf, lambdaSettings } from './config/lambdaSettings';
import { parsePricingConfig } from './config/loadPricingConfig';
import { createHandler } from './consumer/createHandler';
import { DeadLetterStore } from './consumer/DeadLetterStore';
import { PriceCache } from './consumer/PriceCache';
import { PriceStore } from './consumer/PriceStore';
import { StateStore } from './consumer/StateStore';
import { WarmSkus } from './consumer/WarmSkus';
import { connectCache } from './stack';
import { tableNames } from './stores/tableSpecs';
import { KinesisShardLineage } from './stream/ShardLineage';

const settings = lambdaSettings(process.env);
const region = settings.AWS_REGION;
const tables = tableNames(settings.PRICESTREAM_TABLE_PREFIX);
const config = parsePricingConfig('PRICING_CONFIG', settings.PRICING_CONFIG);
const dynamo = createDynamoClient({ region });
const logger = new Logger();
const metrics = new Metrics();
const cacheUrl = await cacheUrlOf(settings, (arn) => readSecret(region, arn));
const redis =
  cacheUrl === undefined
    ? undefined
    : await connectCache(cacheUrl, (error) =>
        logger.warn('Redis unavailable at cold start; the cache will be rebuilt once it answers', {
          error: error.message,
        }),
      );

const oneLane = settings.PARALLELIZATION_FACTOR === 1;
const handle = createHandler({
  config,
  states: new StateStore(dynamo, tables.state),
  prices: new PriceStore(dynamo, tables, { historyTtlDays: settings.PRICE_HISTORY_TTL_DAYS }),
  deadLetters: new DeadLetterStore(dynamo, tables.deadLetters),
  cache: redis === undefined ? undefined : new PriceCache(redis),
  logger,
  metrics: {
    addMetric: (name, unit, value) =>
      metrics.addMetric(name, unit === 'Count' ? MetricUnit.Count : MetricUnit.Milliseconds, value),
  },
  lineage: new KinesisShardLineage(createKinesisClient({ region }), settings.PRICESTREAM_STREAM),
  now: Date.now,
  sweep: oneLane,
  repeats: oneLane ? 'shard' : 'key',
  warm: oneLane && settings.WARM_SKUS > 0 ? new WarmSkus(settings.WARM_SKUS) : undefined,
});

/** Kinesis event source mapping handler, with ReportBatchItemFailures. */
export async function handler(event: KinesisStreamEvent): Promise<KinesisStreamBatchResponse> {
  try {
    return await handle(event);
  } finally {
    metrics.publishStoredMetrics();
  }
}
