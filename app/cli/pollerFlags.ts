import type { Command } from 'commander';
import { z } from 'zod';
import { durationSchema } from '../../processors/config/duration';
import { ConfigError } from '../config/ConfigError';
import type { PollerSettings } from '../local/pollerSettings';

/** The local runtime's event source mapping settings as flags, validated (see `withPollerFlags`). */
export const pollerFlagsShape = {
  batchSize: z.coerce.number().int().min(1).max(10_000).default(500),
  startingPosition: z.enum(['TRIM_HORIZON', 'LATEST', 'AT_TIMESTAMP']).default('TRIM_HORIZON'),
  startingTimestamp: z.iso.datetime({ offset: true }).optional(),
  batchWindow: durationSchema.default(0),
  parallelization: z.coerce.number().int().min(1).max(10).default(1),
  bisect: z.boolean().default(false),
  maxRetries: z.coerce.number().int().min(-1).max(10_000).default(-1),
  maxRecordAge: z.union([z.literal('-1'), durationSchema]).default('-1'),
  timeout: durationSchema
    .pipe(z.number().min(1_000, 'must be at least 1s').max(900_000, 'must be at most 15m, as in Lambda'))
    .default(60_000),
};

type PollerFlags = z.output<z.ZodObject<typeof pollerFlagsShape>>;

/** Adds the event source mapping flags a command running the consumer takes. */
export function withPollerFlags(command: Command): Command {
  return command
    .option('--batch-size <n>', 'records per consumer batch', '500')
    .option(
      '--starting-position <position>',
      'TRIM_HORIZON, LATEST or AT_TIMESTAMP, for shards with no checkpoint',
      'TRIM_HORIZON',
    )
    .option('--starting-timestamp <iso>', 'with AT_TIMESTAMP')
    .option('--batch-window <d>', 'wait up to this long to fill a batch, such as 500ms', '0ms')
    .option('--parallelization <n>', 'concurrent batches per shard (1-10), by SKU hash', '1')
    .option('--bisect', 'split a failing batch in two and retry each half')
    .option(
      '--max-retries <n>',
      'retries before a batch goes to the dead letters; -1: until its records expire',
      '-1',
    )
    .option(
      '--max-record-age <d>',
      'records older than this go to the dead letters unprocessed; -1: never',
      '-1',
    )
    .option('--timeout <d>', 'an invocation running longer fails and its batch is retried', '60s');
}

/** The poller settings the validated flags say; AT_TIMESTAMP without a timestamp fails, naming the flag. */
export function pollerSettingsFrom(flags: PollerFlags): Partial<PollerSettings> {
  if (flags.startingPosition === 'AT_TIMESTAMP' && flags.startingTimestamp === undefined) {
    throw new ConfigError('--starting-timestamp', 'is needed with --starting-position AT_TIMESTAMP');
  }
  return {
    batchSize: flags.batchSize,
    startingPosition: flags.startingPosition,
    startingTimestamp: flags.startingTimestamp === undefined ? undefined : new Date(flags.startingTimestamp),
    batchWindowMs: flags.batchWindow,
    parallelizationFactor: flags.parallelization,
    bisectOnError: flags.bisect,
    maxRetries: flags.maxRetries,
    maxRecordAgeMs: flags.maxRecordAge === '-1' ? -1 : flags.maxRecordAge,
    functionTimeoutMs: flags.timeout,
  };
}
