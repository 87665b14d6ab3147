import { Command } from 'commander';
import { z } from 'zod';
import type { StackConfig } from '../config/stackConfig';
import type { InvalidEventError } from '../producer/errors';
import { Producer } from '../producer/Producer';
import { paced } from '../producer/paced';
import { readEvents } from '../producer/readEvents';
import { type Stack, startStack } from '../stack';
import { ensureStream, requireStream } from '../stream/ensureStream';
import { generatedEvents, generatorFlagsSchema, withGeneratorOptions } from './generatorFlags';
import { parseFlags } from './parseFlags';
import { showProgress } from './progress';
import { stackConfigFrom, withStackFlags } from './stackFlags';

const produceFlagsSchema = generatorFlagsSchema.extend({
  realtime: z.boolean().default(false),
  aggregate: z.boolean().default(true),
  aggregateBy: z.enum(['shard', 'sku']).default('shard'),
  aggregateBytes: z.coerce.number().int().min(1024).max(1_048_556).default(262_144),
  maxAttempts: z.coerce.number().int().min(1).max(100).default(8),
});

export function produceCommand(): Command {
  return withStackFlags(
    withGeneratorOptions(
      new Command('produce')
        .description('put NDJSON events (a file, or - for stdin) or a generated store into the stream')
        .argument('[file]', 'NDJSON file of events, or - for stdin'),
    )
      .option('--realtime', 'pace generated events at --rate on the wall clock')
      .option('--no-aggregate', 'put one Kinesis record per event (no KPL aggregation), for comparison')
      .option(
        '--aggregate-by <shard|sku>',
        'what one aggregated record holds: any SKUs of a shard, or one SKU (for consumers with a parallelization factor above 1)',
        'shard',
      )
      .option('--aggregate-bytes <n>', 'largest aggregated record in bytes', '262144')
      .option('--max-attempts <n>', 'attempts per record before it is reported as failed', '8'),
  ).action(async (file: string | undefined, rawFlags: Record<string, unknown>) => {
    const flags = parseFlags(produceFlagsSchema, rawFlags);
    if (!flags.generate && file === undefined)
      throw new Error('give an NDJSON file (or - for stdin), or --generate');
    const stack = await producedStack(stackConfigFrom(rawFlags));
    let refused = 0;
    const onInvalid = (error: InvalidEventError) => {
      refused += 1;
      process.stderr.write(`refused ${error.message}\n`);
    };
    const source = flags.generate ? generatedEvents(flags) : readEvents(file ?? '-', onInvalid);
    const producer = new Producer({
      kinesis: stack.kinesis,
      streamName: stack.config.streamName,
      aggregate: flags.aggregate,
      aggregateBy: flags.aggregateBy,
      aggregateBytes: flags.aggregateBytes,
      maxAttempts: flags.maxAttempts,
    });
    const total = flags.generate ? flags.count : undefined;
    const progress = showProgress(() => producer.report(), total);
    try {
      const report = await producer.putAll(flags.realtime ? paced(source, flags.rate) : source);
      progress.stop();
      for (const { event, error } of report.failedEvents) {
        process.stderr.write(
          `not put after ${flags.maxAttempts} attempts (${error}): ${JSON.stringify(event)}\n`,
        );
      }
      process.stdout.write(
        `put ${report.itemsPut} events (${report.events} in, split per SKU) in ${report.recordsPut} Kinesis records; ` +
          `${report.retries} retries, ${report.failedItems} failed, ${refused} refused\n`,
      );
      if (report.failedItems > 0 || refused > 0) process.exitCode = 1;
    } finally {
      progress.stop();
      await stack.stop();
    }
  });
}

/**
 * The stack `produce` puts into. It creates the stream only in emulators it started itself (they
 * hold nothing else); a running stack's stream, or an AWS one, must exist, so a mistyped name
 * stops it, naming `--stream`, instead of filling a new stream no consumer reads. It creates no
 * tables: producing needs none.
 */
async function producedStack(config: StackConfig): Promise<Stack> {
  const stack = await startStack(config, { redis: false, resources: false });
  try {
    const ownEmulator = config.target === 'embedded' && config.kinesisEndpoint === undefined;
    const stream = ownEmulator
      ? await ensureStream(stack.kinesis, config.streamName, config.shardCount)
      : await requireStream(stack.kinesis, config.streamName);
    return { ...stack, stream };
  } catch (error) {
    await stack.stop();
    throw error;
  }
}
