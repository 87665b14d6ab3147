import { Command } from 'commander';
import { z } from 'zod';
import { durationSchema } from '../../processors/config/duration';
import type { StreamEvent } from '../../processors/events/schema';
import type { StackConfig } from '../config/stackConfig';
import type { InvalidEventError } from '../producer/errors';
import { Producer } from '../producer/Producer';
import { paced } from '../producer/paced';
import { readEvents } from '../producer/readEvents';
import { simulateStore } from '../producer/storeSimulator';
import { type Stack, startStack } from '../stack';
import { ensureStream, requireStream } from '../stream/ensureStream';
import { parseFlags } from './parseFlags';
import { showProgress } from './progress';
import { stackConfigFrom, withStackFlags } from './stackFlags';

const produceFlagsSchema = z.object({
  generate: z.boolean().default(false),
  skus: z.coerce.number().int().min(1).max(10_000_000).default(1000),
  rate: z.coerce.number().positive().default(1000),
  count: z.coerce.number().int().positive().optional(),
  duration: durationSchema.optional(),
  realtime: z.boolean().default(false),
  flashSaleAt: durationSchema.optional(),
  flashSaleFor: durationSchema.default(60_000),
  hotSkus: z.coerce.number().int().min(1).default(3),
  hotShare: z.coerce.number().min(0).max(1).default(0.6),
  seed: z.coerce.number().int().default(1),
  startTime: z.iso.datetime({ offset: true }).optional(),
  aggregate: z.boolean().default(true),
  aggregateBy: z.enum(['shard', 'sku']).default('shard'),
  aggregateBytes: z.coerce.number().int().min(1024).max(1_048_556).default(262_144),
  maxAttempts: z.coerce.number().int().min(1).max(100).default(8),
});

export type ProduceFlags = z.infer<typeof produceFlagsSchema>;

/** The generated store's events for a set of flags: bounded by --count or --duration. */
export function generatedEvents(flags: ProduceFlags): Iterable<StreamEvent> {
  const count =
    flags.count ??
    (flags.duration === undefined ? undefined : Math.ceil((flags.duration / 1000) * flags.rate));
  return simulateStore({
    skus: flags.skus,
    rate: flags.rate,
    count,
    startTime: flags.startTime === undefined ? Date.now() : Date.parse(flags.startTime),
    seed: flags.seed,
    flashSale:
      flags.flashSaleAt === undefined
        ? undefined
        : {
            startAfterMs: flags.flashSaleAt,
            durationMs: flags.flashSaleFor,
            hotSkus: flags.hotSkus,
            share: flags.hotShare,
          },
  });
}

export function produceCommand(): Command {
  return withStackFlags(
    new Command('produce')
      .description('put NDJSON events (a file, or - for stdin) or a generated store into the stream')
      .argument('[file]', 'NDJSON file of events, or - for stdin')
      .option('--generate', 'generate a simulated store instead of reading events')
      .option('--skus <n>', 'generated catalogue size', '1000')
      .option('--rate <events/s>', 'generated events per second of event time', '1000')
      .option('--count <n>', 'generated events to put (default: unbounded)')
      .option('--duration <d>', 'generated event time to cover, such as 10m (instead of --count)')
      .option('--realtime', 'pace generated events at --rate on the wall clock')
      .option('--flash-sale-at <d>', 'start a flash sale this far into the generated run, such as 2m')
      .option('--flash-sale-for <d>', 'flash sale length', '1m')
      .option('--hot-skus <n>', 'SKUs the flash sale concentrates on', '3')
      .option('--hot-share <0..1>', 'share of orders going to the hot SKUs during the sale', '0.6')
      .option('--seed <n>', 'simulation seed (same seed, same events)', '1')
      .option('--start-time <iso>', 'event time of the first generated event (default: now)')
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
