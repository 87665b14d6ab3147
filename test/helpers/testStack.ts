import { randomUUID } from 'node:crypto';
import { loadStackConfig } from '../../app/config/stackConfig';
import type { EmulatorKind } from '../../app/local/startEmulator';
import { type Stack, startStack } from '../../app/stack';

/**
 * An embedded stack for one test file: its own emulators, a stream with a unique name, and
 * (optionally) the Redis at REDIS_URL. Call `stop` in afterAll.
 */
export function startTestStack(options: {
  kinesisEmulator?: Exclude<EmulatorKind, 'dynalite'>;
  shards?: number;
  redis?: boolean;
}): Promise<Stack> {
  const config = loadStackConfig(process.env, {
    target: 'embedded',
    kinesisEmulator: options.kinesisEmulator ?? 'kinesalite',
    kinesisEndpoint: undefined,
    dynamodbEndpoint: undefined,
    streamName: `test-${randomUUID().slice(0, 8)}`,
    shardCount: options.shards ?? 2,
    tablePrefix: `test-${randomUUID().slice(0, 8)}`,
  });
  return startStack(
    { ...config, kinesisEndpoint: undefined, dynamodbEndpoint: undefined },
    { redis: options.redis ?? false },
  );
}

/** Both Kinesis emulators, for `describe.each`: integration tests run against each. */
export const kinesisEmulators = ['kinesalite', 'kinesis-local'] as const;
