import { Command } from 'commander';
import { z } from 'zod';
import { PriceCache } from '../consumer/PriceCache';
import { startPriceServer } from '../serve/PriceServer';
import { connectRedis, withoutPassword } from '../stack';
import { listenFlagsShape, withListenFlags } from './listenFlags';
import { parseFlags } from './parseFlags';
import { stackConfigFrom } from './stackFlags';
import { whenStopAsked } from './stopSignals';

const serveFlagsSchema = z.object({
  ...listenFlagsShape,
  allowOrigin: z.string().min(1).default('*'),
});

/**
 * `pricestream serve`: the storefront's live pages' view of the Redis cache over HTTP, a SKU's
 * current price and server-sent events of every change (see `startPriceServer`), until Ctrl-C.
 */
export function serveCommand(): Command {
  return withListenFlags(
    new Command('serve').description(
      'serve current prices and a live feed of price changes (server-sent events) from the Redis cache',
    ),
    8080,
  )
    .option(
      '--allow-origin <origin>',
      'origins whose pages may read prices (Access-Control-Allow-Origin)',
      '*',
    )
    .option('--redis-url <url>', 'Redis URL (REDIS_URL, default redis://127.0.0.1:6379)')
    .action(async (rawFlags: Record<string, unknown>) => {
      const flags = parseFlags(serveFlagsSchema, rawFlags);
      const { redisUrl } = stackConfigFrom({ redisUrl: rawFlags.redisUrl });
      const redis = await connectRedis(redisUrl);
      const out = (line: string) => process.stdout.write(`${line}\n`);
      try {
        const server = await startPriceServer({
          redis,
          cache: new PriceCache(redis),
          host: flags.host,
          port: flags.port,
          allowOrigin: flags.allowOrigin,
        });
        const stopAsked = whenStopAsked(out, 'stopping: closing the live pages…');
        out(`serving prices from ${withoutPassword(redisUrl)} on ${server.url}`);
        out(`  GET ${server.url}/prices/SKU             the current price, as JSON`);
        out(
          `  GET ${server.url}/prices/live?sku=A,B    server-sent events: current prices, then each change`,
        );
        await stopAsked;
        await server.close();
        out('stopped.');
      } finally {
        redis.disconnect();
      }
    });
}
