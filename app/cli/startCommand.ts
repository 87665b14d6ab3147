import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { ConfigError } from '../config/ConfigError';
import { loadPricingConfig } from '../config/loadPricingConfig';
import { stackConfigSources } from '../config/stackConfig';
import type { PriceCache } from '../consumer/PriceCache';
import type { StoredPrice } from '../consumer/PriceStore';
import { startPipeline } from '../local/startPipeline';
import { Producer } from '../producer/Producer';
import { paced } from '../producer/paced';
import { simulateStore } from '../producer/storeSimulator';
import { type PriceServer, startPriceServer } from '../serve/PriceServer';
import { startStack } from '../stack';
import { consumerSummary } from './consumerSummary';
import { listenFlagsShape } from './listenFlags';
import { parseFlags } from './parseFlags';
import { pollerFlagsShape, pollerSettingsFrom, withPollerFlags } from './pollerFlags';
import { priceLine } from './priceLine';
import { stackConfigFrom, withStackFlags } from './stackFlags';
import { whenStopAsked } from './stopSignals';

const startFlagsSchema = z.object({
  rate: z.coerce.number().positive().max(50_000).default(500),
  skus: z.coerce.number().int().min(1).max(1_000_000).default(1000),
  config: z.string().optional(),
  lines: z.coerce.number().int().min(0).default(20),
  livePort: listenFlagsShape.port.default(8080),
  ...pollerFlagsShape,
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
    withPollerFlags(
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
        .option('--lines <n>', 'price changes printed per second at most (0: summary only)', '20')
        .option('--live-port <port>', 'port of the live board (any free one when it is taken)', '8080'),
    ),
  ).action(async (rawFlags: Record<string, unknown>) => {
    const flags = parseFlags(startFlagsSchema, rawFlags);
    const settings = pollerSettingsFrom(flags);
    const config = await loadPricingConfig(flags.config);
    const stackConfig = stackConfigFrom(rawFlags);
    // Its simulated orders would land in a real stream, priced by whatever consumes it.
    if (stackConfig.target !== 'embedded')
      throw new ConfigError(
        `target (${stackConfigSources.target})`,
        "start puts a simulated store's events into the stream, so it runs on the embedded stack only: " +
          'on AWS, use produce and consume',
      );
    const stack = await startStack(stackConfig);
    const out = (line: string) => process.stdout.write(`${line}\n`);
    // From here a Ctrl-C stops cleanly, even while the rest starts: the store then puts nothing.
    let stopping = false;
    void whenStopAsked(
      out,
      '\nstopping: the consumer is catching up with what was put (Ctrl-C again to stop at once)…',
    ).then(() => {
      stopping = true;
    });
    out(
      `pricestream: stream ${stack.config.streamName} (${stack.stream.openShardCount} shards), Redis ${stack.config.redisUrl}`,
    );
    out(
      `  other terminals: KINESIS_ENDPOINT=${stack.endpoints.kinesis} DYNAMODB_ENDPOINT=${stack.endpoints.dynamodb}`,
    );
    const pipeline = startPipeline(stack, { config, settings, logLevel: 'ERROR' });
    const board =
      stack.redis === undefined || pipeline.cache === undefined
        ? undefined
        : await livePrices(stack.redis, pipeline.cache, flags.livePort).catch(async (error: unknown) => {
            await pipeline.stop();
            await stack.stop();
            throw error;
          });
    if (board !== undefined) out(`  live board: ${board.url}/ (the prices as they move, in a browser)`);
    out(
      `  a store of ${flags.skus} SKUs at ${flags.rate} events/s; a flash sale on 3 SKUs from 1 min to 3 min. Ctrl-C stops.\n`,
    );

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
      out(
        `-- ${seconds.toFixed(0)}s: ${producer.report().itemsPut} events put, ${consumerSummary(pipeline.metrics, seconds)}` +
          `${skipped > 0 ? ` (${skipped} changes not printed)` : ''}`,
      );
    }, 5000);

    const store = simulateStore({
      skus: flags.skus,
      rate: flags.rate,
      startTime: Date.now(),
      seed: Date.now() % 100_000,
      flashSale: { startAfterMs: 60_000, durationMs: 120_000, hotSkus: 3, share: 0.6 },
    });
    try {
      for await (const event of paced(store, flags.rate)) {
        if (stopping) break;
        await producer.put(event);
      }
      await producer.flush();
      await Promise.race([pipeline.whenCaughtUp(), new Promise((resolve) => setTimeout(resolve, 15_000))]);
    } finally {
      clearInterval(summary);
      clearInterval(budget);
      await board?.close();
      await pipeline.stop();
      subscriber?.disconnect();
      await stack.stop();
      out('stopped.');
    }
  });
}

/** The live board on `port`, or on any free port when that one is taken (another `start`, say). */
async function livePrices(redis: Redis, cache: PriceCache, port: number): Promise<PriceServer> {
  try {
    return await startPriceServer({ redis, cache, port });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
    return startPriceServer({ redis, cache, port: 0 });
  }
}
