import { z } from 'zod';
import { parseSettings } from './parseSettings';

/**
 * The Lambda function's environment, as the consumer stack sets it. Parsed once at cold start; a
 * bad variable fails the cold start with its name.
 */
export const lambdaSettingsSchema = z.object({
  AWS_REGION: z.string().min(1).default('us-east-1'),
  PRICESTREAM_TABLE_PREFIX: z.string().min(1).default('pricestream'),
  PRICESTREAM_STREAM: z.string().min(1).default('pricestream-events'),
  /** The event source mapping's; above 1 turns the idle-SKU sweep off. */
  PARALLELIZATION_FACTOR: z.coerce.number().int().min(1).max(10).default(1),
  /**
   * SKU records a warm container keeps between batches (about 2-3 KB each), read again only when
   * another container wrote the shard since; 0 reads every batch's SKUs. Off with lanes.
   */
  WARM_SKUS: z.coerce.number().int().min(0).default(50_000),
  /** The pricing config as JSON; defaults when unset. */
  PRICING_CONFIG: z.string().default('{}'),
  /** Days a price-history row is kept; unset keeps it for ever. */
  PRICE_HISTORY_TTL_DAYS: z.coerce.number().int().positive().optional(),
  /** A whole Redis URL (local or self-managed Redis). */
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL')
    .optional(),
  /** ElastiCache: its primary endpoint and port, reached over TLS with the AUTH token below. */
  REDIS_HOST: z.string().min(1).optional(),
  REDIS_PORT: z.coerce.number().int().min(1).max(65_535).default(6380),
  /** Secrets Manager ARN of the AUTH token. */
  REDIS_AUTH_SECRET_ARN: z.string().startsWith('arn:').optional(),
});

export type LambdaSettings = z.output<typeof lambdaSettingsSchema>;

export function lambdaSettings(env: NodeJS.ProcessEnv): LambdaSettings {
  return parseSettings(lambdaSettingsSchema, env);
}

/**
 * The Redis URL the function connects to: REDIS_URL as given, or ElastiCache's endpoint over TLS
 * (`rediss://`) with the AUTH token read from Secrets Manager; undefined prices into DynamoDB only.
 */
export async function cacheUrlOf(
  settings: LambdaSettings,
  readSecret: (arn: string) => Promise<string>,
): Promise<string | undefined> {
  if (settings.REDIS_URL !== undefined) return settings.REDIS_URL;
  if (settings.REDIS_HOST === undefined) return undefined;
  const arn = settings.REDIS_AUTH_SECRET_ARN;
  const auth = arn === undefined ? '' : `:${encodeURIComponent(await readSecret(arn))}@`;
  return `rediss://${auth}${settings.REDIS_HOST}:${settings.REDIS_PORT}`;
}
