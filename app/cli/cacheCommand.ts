import { Command } from 'commander';
import { PriceCache } from '../consumer/PriceCache';
import { PriceStore } from '../consumer/PriceStore';
import { startStack } from '../stack';
import { requireRunningStack, stackConfigFrom, withStackFlags } from './stackFlags';

/** `pricestream cache rebuild`: restores the Redis cache from the prices in DynamoDB. */
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
      try {
        const written = await new PriceCache(stack.redis as NonNullable<typeof stack.redis>).rebuild(
          new PriceStore(stack.dynamo, stack.tables).allCurrent(),
        );
        process.stdout.write(`cache rebuilt: ${written} prices written to ${config.redisUrl}\n`);
      } finally {
        await stack.stop();
      }
    }),
  );
}
