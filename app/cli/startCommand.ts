import { Command } from 'commander';
import { Producer } from '../producer/Producer';
import { paced } from '../producer/paced';
import { simulateStore } from '../producer/storeSimulator';
import { startStack } from '../stack';
import { showProgress } from './progress';
import { stackConfigFrom, withStackFlags } from './stackFlags';

/** `pricestream start`: the embedded stack with a simulated store producing into it, until Ctrl-C. */
export function startCommand(): Command {
  return withStackFlags(
    new Command('start')
      .description(
        'run the pipeline on the embedded stack with a simulated store (a flash sale after 1 min) until Ctrl-C',
      )
      .option('--rate <events/s>', 'simulated store events per second', '500'),
  ).action(async (rawFlags: Record<string, unknown>) => {
    const stack = await startStack(stackConfigFrom(rawFlags));
    const controller = new AbortController();
    process.once('SIGINT', () => controller.abort());
    process.once('SIGTERM', () => controller.abort());
    const rate = Number(rawFlags.rate);
    const producer = new Producer({ kinesis: stack.kinesis, streamName: stack.config.streamName });
    const store = simulateStore({
      skus: 1000,
      rate,
      startTime: Date.now(),
      seed: Date.now() % 100_000,
      flashSale: { startAfterMs: 60_000, durationMs: 120_000, hotSkus: 3, share: 0.6 },
    });
    const progress = showProgress(() => producer.report(), undefined);
    try {
      for await (const event of paced(store, rate)) {
        if (controller.signal.aborted) break;
        await producer.put(event);
      }
      await producer.flush();
    } finally {
      progress.stop();
      await stack.stop();
    }
  });
}
