import type { Command } from 'commander';
import { ConfigError } from '../config/ConfigError';
import { loadStackConfig, type StackConfig, stackConfigSources } from '../config/stackConfig';

/** Adds the flags that say where the stream, tables and cache are (each also an env var). */
export function withStackFlags(command: Command): Command {
  return command
    .option('--target <target>', 'embedded (start emulators) or aws (PRICESTREAM_TARGET)')
    .option(
      '--kinesis-emulator <kind>',
      'kinesalite (default) or kinesis-local (PRICESTREAM_KINESIS_EMULATOR)',
    )
    .option('--region <region>', 'AWS region (AWS_REGION)')
    .option(
      '--kinesis-endpoint <url>',
      'use a running Kinesis (emulator) instead of starting one (KINESIS_ENDPOINT)',
    )
    .option(
      '--dynamodb-endpoint <url>',
      'use a running DynamoDB (emulator) instead of starting one (DYNAMODB_ENDPOINT)',
    )
    .option('--redis-url <url>', 'Redis URL (REDIS_URL, default redis://127.0.0.1:6379)')
    .option('--stream <name>', 'stream name (PRICESTREAM_STREAM)')
    .option('--shards <count>', 'shard count when the stream is created (PRICESTREAM_SHARDS)')
    .option('--table-prefix <prefix>', 'DynamoDB table name prefix (PRICESTREAM_TABLE_PREFIX)');
}

/** The stack config from the environment and a command's flags. */
export function stackConfigFrom(flags: Record<string, unknown>): StackConfig {
  return loadStackConfig(process.env, {
    target: flags.target,
    kinesisEmulator: flags.kinesisEmulator,
    region: flags.region,
    kinesisEndpoint: flags.kinesisEndpoint,
    dynamodbEndpoint: flags.dynamodbEndpoint,
    redisUrl: flags.redisUrl,
    streamName: flags.stream,
    shardCount: flags.shards,
    tablePrefix: flags.tablePrefix,
  });
}

/**
 * For a command that works on a stack outliving it: on the embedded target, fails naming the
 * first of `endpoints` not given, since emulators started for the command would be empty and
 * gone when it exits. `why` says what the command reads.
 */
export function requireRunningStack(
  config: StackConfig,
  endpoints: readonly ('kinesisEndpoint' | 'dynamodbEndpoint')[],
  why: string,
): void {
  if (config.target !== 'embedded') return;
  const missing = endpoints.find((key) => config[key] === undefined);
  if (missing !== undefined)
    throw new ConfigError(
      `${missing} (${stackConfigSources[missing]})`,
      `${why}: run \`pricestream stack\` and use the endpoints it prints, or --target aws`,
    );
}
