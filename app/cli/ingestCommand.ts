import { Command } from 'commander';
import { z } from 'zod';
import { createKinesisClient } from '../aws/awsClients';
import { Producer } from '../producer/Producer';
import { startEventIngest } from '../serve/EventIngest';
import { requireStream } from '../stream/ensureStream';
import { listenFlagsShape, withListenFlags } from './listenFlags';
import { parseFlags } from './parseFlags';
import { requireRunningStack, stackConfigFrom, withStackFlags } from './stackFlags';
import { whenStopAsked } from './stopSignals';

const ingestFlagsSchema = z.object({
  ...listenFlagsShape,
});

/**
 * `pricestream ingest`: `POST /events` (NDJSON) into the stack's stream, for producers that speak
 * HTTP rather than Kinesis (see `startEventIngest`), until Ctrl-C or the stream refuses it.
 */
export function ingestCommand(): Command {
  return withStackFlags(
    withListenFlags(
      new Command('ingest').description(
        "accept NDJSON events over HTTP (POST /events) and put them into the stack's stream",
      ),
      8081,
    ),
  ).action(async (rawFlags: Record<string, unknown>) => {
    const flags = parseFlags(ingestFlagsSchema, rawFlags);
    const config = stackConfigFrom(rawFlags);
    requireRunningStack(config, ['kinesisEndpoint'], 'ingest puts into a stream that outlives it');
    const kinesis = createKinesisClient({ region: config.region, endpoint: config.kinesisEndpoint });
    const out = (line: string) => process.stdout.write(`${line}\n`);
    try {
      await requireStream(kinesis, config.streamName);
      let failure: Error | undefined;
      let stopForFailure: () => void = () => {};
      const failed = new Promise<void>((resolve) => {
        stopForFailure = resolve;
      });
      const ingest = await startEventIngest({
        producer: new Producer({ kinesis, streamName: config.streamName }),
        host: flags.host,
        port: flags.port,
        onFatal: (error) => {
          failure = error;
          stopForFailure();
        },
      });
      // Ctrl-C is handled from the moment the line saying it is ready is out.
      const stopAsked = whenStopAsked(out, 'stopping: finishing the requests under way…');
      out(`ingesting into stream ${config.streamName}: POST NDJSON events to ${ingest.url}/events`);
      await Promise.race([stopAsked, failed]);
      await ingest.close();
      if (failure !== undefined) {
        process.stderr.write(`pricestream: the stream refused the events: ${(failure as Error).message}\n`);
        process.exitCode = 1;
      }
      out('stopped.');
    } finally {
      kinesis.destroy();
    }
  });
}
