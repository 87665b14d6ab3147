import { once } from 'node:events';
import path from 'node:path';
import { Command } from 'commander';
import { from, lastValueFrom, type Observable, tap } from 'rxjs';
import { z } from 'zod';
import {
  asOneShard,
  type BacktestConfig,
  type BacktestShard,
  backtest,
} from '../../processors/backtest/backtest';
import type { BacktestSummary } from '../../processors/backtest/backtestTally';
import type { PriceChange } from '../../processors/window/outputs';
import { createKinesisClient } from '../aws/awsClients';
import { ConfigError } from '../config/ConfigError';
import { loadPricingConfig } from '../config/loadPricingConfig';
import type { InvalidEventError } from '../producer/errors';
import { readEvents } from '../producer/readEvents';
import { requireStream } from '../stream/ensureStream';
import { replayShards } from '../stream/replayShards';
import { backtestReport, count, csvRow, minutes, openPathsCsv, pricePaths } from './backtestReport';
import {
  type GeneratorFlags,
  generatedEvents,
  generatorFlagsSchema,
  withGeneratorOptions,
} from './generatorFlags';
import { parseFlags } from './parseFlags';
import { requireRunningStack, stackConfigFrom, withStackFlags } from './stackFlags';

const backtestFlagsSchema = generatorFlagsSchema.extend({
  config: z.array(z.string().min(1)).default([]),
  paths: z.string().min(1).optional(),
  sku: z.string().min(1).optional(),
  replay: z.boolean().default(false),
  startingTimestamp: z.iso.datetime({ offset: true }).optional(),
});

/** The name that stands for the built-in defaults among `--config` files. */
const defaultsName = 'defaults';

/**
 * `pricestream backtest`: recorded (or generated) events through several pricing configs side by
 * side, as the consumer would price them on one shard; prints each config's price churn, moves
 * and a revenue proxy, and can write every price path to a CSV file. Needs no stream or store.
 */
export function backtestCommand(): Command {
  return withStackFlags(
    withGeneratorOptions(
      new Command('backtest')
        .description(
          "price events (an NDJSON file, - for stdin, --generate, or --replay of the stack's stream) under several configs side by side",
        )
        .argument('[file]', 'NDJSON file of events, or - for stdin')
        .option(
          '--config <file>',
          `a pricing config to compare (repeat for several; "${defaultsName}" is the built-in defaults)`,
          (value: string, previous: string[] = []) => [...previous, value],
        )
        .option('--paths <file.csv>', 'write every price change of every config to this CSV file')
        .option('--sku <sku>', "print this SKU's price path under each config")
        .option(
          '--replay',
          "read the events from the stack's stream, every shard, children after their parents",
        )
        .option(
          '--starting-timestamp <iso>',
          'with --replay: start each shard at its first record from this time',
        ),
    ),
  ).action(async (file: string | undefined, rawFlags: Record<string, unknown>) => {
    const flags = parseFlags(backtestFlagsSchema, rawFlags);
    if (flags.replay && (file !== undefined || flags.generate))
      throw new ConfigError('--replay', "replays the stack's stream: give it no file and no --generate");
    if (flags.startingTimestamp !== undefined && !flags.replay)
      throw new ConfigError('--starting-timestamp', 'is where --replay starts each shard: it needs --replay');
    if (!flags.replay && !flags.generate && file === undefined)
      throw new Error('give an NDJSON file (or - for stdin), --generate, or --replay');
    if (flags.generate && flags.count === undefined && flags.duration === undefined)
      throw new ConfigError('--duration', 'a generated backtest needs --duration or --count to end');
    const configs = await loadConfigs(flags.config.length === 0 ? [defaultsName] : flags.config);
    const started = performance.now();
    let reported = started;
    // Called from the pipeline itself, not a timer: a generated store runs without yielding to the event loop.
    const progress = (line: () => string) => {
      if (performance.now() - reported < 5000) return;
      reported = performance.now();
      process.stderr.write(`-- ${((reported - started) / 1000).toFixed(0)}s: ${line()}\n`);
    };
    const source = flags.replay
      ? await replaySource(rawFlags, flags.startingTimestamp, progress)
      : eventSource(file, flags, progress);
    const csv = flags.paths === undefined ? undefined : await openPathsCsv(flags.paths);
    const skuPaths = new Map<string, PriceChange[]>(configs.map(({ label }) => [label, []]));
    const summaries = new Map<string, BacktestSummary>();
    try {
      await lastValueFrom(
        source.shards.pipe(
          backtest(configs),
          tap((output) => {
            if (output.kind === 'summary') summaries.set(output.label, output.summary);
            else {
              csv?.write(csvRow(output.label, output.change));
              if (output.change.sku === flags.sku) skuPaths.get(output.label)?.push(output.change);
            }
          }),
        ),
        { defaultValue: undefined },
      );
    } finally {
      source.close();
      if (csv !== undefined) {
        csv.end();
        await once(csv, 'close');
      }
    }
    process.stdout.write(backtestReport(configs, summaries, source.header));
    if (flags.sku !== undefined) process.stdout.write(pricePaths(flags.sku, skuPaths));
    if (flags.paths !== undefined) process.stdout.write(`price paths written to ${flags.paths}\n`);
    source.finish();
  });
}

