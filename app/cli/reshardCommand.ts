import { Command } from 'commander';
import { createKinesisClient } from '../aws/awsClients';
import { ConfigError } from '../config/ConfigError';
import { requireStream } from '../stream/ensureStream';
import { reshard } from '../stream/reshard';
import { requireRunningStack, stackConfigFrom, withStackFlags } from './stackFlags';

/** At most this many open shards: Kinesis's default shard quota per account in its largest regions. */
const maxShards = 500;

/**
 * `pricestream reshard COUNT`: splits or merges a running stream's shards until it has COUNT open,
 * as an operator scales a stream during a sale, printing each step. Consumers keep running: each
 * reads the new shards once their parents are finished.
 */
export function reshardCommand(): Command {
  return withStackFlags(
    new Command('reshard')
      .description(
        "split or merge a running stream's shards until it has <count> open (needs a running stack or AWS)",
      )
      .argument('<count>', 'open shards to have'),
  ).action(async (count: string, rawFlags: Record<string, unknown>) => {
    const target = Number(count);
    if (!Number.isInteger(target) || target < 1 || target > maxShards)
      throw new ConfigError(
        'count (<count>)',
        `must be a whole number from 1 to ${maxShards}, not '${count}'`,
      );
    const config = stackConfigFrom(rawFlags);
    requireRunningStack(config, ['kinesisEndpoint'], 'reshard changes the stream of a running stack');
    const kinesis = createKinesisClient({ region: config.region, endpoint: config.kinesisEndpoint });
    const out = (line: string) => process.stdout.write(`${line}\n`);
    try {
      await requireStream(kinesis, config.streamName);
      out(`resharding ${config.streamName} to ${target} open shards`);
      const open = await reshard(kinesis, config.streamName, target, (step, openShards) =>
        out(
          step.kind === 'split'
            ? `  split ${step.shard.shardId} at hash key ${step.at}: ${openShards} open`
            : `  merged ${step.shards[0].shardId} and ${step.shards[1].shardId}: ${openShards} open`,
        ),
      );
      out(`resharded: ${open} open shard${open === 1 ? '' : 's'}`);
    } finally {
      kinesis.destroy();
    }
  });
}
