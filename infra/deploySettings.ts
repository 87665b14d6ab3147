import { readFileSync } from 'node:fs';
import type { App } from 'aws-cdk-lib';
import { z } from 'zod';
import { ConfigError } from '../app/config/ConfigError';
import { parsePricingConfig } from '../app/config/loadPricingConfig';
import { parseSettings } from '../app/config/parseSettings';
import { type PricingConfig, pricingConfigSchema } from '../processors/config/pricingConfig';

const count = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

/** The deployment's settings, from CDK context (`cdk.json`, or `-c key=value`); each has a default. */
export const deploySettingsSchema = z.object({
  stage: z
    .string()
    .regex(/^[a-z0-9-]{1,20}$/, 'must be 1-20 lowercase letters, digits or dashes')
    .default('dev'),
  /** `provisioned` (with shardCount) or `on-demand` (Kinesis scales shards itself). */
  streamMode: z.enum(['provisioned', 'on-demand']).default('provisioned'),
  shardCount: count(1, 500).default(2),
  /** Path to the window and pricing config file (JSON, see README); defaults when unset. */
  pricingConfig: z.string().min(1).optional(),
  memorySize: count(128, 10_240).default(1024),
  /** SKU records a warm function container keeps between batches (2-3 KB each); 0 turns it off. */
  warmSkus: count(0, 1_000_000).default(50_000),
  timeoutSeconds: count(1, 900).default(60),
  batchSize: count(1, 10_000).default(500),
  batchingWindowSeconds: count(0, 300).default(1),
  parallelizationFactor: count(1, 10).default(1),
  retryAttempts: count(-1, 10_000).default(10),
  maxRecordAgeSeconds: count(60, 604_800).default(86_400),
  startingPosition: z.enum(['TRIM_HORIZON', 'LATEST']).default('TRIM_HORIZON'),
  logLevel: z.enum(['DEBUG', 'INFO', 'WARN', 'ERROR']).default('INFO'),
  /** Days a price-history row is kept; unset keeps history for ever. */
  historyTtlDays: count(1, 3650).optional(),
  cacheNodeType: z
    .string()
    .regex(/^cache\.[a-z0-9]+\.[a-z0-9]+$/, 'must be an ElastiCache node type such as cache.t4g.micro')
    .default('cache.t4g.micro'),
  /** Redis nodes: a primary and replicas in other zones (at least 2 for automatic failover). */
  cacheNodes: count(2, 6).default(2),
  /** Event lag (iterator age) that raises the alarm. */
  lagAlarmSeconds: count(1, 86_400).default(60),
  /** p99 end-to-end latency (arrival in the stream to price written) that raises the alarm. */
  latencyAlarmMs: count(100, 3_600_000).default(5000),
  /** The SNS topic the alarms notify (on ALARM and OK); unset, the alarms have no actions. */
  alarmTopicArn: z
    .string()
    .regex(/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/, 'must be an SNS topic ARN')
    .optional(),
});

export type DeploySettings = z.output<typeof deploySettingsSchema> & {
  /** The pricing config the file named, validated, or the defaults. */
  readonly pricing: PricingConfig;
};

/**
 * Reads and validates the deployment's context, and the pricing config file it names, or fails
 * fast naming the context key (`context shardCount: …`) or the config file and field.
 */
export function deploySettings(app: App): DeploySettings {
  const keys = Object.keys(deploySettingsSchema.shape);
  const raw = Object.fromEntries(keys.map((key) => [key, app.node.tryGetContext(key)]));
  const labels = Object.fromEntries(keys.map((key) => [key, `context ${key}`]));
  const settings = parseSettings(deploySettingsSchema, raw, labels);
  return { ...settings, pricing: readPricingConfig(settings.pricingConfig) };
}

function readPricingConfig(path: string | undefined): PricingConfig {
  if (path === undefined) return pricingConfigSchema.parse({});
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError('context pricingConfig', `cannot read ${path}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  return parsePricingConfig(path, text);
}
