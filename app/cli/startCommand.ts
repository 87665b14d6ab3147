import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { z } from 'zod';
import { durationSchema } from '../../processors/config/duration';
import { ConfigError } from '../config/ConfigError';
import { loadPricingConfig } from '../config/loadPricingConfig';
import type { StoredPrice } from '../consumer/PriceStore';
import { startPipeline } from '../local/startPipeline';
import { Producer } from '../producer/Producer';
import { paced } from '../producer/paced';
import { simulateStore } from '../producer/storeSimulator';
import { startStack } from '../stack';
import { parseFlags } from './parseFlags';
import { priceLine } from './priceLine';
import { stackConfigFrom, withStackFlags } from './stackFlags';

const startFlagsSchema = z.object({
  rate: z.coerce.number().positive().max(50_000).default(500),
  skus: z.coerce.number().int().min(1).max(1_000_000).default(1000),
  config: z.string().optional(),
  batchSize: z.coerce.number().int().min(1).max(10_000).default(500),
  lines: z.coerce.number().int().min(0).default(20),
  startingPosition: z.enum(['TRIM_HORIZON', 'LATEST', 'AT_TIMESTAMP']).default('TRIM_HORIZON'),
  startingTimestamp: z.iso.datetime({ offset: true }).optional(),
  batchWindow: durationSchema.default(0),
  parallelization: z.coerce.number().int().min(1).max(10).default(1),
  bisect: z.boolean().default(false),
  maxRetries: z.coerce.number().int().min(-1).max(10_000).default(-1),
  maxRecordAge: z.union([z.literal('-1'), durationSchema]).default('-1'),
  timeout: durationSchema
    .pipe(z.number().min(1_000, 'must be at least 1s').max(900_000, 'must be at most 15m, as in Lambda'))
    .default(60_000),
});

/**
 * `pricestream start`: the whole pipeline on the embedded stack. A simulated store (a flash sale
 * on three SKUs after one minute) produces into the stream, priced with the demo config (10 s
 * ticks, so changes show within seconds) unless `--config` names another; the local runtime runs the consumer;
 * price changes are printed as Redis publishes them, at most `--lines` a second, with a summary
 * every five seconds. Ctrl-C stops the store, lets the consumer catch up, and stops cleanly.
 */
