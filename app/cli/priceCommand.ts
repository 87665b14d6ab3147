import { Command } from 'commander';
import { PriceCache } from '../consumer/PriceCache';
import { PriceStore } from '../consumer/PriceStore';
import { startStack } from '../stack';
import { priceDetail } from './priceLine';
import { stackConfigFrom, withStackFlags } from './stackFlags';

/**
 * `pricestream price SKU`: the current price, its reason and window statistics, from the Redis
 * cache, or from DynamoDB when the cache has none and a DynamoDB is reachable (an endpoint, or AWS).
 */
export function priceCommand(): Command {
  return withStackFlags(
    new Command('price')
      .description("show a SKU's current price, its reason and window statistics")
      .argument('<sku>'),
  ).action(async (sku: string, rawFlags: Record<string, unknown>) => {
    const config = stackConfigFrom(rawFlags);
    const fromDynamo = config.target === 'aws' || config.dynamodbEndpoint !== undefined;
    const stack = await startStack(fromDynamo ? config : { ...config, target: 'aws' }, {
      redis: true,
      resources: false,
    });
    try {
      const cached = stack.redis === undefined ? undefined : await new PriceCache(stack.redis).get(sku);
      const price =
        cached ?? (fromDynamo ? await new PriceStore(stack.dynamo, stack.tables).current(sku) : undefined);
      if (price === undefined) {
        process.stderr.write(
          `no price for ${sku}${fromDynamo ? '' : ' in the cache (set DYNAMODB_ENDPOINT to a running stack to read the record)'}\n`,
        );
        process.exitCode = 1;
        return;
      }
      process.stdout.write(`${priceDetail(price)}\n  from       ${cached ? 'Redis cache' : 'DynamoDB'}\n`);
    } finally {
      await stack.stop();
    }
  });
}
