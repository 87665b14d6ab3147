import { Command } from 'commander';
import { startStack } from '../stack';
import { stackConfigFrom, withStackFlags } from './stackFlags';
import { whenStopAsked } from './stopSignals';

/** `pricestream stack`: runs the embedded stack until Ctrl-C and prints how to point other commands at it. */
export function stackCommand(): Command {
  return withStackFlags(
    new Command('stack').description('run the embedded stack (emulators, stream, tables) until Ctrl-C'),
  ).action(async (rawFlags: Record<string, unknown>) => {
    const stack = await startStack(stackConfigFrom(rawFlags));
    const out = (line: string) => process.stdout.write(`${line}\n`);
    const stopAsked = whenStopAsked(out, 'stopping the stack…');
    out(
      `stack up: stream ${stack.config.streamName} (${stack.stream.openShardCount} open shards), tables ${Object.values(stack.tables).join(', ')}\n` +
        `export KINESIS_ENDPOINT=${stack.endpoints.kinesis} DYNAMODB_ENDPOINT=${stack.endpoints.dynamodb} REDIS_URL=${stack.config.redisUrl}`,
    );
    await stopAsked;
    await stack.stop();
    out('stopped.');
  });
}