export function startCommand(): Command {
  return withStackFlags(
    new Command('start')
      .description(
        'run the whole pipeline on the embedded stack with a simulated store, printing price changes',
      )
      .option('--rate <events/s>', 'simulated store events per second', '500')
      .option('--skus <n>', 'simulated catalogue size', '1000')
      .option(
        '--config <file>',
        'pricing config (JSON)',
        fileURLToPath(new URL('../config/pricing.demo.json', import.meta.url)),
      )
      .option('--batch-size <n>', 'records per consumer batch', '500')
      .option('--lines <n>', 'price changes printed per second at most (0: summary only)', '20')
      .option(
        '--starting-position <position>',
        'TRIM_HORIZON, LATEST or AT_TIMESTAMP, for shards with no checkpoint',
        'TRIM_HORIZON',
      )
      .option('--starting-timestamp <iso>', 'with AT_TIMESTAMP')
      .option('--batch-window <d>', 'wait up to this long to fill a batch, such as 500ms', '0ms')
      .option('--parallelization <n>', 'concurrent batches per shard (1-10), by SKU hash', '1')
      .option('--bisect', 'split a failing batch in two and retry each half')
      .option(
        '--max-retries <n>',
        'retries before a batch goes to the dead letters; -1: until its records expire',
        '-1',
      )
      .option(
        '--max-record-age <d>',
        'records older than this go to the dead letters unprocessed; -1: never',
        '-1',
      )
      .option('--timeout <d>', 'an invocation running longer fails and its batch is retried', '60s'),
  ).action(async (rawFlags: Record<string, unknown>) => {
    const flags = parseFlags(startFlagsSchema, rawFlags);
    if (flags.startingPosition === 'AT_TIMESTAMP' && flags.startingTimestamp === undefined) {
      throw new ConfigError('--starting-timestamp', 'is needed with --starting-position AT_TIMESTAMP');
    }
    const settings = {
      batchSize: flags.batchSize,
      startingPosition: flags.startingPosition,
      startingTimestamp:
        flags.startingTimestamp === undefined ? undefined : new Date(flags.startingTimestamp),
      batchWindowMs: flags.batchWindow,
      parallelizationFactor: flags.parallelization,
      bisectOnError: flags.bisect,
      maxRetries: flags.maxRetries,
      maxRecordAgeMs: flags.maxRecordAge === '-1' ? -1 : flags.maxRecordAge,
      functionTimeoutMs: flags.timeout,
    };
    const config = await loadPricingConfig(flags.config);
    const stack = await startStack(stackConfigFrom(rawFlags));
    const out = (line: string) => process.stdout.write(`${line}\n`);
    out(
      `pricestream: stream ${stack.config.streamName} (${stack.stream.openShardCount} shards), Redis ${stack.config.redisUrl}`,
    );
    out(
      `  other terminals: KINESIS_ENDPOINT=${stack.endpoints.kinesis} DYNAMODB_ENDPOINT=${stack.endpoints.dynamodb}`,
    );
    out(
      `  a store of ${flags.skus} SKUs at ${flags.rate} events/s; a flash sale on 3 SKUs from 1 min to 3 min. Ctrl-C stops.\n`,
    );

    const pipeline = startPipeline(stack, { config, settings, logLevel: 'ERROR' });
    const subscriber = stack.redis?.duplicate();
    let printed = 0;
    let skipped = 0;
    const budget = setInterval(() => {
      printed = 0;
    }, 1000);
    if (subscriber !== undefined && pipeline.cache !== undefined) {
      await subscriber.subscribe(pipeline.cache.channel);
      subscriber.on('message', (_channel: string, message: string) => {
        if (printed >= flags.lines) {
          skipped += 1;
          return;
        }
        printed += 1;
        out(priceLine(JSON.parse(message) as StoredPrice));
      });
    }
    const producer = new Producer({
      kinesis: stack.kinesis,
      streamName: stack.config.streamName,
      lingerMs: 50,
      // Lanes go by partition key: with more than one, an aggregate must hold one SKU only.
      aggregateBy: flags.parallelization > 1 ? 'sku' : 'shard',
    });
    const started = performance.now();
    const summary = setInterval(() => {
      const seconds = (performance.now() - started) / 1000;
      const { metrics } = pipeline;
      out(
        `-- ${seconds.toFixed(0)}s: ${producer.report().itemsPut} events put, ${metrics.total('EventsProcessed')} priced ` +
          `(${(metrics.total('EventsProcessed') / seconds).toFixed(0)}/s), ${metrics.total('PriceChanges')} price changes` +
          `${skipped > 0 ? ` (${skipped} not printed)` : ''}, ${metrics.total('LateEvents')} late, ` +
          `${metrics.total('DeadLetters')} dead letters, ${metrics.total('BatchFailures')} batch retries`,
      );
    }, 5000);

    const stopping = new AbortController();
    // One Ctrl-C can arrive more than once: the terminal signals every process of the job, and
    // npm forwards it to its script too. Copies of the first are ignored; a second press, a
    // moment later, stops at once without waiting for the consumer.
    let firstSignal: number | undefined;
    const onSignal = () => {
      const now = performance.now();
      if (firstSignal === undefined) {
        firstSignal = now;
        out('\nstopping: the consumer is catching up with what was put (Ctrl-C again to stop at once)…');
        stopping.abort();
      } else if (now - firstSignal > 1000) {
        out('stopping now, without waiting for the consumer.');
        process.exit(130);
      }
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    const store = simulateStore({
      skus: flags.skus,
      rate: flags.rate,
      startTime: Date.now(),
      seed: Date.now() % 100_000,
      flashSale: { startAfterMs: 60_000, durationMs: 120_000, hotSkus: 3, share: 0.6 },
    });
    try {
      for await (const event of paced(store, flags.rate)) {
        if (stopping.signal.aborted) break;
        await producer.put(event);
      }
      await producer.flush();
      await Promise.race([
        pipeline.poller.whenCaughtUp(),
        new Promise((resolve) => setTimeout(resolve, 15_000)),
      ]);
    } finally {
      clearInterval(summary);
      clearInterval(budget);
      await pipeline.stop();
      subscriber?.disconnect();
      await stack.stop();
      out('stopped.');
    }
  });
}
