import { z } from 'zod';
import { parseSettings } from './parseSettings';

/**
 * Where pricestream's stream, tables and cache live. The embedded default starts a Kinesis
 * emulator and dynalite on loopback (free ports) and uses the Redis at `redisUrl`; setting an
 * endpoint points at a stack that is already running; `target: aws` uses the SDK's default
 * endpoints and credentials.
 */
export const stackConfigSchema = z.object({
  target: z.enum(['embedded', 'aws']).default('embedded'),
  kinesisEmulator: z.enum(['kinesalite', 'kinesis-local']).default('kinesalite'),
  region: z.string().min(1).default('us-east-1'),
  kinesisEndpoint: z.url().optional(),
  dynamodbEndpoint: z.url().optional(),
  redisUrl: z.url().default('redis://127.0.0.1:6379'),
  streamName: z
    .string()
    .regex(/^[a-zA-Z0-9_.-]{1,128}$/)
    .default('pricestream-events'),
  shardCount: z.coerce.number().int().min(1).max(64).default(2),
  tablePrefix: z
    .string()
    .regex(/^[a-zA-Z0-9_.-]{1,64}$/)
    .default('pricestream'),
});

export type StackConfig = z.infer<typeof stackConfigSchema>;
/** Raw settings as given (flags, strings from the environment), before validation. */
export type StackSettings = Readonly<Partial<Record<keyof StackConfig, unknown>>>;

/** The environment variable and the flag that set each field, for error messages and the README. */
export const stackConfigSources = {
  target: 'PRICESTREAM_TARGET / --target',
  kinesisEmulator: 'PRICESTREAM_KINESIS_EMULATOR / --kinesis-emulator',
  region: 'AWS_REGION / --region',
  kinesisEndpoint: 'KINESIS_ENDPOINT / --kinesis-endpoint',
  dynamodbEndpoint: 'DYNAMODB_ENDPOINT / --dynamodb-endpoint',
  redisUrl: 'REDIS_URL / --redis-url',
  streamName: 'PRICESTREAM_STREAM / --stream',
  shardCount: 'PRICESTREAM_SHARDS / --shards',
  tablePrefix: 'PRICESTREAM_TABLE_PREFIX / --table-prefix',
} as const satisfies Record<keyof StackConfig, string>;

const envNames: Record<keyof StackConfig, string> = {
  target: 'PRICESTREAM_TARGET',
  kinesisEmulator: 'PRICESTREAM_KINESIS_EMULATOR',
  region: 'AWS_REGION',
  kinesisEndpoint: 'KINESIS_ENDPOINT',
  dynamodbEndpoint: 'DYNAMODB_ENDPOINT',
  redisUrl: 'REDIS_URL',
  streamName: 'PRICESTREAM_STREAM',
  shardCount: 'PRICESTREAM_SHARDS',
  tablePrefix: 'PRICESTREAM_TABLE_PREFIX',
};

/**
 * Builds the stack config from the environment, then flags (flags win). Fails fast with a
 * ConfigError naming the field, its env var and its flag.
 */
export function loadStackConfig(
  env: Readonly<Record<string, string | undefined>>,
  flags: StackSettings = {},
): StackConfig {
  const fromEnv: Record<string, string> = {};
  for (const [key, name] of Object.entries(envNames)) {
    const value = env[name];
    if (value !== undefined && value !== '') fromEnv[key] = value;
  }
  const fromFlags = Object.fromEntries(Object.entries(flags).filter(([, value]) => value !== undefined));
  return parseSettings(stackConfigSchema, { ...fromEnv, ...fromFlags }, stackConfigSources);
}
