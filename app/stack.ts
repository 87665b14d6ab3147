import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { Redis } from 'ioredis';
import { createDynamoClient, createKinesisClient } from './aws/awsClients';
import type { StackConfig } from './config/stackConfig';
import { type EmulatorKind, type RunningEmulator, startEmulator } from './local/startEmulator';
import { ensureTables } from './stores/ensureTables';
import { type TableNames, tableNames } from './stores/tableSpecs';
import { ensureStream, type StreamStatus } from './stream/ensureStream';

/** Connected clients for the stream, the tables and (when asked for) the cache, ready to use. */
export interface Stack {
  readonly config: StackConfig;
  readonly kinesis: KinesisClient;
  readonly dynamo: DynamoDBClient;
  readonly redis: Redis | undefined;
  readonly tables: TableNames;
  readonly stream: StreamStatus;
  readonly endpoints: { readonly kinesis?: string | undefined; readonly dynamodb?: string | undefined };
  /** Closes the clients and stops any emulator this stack started. */
  stop(): Promise<void>;
}

export interface StackOptions {
  /** Connect to Redis and fail fast when it does not answer. @default true */
  readonly redis?: boolean;
  /** Create the stream and tables when missing; off for commands that only read. @default true */
  readonly resources?: boolean;
  /** Node flags for each emulator this stack starts (see startEmulator). @default none */
  readonly emulatorNodeOptions?: (kind: EmulatorKind) => readonly string[];
}

/**
 * Brings up the stack a config describes. On the embedded target, starts the chosen Kinesis
 * emulator and dynalite (unless an endpoint is given), then creates the stream and the tables if
 * they are missing. Used by the CLI, the local runtime and the integration tests alike.
 */
export async function startStack(config: StackConfig, options: StackOptions = {}): Promise<Stack> {
  const started: RunningEmulator[] = [];
  const stopEmulators = () => Promise.all(started.map((emulator) => emulator.stop()));
  try {
    const embedded = config.target === 'embedded';
    const startIfNeeded = async (given: string | undefined, kind: EmulatorKind) => {
      if (given !== undefined || !embedded) return given;
      const emulator = await startEmulator(kind, options.emulatorNodeOptions?.(kind));
      started.push(emulator);
      return emulator.endpoint;
    };
    const [kinesisEndpoint, dynamodbEndpoint, redis] = await Promise.all([
      startIfNeeded(config.kinesisEndpoint, config.kinesisEmulator),
      startIfNeeded(config.dynamodbEndpoint, 'dynalite'),
      options.redis === false ? undefined : connectRedis(config.redisUrl),
    ]);
    const kinesis = createKinesisClient({ region: config.region, endpoint: kinesisEndpoint });
    const dynamo = createDynamoClient({ region: config.region, endpoint: dynamodbEndpoint });
    const tables = tableNames(config.tablePrefix);
    const [stream] =
      options.resources === false
        ? [{ created: false, openShardCount: 0 }]
        : await Promise.all([
            ensureStream(kinesis, config.streamName, config.shardCount),
            ensureTables(dynamo, tables),
          ]);
    return {
      config,
      kinesis,
      dynamo,
      redis,
      tables,
      stream,
      endpoints: { kinesis: kinesisEndpoint, dynamodb: dynamodbEndpoint },
      async stop() {
        kinesis.destroy();
        dynamo.destroy();
        redis?.disconnect();
        await stopEmulators();
      },
    };
  } catch (error) {
    await stopEmulators();
    throw error;
  }
}

/** A Redis URL fit for a message: any password replaced. */
export function withoutPassword(url: string): string {
  return url.replace(
    /\/\/([^@/]*)@/,
    (_, auth: string) => `//${auth.includes(':') ? `${auth.split(':')[0]}:***` : '***'}@`,
  );
}

/**
 * Redis for a consumer that has to start whether or not Redis answers (a Lambda cold start): the
 * connected client when it does; otherwise, after telling `unavailable` why, a client that keeps
 * reconnecting in the background. Until it connects each publish fails after one reconnect attempt,
 * so the consumer flags the cache as behind, and the first batch after Redis answers rebuilds it.
 */
export async function connectCache(url: string, unavailable: (error: Error) => void): Promise<Redis> {
  try {
    return await connectRedis(url);
  } catch (error) {
    unavailable(error as Error);
    return redisClient(url, { lazyConnect: false });
  }
}

/**
 * A Redis client as the consumer uses it: a command waits for at most one reconnect attempt, then
 * fails, and a lost connection is reported by the commands that fail, not by crashing.
 */
function redisClient(url: string, { lazyConnect }: { lazyConnect: boolean }): Redis {
  const redis = new Redis(url, { lazyConnect, maxRetriesPerRequest: 1, enableOfflineQueue: true });
  redis.on('error', () => {});
  return redis;
}

/** Connects to Redis and checks it answers, with a message that says what to do when it does not. */
export async function connectRedis(url: string): Promise<Redis> {
  const redis = redisClient(url, { lazyConnect: true });
  try {
    await redis.connect();
    await redis.ping();
    return redis;
  } catch (error) {
    redis.disconnect();
    throw new Error(
      `no Redis answering at ${withoutPassword(url)} (REDIS_URL / --redis-url). Install redis-server and start it, ` +
        `or point REDIS_URL at one: ${(error as Error).message}`,
      { cause: error },
    );
  }
}
