import type { Command } from 'commander';
import { z } from 'zod';
import { durationSchema } from '../../processors/config/duration';
import type { StreamEvent } from '../../processors/events/schema';
import { simulateStore } from '../producer/storeSimulator';

/** The simulated store's flags, shared by the commands that can generate events instead of reading them. */
export const generatorFlagsSchema = z.object({
  generate: z.boolean().default(false),
  skus: z.coerce.number().int().min(1).max(10_000_000).default(1000),
  rate: z.coerce.number().positive().default(1000),
  count: z.coerce.number().int().positive().optional(),
  duration: durationSchema.optional(),
  flashSaleAt: durationSchema.optional(),
  flashSaleFor: durationSchema.default(60_000),
  hotSkus: z.coerce.number().int().min(1).default(3),
  hotShare: z.coerce.number().min(0).max(1).default(0.6),
  seed: z.coerce.number().int().default(1),
  startTime: z.iso.datetime({ offset: true }).optional(),
});

export type GeneratorFlags = z.infer<typeof generatorFlagsSchema>;

/** Adds `--generate` and the simulated store's options to a command. */
export function withGeneratorOptions(command: Command): Command {
  return command
    .option('--generate', 'generate a simulated store instead of reading events')
    .option('--skus <n>', 'generated catalogue size', '1000')
    .option('--rate <events/s>', 'generated events per second of event time', '1000')
    .option('--count <n>', 'generated events (default: unbounded)')
    .option('--duration <d>', 'generated event time to cover, such as 10m (instead of --count)')
    .option('--flash-sale-at <d>', 'start a flash sale this far into the generated run, such as 2m')
    .option('--flash-sale-for <d>', 'flash sale length', '1m')
    .option('--hot-skus <n>', 'SKUs the flash sale concentrates on', '3')
    .option('--hot-share <0..1>', 'share of orders going to the hot SKUs during the sale', '0.6')
    .option('--seed <n>', 'simulation seed (same seed, same events)', '1')
    .option('--start-time <iso>', 'event time of the first generated event (default: now)');
}

/** The generated store's events for a set of flags: bounded by --count or --duration. */
export function generatedEvents(flags: GeneratorFlags): Iterable<StreamEvent> {
  const count =
    flags.count ??
    (flags.duration === undefined ? undefined : Math.ceil((flags.duration / 1000) * flags.rate));
  return simulateStore({
    skus: flags.skus,
    rate: flags.rate,
    count,
    startTime: flags.startTime === undefined ? Date.now() : Date.parse(flags.startTime),
    seed: flags.seed,
    flashSale:
      flags.flashSaleAt === undefined
        ? undefined
        : {
            startAfterMs: flags.flashSaleAt,
            durationMs: flags.flashSaleFor,
            hotSkus: flags.hotSkus,
            share: flags.hotShare,
          },
  });
}
