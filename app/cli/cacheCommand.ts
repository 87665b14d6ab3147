import { Command } from 'commander';
import { PriceCache } from '../consumer/PriceCache';
import { PriceStore } from '../consumer/PriceStore';
import { StateStore } from '../consumer/StateStore';
import { startStack } from '../stack';
import { requireRunningStack, stackConfigFrom, withStackFlags } from './stackFlags';

/**
 * `pricestream cache rebuild`: restores the Redis cache from the prices in DynamoDB, printing the
 * prices written every 5 s, and clears the flag that tells the consumer the cache missed updates
 * (as the consumer's own rebuild does), unless a miss came after the rebuild started.
 */
export function cacheCommand(): Command {
  return new Command('cache').description('manage the Redis price cache').addCommand(
    withStackFlags(
      new Command('rebuild').description(
        'rewrite the Redis cache from the prices in DynamoDB (needs a running stack or AWS)',
      ),
    ).action(async (rawFlags: Record<string, unknown>) => {
      const config = stackConfigFrom(rawFlags);
      requireRunningStack(config, ['dynamodbEndpoint'], 'cache rebuild reads the prices of a running stack');
      const stack = await startStack(config, { resources: false });
      const out = (line: string) => process.stdout.write(`${line}\n`);
      const started = Date.now();
      let written = 0;
      const ticker = setInterval(
        () => out(`-- ${((Date.now() - started) / 1000).toFixed(0)}s: ${written} prices written`),
        5000,
      );
      try {
        written = await new PriceCache(stack.redis as NonNullable<typeof stack.redis>).rebuild(
          new PriceStore(stack.dynamo, stack.tables).allCurrent(),
          (sofar) => {
            written = sofar;
          },
        );
        await new StateStore(stack.dynamo, stack.tables.state).clearCacheBehind(started);
        out(`cache rebuilt: ${written} prices written to ${config.redisUrl}`);
      } finally {
        clearInterval(ticker);
        await stack.stop();
      }
    }),
  );
}
