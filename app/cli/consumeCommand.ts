import { Command } from 'commander';
import { z } from 'zod';
import { ConfigError } from '../config/ConfigError';
import { loadPricingConfig } from '../config/loadPricingConfig';
import { type StackConfig, stackConfigSources } from '../config/stackConfig';
import { startPipeline } from '../local/startPipeline';
import { type Stack, startStack } from '../stack';
import { ensureTables, missingTables } from '../stores/ensureTables';
import { requireStream } from '../stream/ensureStream';
import { consumerSummary } from './consumerSummary';
import { parseFlags } from './parseFlags';
import { pollerFlagsShape, pollerSettingsFrom, withPollerFlags } from './pollerFlags';
import { requireRunningStack, stackConfigFrom, withStackFlags } from './stackFlags';
import { whenStopAsked } from './stopSignals';

const consumeFlagsSchema = z.object({
  config: z.string().optional(),
  untilCaughtUp: z.boolean().default(false),
  cache: z.boolean().default(true),
  createTables: z.boolean().default(false),
  ...pollerFlagsShape,
});

/**
 * `pricestream consume`: the consumer alone, on a stream that producers elsewhere put into: the
 * local runtime invoking the Lambda handler, each shard from its checkpoint (or the starting
 * position), priced with `--config` (the built-in defaults without it). A progress line every
 * 5 s. With `--until-caught-up` it stops by itself once every shard is read to the tip, as a
 * replay or backfill should; otherwise Ctrl-C stops it after the batches in flight. With
 * `--no-cache` it leaves Redis alone: a backfill with another config must not reach the live prices.
 */
export function consumeCommand(): Command {
  return withStackFlags(
    withPollerFlags(
      new Command('consume')
        .description(
          'run the consumer alone on a stream that producers put into: to price it, replay it or backfill',
        )
        .option('--config <file>', 'pricing config (JSON); without it, the built-in defaults')
        .option('--until-caught-up', 'stop once every shard is read to the tip of the stream')
        .option(
          '--no-cache',
          'write DynamoDB only, not the Redis cache the storefront reads (a what-if backfill)',
        )
        .option(
          '--create-tables',
          'with --target aws, create tables missing under the prefix (on demand, outside CDK)',
        ),
    ),
  ).action(async (rawFlags: Record<string, unknown>) => {
    const flags = parseFlags(consumeFlagsSchema, rawFlags);
    const settings = pollerSettingsFrom(flags);
    const stackConfig = stackConfigFrom(rawFlags);
    requireRunningStack(
      stackConfig,
      ['kinesisEndpoint', 'dynamodbEndpoint'],
      'consume reads a stream that outlives it',
    );
    const config = await loadPricingConfig(flags.config);
    const out = (line: string) => process.stdout.write(`${line}\n`);
    const stack = await consumedStack(
      stackConfig,
      { cache: flags.cache, createTables: flags.createTables },
      out,
    );
    out(
      `consuming ${stack.config.streamName} (${stack.stream.openShardCount} open shards) into tables ${stack.config.tablePrefix}-*` +
        `${stack.redis === undefined ? '' : ` and Redis ${stack.config.redisUrl}`}; each shard from its checkpoint, or ${settings.startingPosition}` +
        `${flags.untilCaughtUp ? '; stops at the tip of the stream' : '; Ctrl-C stops'}`,
    );
    const pipeline = startPipeline(stack, { config, settings, logLevel: 'ERROR' });
    const started = performance.now();
    const progress = () => {
      const seconds = (performance.now() - started) / 1000;
      const age = pipeline.poller.iteratorAgeMs() / 1000;
      const unacknowledged = pipeline.poller.unacknowledgedRecords();
      return (
        `-- ${seconds.toFixed(0)}s: ${consumerSummary(pipeline.metrics, seconds)}, iterator age ${age.toFixed(0)} s` +
        `${unacknowledged > 0 ? `, ${unacknowledged} records read and not yet priced` : ''}`
      );
    };
    const ticker = setInterval(() => out(progress()), 5000);
    const stopAsked = whenStopAsked(
      out,
      '\nstopping: finishing the batches in flight (Ctrl-C again to stop at once)…',
    );
    try {
      await Promise.race([
        stopAsked,
        pipeline.poller.whenFailed(),
        ...(flags.untilCaughtUp
          ? [pipeline.whenCaughtUp().then(() => out('caught up: every shard is read to the tip.'))]
          : []),
      ]);
    } finally {
      clearInterval(ticker);
      await pipeline.stop();
      out(progress());
      await stack.stop();
      out('stopped.');
    }
  });
}

/**
 * The stack `consume` reads from and writes to. The stream must exist: a mistyped name fails,
 * naming it, rather than creating an empty stream to wait on. Missing tables (a backfill into a
 * new `--table-prefix`) are created on the embedded target, and on AWS only with
 * `--create-tables`: there the stage's tables come from CDK, with point-in-time recovery and
 * alarms, and a mistyped prefix must not quietly start a second set.
 */
async function consumedStack(
  config: StackConfig,
  options: { readonly cache: boolean; readonly createTables: boolean },
  out: (line: string) => void,
): Promise<Stack> {
  const stack = await startStack(config, { redis: options.cache, resources: false });
  try {
    const stream = await requireStream(stack.kinesis, config.streamName);
    const missing = await missingTables(stack.dynamo, stack.tables);
    if (missing.length > 0) {
      if (config.target === 'aws' && !options.createTables)
        throw new ConfigError(
          `tablePrefix (${stackConfigSources.tablePrefix})`,
          `no tables ${missing.join(', ')}: deploy the stage with CDK, or pass --create-tables to create them on demand, outside CDK`,
        );
      await ensureTables(stack.dynamo, stack.tables);
      out(`created tables ${missing.join(', ')}`);
    }
    return { ...stack, stream };
  } catch (error) {
    await stack.stop();
    throw error;
  }
}