/** Where a backtest's events come from, and what it says of them. */
interface BacktestSource {
  readonly shards: Observable<BacktestShard>;
  /** The report's first line: what was read and how it was priced, given the first config's summary. */
  header(first: BacktestSummary): string;
  /** Releases what the source holds, once the backtest is over or has failed. */
  close(): void;
  /** Says what was refused, after the report, and sets the exit code. */
  finish(): void;
}

/** Events of a file, stdin or the simulated store, priced as one shard. */
function eventSource(
  file: string | undefined,
  flags: GeneratorFlags,
  progress: (line: () => string) => void,
): BacktestSource {
  let read = 0;
  let refused = 0;
  const onInvalid = (error: InvalidEventError) => {
    refused += 1;
    process.stderr.write(`refused ${error.message}\n`);
  };
  const events = flags.generate ? generatedEvents(flags) : readEvents(file ?? '-', onInvalid);
  return {
    shards: from(events).pipe(
      tap(() => {
        read += 1;
        if (read % 10_000 === 0) progress(() => `${count(read)} events read`);
      }),
      asOneShard(),
    ),
    header: (first) =>
      `backtest: ${count(read)} events (${count(first.events)} per SKU) over ${minutes(first.spanMs)} of event time, ` +
      'priced as one shard, in the order given',
    close: () => {},
    finish: () => {
      if (refused === 0) return;
      process.stderr.write(`${refused} line${refused === 1 ? '' : 's'} refused\n`);
      process.exitCode = 1;
    },
  };
}

/**
 * The stack's stream, every shard from its oldest record (or `from`), decoded and priced as the
 * consumer does: undecodable records left out, copies a producer put twice applied once.
 */
async function replaySource(
  rawFlags: Record<string, unknown>,
  from: string | undefined,
  progress: (line: () => string) => void,
): Promise<BacktestSource> {
  const stack = stackConfigFrom(rawFlags);
  requireRunningStack(stack, ['kinesisEndpoint'], 'backtest --replay reads a stream that outlives it');
  const kinesis = createKinesisClient({ region: stack.region, endpoint: stack.kinesisEndpoint });
  try {
    await requireStream(kinesis, stack.streamName);
  } catch (error) {
    kinesis.destroy();
    throw error;
  }
  const shards = new Set<string>();
  const read = { records: 0, events: 0, deadLetters: 0, repeats: 0 };
  const replayed = replayShards(
    kinesis,
    stack,
    { from: from === undefined ? undefined : new Date(from) },
    {
      shard(shard) {
        shards.add(shard.shardId);
      },
      page(shard, page) {
        read.records += page.records;
        read.events += page.events;
        read.deadLetters += page.deadLetters;
        read.repeats += page.repeats;
        progress(
          () => `${count(read.records)} records, ${count(read.events)} events read; reading ${shard.shardId}`,
        );
      },
    },
  );
  return {
    shards: replayed,
    header: (first) => {
      const leftOut = [
        read.deadLetters > 0 ? `${count(read.deadLetters)} undecodable (the consumer's dead letters)` : '',
        read.repeats > 0 ? `${count(read.repeats)} records put twice, applied once` : '',
      ].filter(Boolean);
      return (
        `backtest: ${count(read.records)} records (${count(first.events)} per-SKU events) over ${minutes(first.spanMs)} of event time, ` +
        `replayed from stream ${stack.streamName}` +
        `${from === undefined ? '' : ` from ${from}`}, ${shards.size} shard${shards.size === 1 ? '' : 's'} priced as the consumer prices them, children after their parents` +
        (leftOut.length === 0 ? '' : `\n  left out as the consumer leaves them out: ${leftOut.join('; ')}`)
      );
    },
    close: () => kinesis.destroy(),
    finish: () => {},
  };
}

/** Each `--config` file loaded and named by its file name (its path, where two names clash). */
async function loadConfigs(files: readonly string[]): Promise<BacktestConfig[]> {
  const names = files.map((file) => (file === defaultsName ? defaultsName : path.basename(file, '.json')));
  const configs: BacktestConfig[] = [];
  for (const [index, file] of files.entries()) {
    const name = names[index] as string;
    const label = names.indexOf(name) === names.lastIndexOf(name) ? name : file;
    if (configs.some((config) => config.label === label))
      throw new ConfigError('--config', `${file} is given twice`);
    configs.push({ label, config: await loadPricingConfig(file === defaultsName ? undefined : file) });
  }
  return configs;
}
