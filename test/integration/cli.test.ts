import { execFile, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import {
  DescribeStreamSummaryCommand,
  PutRecordCommand,
  ResourceNotFoundException,
} from '@aws-sdk/client-kinesis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadStackConfig } from '../../app/config/stackConfig';
import { PriceCache } from '../../app/consumer/PriceCache';
import { PriceStore } from '../../app/consumer/PriceStore';
import { StateStore } from '../../app/consumer/StateStore';
import { startPipeline } from '../../app/local/startPipeline';
import { Producer } from '../../app/producer/Producer';
import { simulateStore } from '../../app/producer/storeSimulator';
import { type Stack, startStack } from '../../app/stack';
import { listAllShards, loadShardMap } from '../../app/stream/shardMap';
import { pricingConfigSchema } from '../../processors/config/pricingConfig';
import type { StreamEvent } from '../../processors/events/schema';
import { skuOf, splitBySku } from '../../processors/events/splitBySku';
import { freshStream, priceLines, referencePrices } from '../helpers/pipelineStack';
import { readWholeStream } from '../helpers/readStream';
import { startTestStack } from '../helpers/testStack';

const run = promisify(execFile);

/** The environment that points the CLI at a stack. */
function envFor(stack: Stack | undefined): NodeJS.ProcessEnv {
  return {
    ...process.env,
    ...(stack === undefined
      ? {}
      : {
          KINESIS_ENDPOINT: stack.endpoints.kinesis,
          DYNAMODB_ENDPOINT: stack.endpoints.dynamodb,
          PRICESTREAM_STREAM: stack.config.streamName,
          PRICESTREAM_TABLE_PREFIX: stack.config.tablePrefix,
        }),
  };
}

/** The CLI as `npm start` and `npm run pricestream` run it. */
const cli = ['--import', 'tsx', 'app/cli/main.ts'];

/** The CLI as a long-running process, its output collected: `seen` resolves once `text` is in it (or it exited). */
function spawnCli(args: string[], env: NodeJS.ProcessEnv) {
  const child = spawn('node', [...cli, ...args], { env });
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  const exited = once(child, 'exit');
  const seen = (text: string) =>
    Promise.race([
      exited,
      new Promise<void>((resolve) => {
        const look = () => {
          if (!stdout.includes(text)) return;
          child.stdout.off('data', look);
          resolve();
        };
        child.stdout.on('data', look);
        look();
      }),
    ]);
  return { child, output: () => stdout, seen, exited };
}

/**
 * Ctrl-C as it can arrive: a terminal's reaches every process of the job, and npm forwards it to
 * its script too, so a copy comes just after the first was handled (once `stopping` is printed).
 * With `copiesWhileExiting`, for a command that stops within the second copies are ignored for,
 * copies keep coming every 2 ms from `stopped.` until it has exited: the moment Node tears down.
 * Resolves with the exit code and signal.
 */
async function ctrlC(run: ReturnType<typeof spawnCli>, stopping: string, copiesWhileExiting = false) {
  run.child.kill('SIGINT');
  await run.seen(stopping);
  run.child.kill('SIGINT');
  if (!copiesWhileExiting) return run.exited;
  await run.seen('stopped.');
  const copies = setInterval(() => run.child.kill('SIGINT'), 2);
  try {
    return await run.exited;
  } finally {
    clearInterval(copies);
  }
}

/** Runs the CLI as a user would, against the given stack; resolves with its exit code and output. */
async function pricestream(stack: Stack | undefined, ...args: string[]) {
  try {
    const { stdout, stderr } = await run('node', [...cli, ...args], { env: envFor(stack) });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('the pricestream CLI', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startTestStack({ redis: true });
  });
  afterAll(() => stack?.stop());

  it('produces a generated store into the stream, aggregated per SKU when asked', async () => {
    const target = await freshStream(stack);
    const produced = await pricestream(
      target,
      'produce',
      '--generate',
      '--count',
      '400',
      '--skus',
      '6',
      '--aggregate-by',
      'sku',
      '--start-time',
      '2026-03-01T10:00:00Z',
    );

    expect(produced.code).toBe(0);
    const records = await readWholeStream(target.kinesis, target.config.streamName);
    expect(records.length).toBeGreaterThanOrEqual(400);
    const skusPerAggregate = new Map<string, Set<string>>();
    for (const record of records) {
      const sku = skuOf(record.json as StreamEvent);
      const key = `${record.shardId}/${record.sequenceNumber}`;
      skusPerAggregate.set(key, (skusPerAggregate.get(key) ?? new Set()).add(sku));
    }
    expect(skusPerAggregate.size).toBeLessThan(records.length);
    expect([...skusPerAggregate.values()].every((skus) => skus.size === 1)).toBe(true);
  });

  it('shows a SKU the pipeline priced, as the record holds it', async () => {
    const target = await freshStream(stack);
    const produced = await pricestream(
      target,
      'produce',
      '--generate',
      '--count',
      '2000',
      '--skus',
      '4',
      '--rate',
      '20',
      '--start-time',
      '2026-03-01T10:00:00Z',
    );
    expect(produced.code).toBe(0);
    // The CLI reads the default cache keys: clear what an earlier run left for these SKUs.
    const skus = new Set(
      (await readWholeStream(target.kinesis, target.config.streamName)).map((record) =>
        skuOf(record.json as StreamEvent),
      ),
    );
    await target.redis?.del(...[...skus].map((sku) => `pricestream:price:${sku}`));
    const config = pricingConfigSchema.parse({ interval: '10s', pricing: { minOrders: 1 } });
    const pipeline = startPipeline(target, { config, cachePrefix: 'pricestream:' });
    await pipeline.whenCaughtUp();
    await pipeline.stop();
    const priced = (await Promise.all([...skus].map(async (sku) => pipeline.prices.current(sku)))).filter(
      (price) => price !== undefined,
    );
    expect(priced.length).toBeGreaterThan(0);
    const stored = priced[0] as NonNullable<(typeof priced)[number]>;

    const shown = await pricestream(target, 'price', stored.sku);

    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain(`${stored.sku}  ${(stored.price / 100).toFixed(2)}`);
    expect(shown.stdout).toContain(`reason     ${stored.reason}`);
    expect(shown.stdout).toMatch(/from\s+Redis cache/);
  });

  it('stops cleanly on a Ctrl-C that comes while it is still starting', async () => {
    const target = await freshStream(stack);
    const start = spawnCli(['start', '--rate', '200', '--skus', '50', '--lines', '0'], envFor(target));
    await start.seen('pricestream: stream');

    const [code, signal] = await ctrlC(start, 'stopping:');

    expect(signal).toBeNull();
    expect(code).toBe(0);
    expect(start.output().trimEnd().endsWith('stopped.')).toBe(true);
  });

  it('stops cleanly on Ctrl-C, whatever copies of the signal arrive with it', async () => {
    const target = await freshStream(stack);
    const start = spawnCli(['start', '--rate', '200', '--skus', '50', '--lines', '0'], envFor(target));
    await start.seen('events put');
    // Its live board answers, on 8080 or, taken, on another port.
    const board = await fetch(/live board: (\S+)/.exec(start.output())?.[1] as string);
    expect(board.status).toBe(200);
    expect(await board.text()).toContain('Live prices');

    const [code, signal] = await ctrlC(start, 'stopping:');

    expect(signal).toBeNull();
    expect(code).toBe(0);
    expect(start.output().trimEnd().endsWith('stopped.')).toBe(true);
  });

  it('consumes what producers put into a running `stack` as the core prices it, resumes at its checkpoints, and the stack stops on Ctrl-C', async () => {
    const stackProcess = spawnCli(['stack'], envFor(undefined));
    await stackProcess.seen('REDIS_URL=');
    const endpoint = (name: string) => new RegExp(`${name}=(\\S+)`).exec(stackProcess.output())?.[1];
    const running = await startStack(
      loadStackConfig(process.env, {
        kinesisEndpoint: endpoint('KINESIS_ENDPOINT'),
        dynamodbEndpoint: endpoint('DYNAMODB_ENDPOINT'),
      }),
      { redis: true },
    );
    try {
      // SKUs of this test's own, so no other test's writes to the default cache keys can meet them.
      const tag = randomUUID().slice(0, 6);
      const events = [
        ...simulateStore({
          skus: 12,
          rate: 8,
          count: 2400,
          seed: 3,
          startTime: Date.parse('2026-03-01T10:00:00Z'),
        }),
      ].map((event) =>
        event.type === 'order'
          ? { ...event, lines: event.lines.map((line) => ({ ...line, sku: `${line.sku}.${tag}` })) }
          : { ...event, sku: `${event.sku}.${tag}` },
      );
      const report = await new Producer({
        kinesis: running.kinesis,
        streamName: running.config.streamName,
      }).putAll(events);
      expect(report.failedItems).toBe(0);
      const config = pricingConfigSchema.parse({});
      const expected = await referencePrices(running, config);
      expect(expected.length).toBeGreaterThan(0);
      const skus = new Set(expected.map((change) => change.sku));
      await running.redis?.del(...[...skus].map((sku) => `pricestream:price:${sku}`));

      const consumed = await pricestream(running, 'consume', '--until-caught-up', '--no-cache');

      expect(consumed.code).toBe(0);
      expect(consumed.stdout).toContain('caught up');
      expect(consumed.stdout).toMatch(new RegExp(`: ${report.itemsPut} priced`));
      expect(consumed.stdout.trimEnd().endsWith('stopped.')).toBe(true);
      const prices = new PriceStore(running.dynamo, running.tables);
      const history = (await Promise.all([...skus].map((sku) => prices.history(sku)))).flat();
      expect(priceLines(history)).toEqual(priceLines(expected));
      expect(await running.redis?.exists(...[...skus].map((sku) => `pricestream:price:${sku}`))).toBe(0);

      const again = await pricestream(running, 'consume', '--until-caught-up');
      expect(again.code).toBe(0);
      expect(again.stdout).toMatch(/: 0 priced/);

      // The backfill went to DynamoDB only: the cache is rebuilt from it, and its flag cleared.
      const states = new StateStore(running.dynamo, running.tables.state);
      await states.flagCacheBehind(Date.now() - 1000);
      const rebuilt = await pricestream(running, 'cache', 'rebuild');
      expect(rebuilt.code).toBe(0);
      expect(rebuilt.stdout).toContain(`cache rebuilt: ${skus.size} prices written`);
      const cache = new PriceCache(running.redis as NonNullable<typeof running.redis>);
      const newest = new Map(expected.map((change) => [change.sku, change.price]));
      for (const [sku, price] of newest) expect((await cache.get(sku))?.price, sku).toBe(price);
      expect((await states.loadShard('none')).cacheBehind).toBe(false);
    } finally {
      await running.stop();
    }

    const [code, signal] = await ctrlC(stackProcess, 'stopping the stack');
    expect(signal).toBeNull();
    expect(code).toBe(0);
    expect(stackProcess.output().trimEnd().endsWith('stopped.')).toBe(true);
  });

  it('reshards a running stream up and down between batches of events, and consume reads every event across the splits and merges', async () => {
    const run = await freshStream(stack, 2);
    let put = 0;
    const produceMinutes = async (minute: number, seed: number) => {
      const startTime = Date.parse('2026-03-01T10:00:00Z') + minute * 60_000;
      const report = await new Producer({ kinesis: run.kinesis, streamName: run.config.streamName }).putAll(
        simulateStore({ skus: 40, rate: 10, count: 600, seed, startTime }),
      );
      expect(report.failedItems).toBe(0);
      put += report.itemsPut;
    };

    await produceMinutes(0, 1);
    const up = await pricestream(run, 'reshard', '4');
    expect(up.code).toBe(0);
    expect(up.stdout.match(/^ {2}split /gm)).toHaveLength(2);
    expect(up.stdout).toContain('resharded: 4 open shards');
    await produceMinutes(1, 2);
    const down = await pricestream(run, 'reshard', '1');
    expect(down.code).toBe(0);
    expect(down.stdout.match(/^ {2}merged /gm)).toHaveLength(3);
    expect(down.stdout).toContain('resharded: 1 open shard\n');
    await produceMinutes(2, 3);

    const open = (await loadShardMap(run.kinesis, run.config.streamName)).shards;
    expect(open.map((shard) => [shard.startingHashKey, shard.endingHashKey])).toEqual([
      [0n, 2n ** 128n - 1n],
    ]);
    expect(await listAllShards(run.kinesis, run.config.streamName)).toHaveLength(2 + 4 + 3);
    const consumed = await pricestream(run, 'consume', '--until-caught-up', '--no-cache');
    expect(consumed.code).toBe(0);
    expect(consumed.stdout).toMatch(new RegExp(`: ${put} priced .*, 0 dead letters`));

    // A backtest replaying the stream prices every SKU as the consumer did, through every split and merge.
    const dir = await mkdtemp(path.join(tmpdir(), 'pricestream-replay-'));
    try {
      const paths = path.join(dir, 'paths.csv');
      const replayed = await pricestream(run, 'backtest', '--replay', '--paths', paths);
      expect(replayed.code).toBe(0);
      expect(replayed.stdout).toContain(
        `per-SKU events) over 3.0 min of event time, replayed from stream ${run.config.streamName}, 9 shards priced as the consumer prices them`,
      );
      const rows = (await readFile(paths, 'utf8')).trim().split('\n').slice(1);
      const replayedLines = rows.map((row) => {
        const [, sku, asOf, price, , reason] = row.split(',');
        return `${sku}@${Date.parse(asOf as string)}=${price}/${reason}`;
      });
      const skus = new Set(rows.map((row) => row.split(',')[1] as string));
      expect(skus.size).toBe(40);
      const prices = new PriceStore(run.dynamo, run.tables);
      const history = (await Promise.all([...skus].map((sku) => prices.history(sku)))).flat();
      expect(replayedLines.sort()).toEqual(priceLines(history));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('replays a stream from a time in a backtest, and refuses a replay it cannot make, naming the flag', async () => {
    const run = await freshStream(stack, 2);
    const putStore = async (seed: number, minute: number) => {
      const report = await new Producer({ kinesis: run.kinesis, streamName: run.config.streamName }).putAll(
        simulateStore({
          skus: 20,
          rate: 10,
          count: 300,
          seed,
          startTime: Date.parse('2026-03-01T10:00:00Z') + minute * 60_000,
        }),
      );
      expect(report.failedItems).toBe(0);
      return report;
    };
    const first = await putStore(1, 0);
    // Arrival times are whole milliseconds: the second store's records arrive after `from`, the first's before.
    const from = new Date(Date.now() + 1);
    while (Date.now() <= from.getTime()) await new Promise((resolve) => setImmediate(resolve));
    const second = await putStore(2, 1);

    const all = await pricestream(run, 'backtest', '--replay');
    const later = await pricestream(run, 'backtest', '--replay', '--starting-timestamp', from.toISOString());

    expect(all.code).toBe(0);
    expect(all.stdout).toContain(
      `backtest: ${first.recordsPut + second.recordsPut} records (${first.itemsPut + second.itemsPut} per-SKU events)`,
    );
    expect(later.code).toBe(0);
    expect(later.stdout).toContain(
      `backtest: ${second.recordsPut} records (${second.itemsPut} per-SKU events)`,
    );
    expect(later.stdout).toContain(
      `replayed from stream ${run.config.streamName} from ${from.toISOString()}, 2 shards`,
    );

    const withFile = await pricestream(run, 'backtest', 'events.ndjson', '--replay');
    const timeAlone = await pricestream(
      run,
      'backtest',
      '--generate',
      '--count',
      '10',
      '--starting-timestamp',
      from.toISOString(),
    );
    const noStack = await pricestream(undefined, 'backtest', '--replay');
    const noStream = await pricestream(run, 'backtest', '--replay', '--stream', 'no-such-stream');
    expect([withFile.code, timeAlone.code, noStack.code, noStream.code]).toEqual([2, 2, 2, 2]);
    expect(withFile.stderr).toContain(
      "invalid --replay: replays the stack's stream: give it no file and no --generate",
    );
    expect(timeAlone.stderr).toContain('invalid --starting-timestamp: is where --replay starts each shard');
    expect(noStack.stderr).toContain(
      'invalid kinesisEndpoint (KINESIS_ENDPOINT / --kinesis-endpoint): backtest --replay reads a stream that outlives it',
    );
    expect(noStream.stderr).toContain(
      'invalid streamName (PRICESTREAM_STREAM / --stream): there is no stream named no-such-stream',
    );
  });

  it('never creates a stream it is to read, reshard or put into on a running stack, nor tables on AWS unasked: it stops, naming the setting', async () => {
    const run = await freshStream(stack);
    const missing = `no-such-stream-${randomUUID().slice(0, 6)}`;
    for (const args of [
      ['consume', '--until-caught-up'],
      ['reshard', '3'],
      ['produce', '--generate', '--count', '10'],
    ]) {
      const refused = await pricestream(run, ...args, '--stream', missing);
      expect(refused.code, args[0]).toBe(2);
      expect(refused.stderr).toContain(
        `invalid streamName (PRICESTREAM_STREAM / --stream): there is no stream named ${missing}`,
      );
    }
    await expect(
      run.kinesis.send(new DescribeStreamSummaryCommand({ StreamName: missing })),
    ).rejects.toBeInstanceOf(ResourceNotFoundException);
    // In emulators of its own, produce makes the stream: they hold nothing else.
    const ownEmulators = await pricestream(
      undefined,
      'produce',
      '--generate',
      '--count',
      '10',
      '--stream',
      missing,
    );
    expect(ownEmulators.code).toBe(0);
    expect(ownEmulators.stdout).toMatch(/^put \d+ events \(10 in/);

    // On AWS (here --target aws with the emulators' endpoints) a new table prefix needs --create-tables.
    const prefix = `backfill-${randomUUID().slice(0, 6)}`;
    const aws = ['consume', '--until-caught-up', '--no-cache', '--target', 'aws', '--table-prefix', prefix];
    const unasked = await pricestream(run, ...aws);
    expect(unasked.code).toBe(2);
    expect(unasked.stderr).toMatch(
      /invalid tablePrefix \(PRICESTREAM_TABLE_PREFIX \/ --table-prefix\): no tables .*--create-tables/,
    );
    // Nor does the demo put its simulated orders into a real stream.
    const demo = await pricestream(undefined, 'start', '--target', 'aws');
    expect(demo.code).toBe(2);
    expect(demo.stderr).toContain(
      "invalid target (PRICESTREAM_TARGET / --target): start puts a simulated store's events into the stream",
    );
    const asked = await pricestream(run, ...aws, '--create-tables');
    expect(asked.code).toBe(0);
    expect(asked.stdout).toContain(`created tables ${prefix}-`);
    expect(asked.stdout).toContain('caught up');
  });

  it("takes events over HTTP into a running stack's stream, and stops on Ctrl-C", async () => {
    const run = await freshStream(stack);
    const ingesting = spawnCli(['ingest', '--port', '0'], envFor(run));
    await ingesting.seen('/events');
    const url = /to (http:\/\/\S+)/.exec(ingesting.output())?.[1] as string;
    const events = [
      ...simulateStore({
        skus: 5,
        rate: 10,
        count: 20,
        seed: 1,
        startTime: Date.parse('2026-03-01T10:00:00Z'),
      }),
    ];
    const answer = await fetch(url, {
      method: 'POST',
      body: events.map((event) => JSON.stringify(event)).join('\n'),
    });
    const noStack = await pricestream(undefined, 'ingest');

    expect(answer.status).toBe(200);
    expect(await answer.json()).toEqual({ accepted: 20, refused: [], failed: [] });
    const stream = await readWholeStream(run.kinesis, run.config.streamName);
    expect(stream.map((record) => JSON.stringify(record.json)).sort()).toEqual(
      events
        .flatMap(splitBySku)
        .map((event) => JSON.stringify(event))
        .sort(),
    );
    expect(noStack.code).toBe(2);
    expect(noStack.stderr).toContain(
      'invalid kinesisEndpoint (KINESIS_ENDPOINT / --kinesis-endpoint): ingest puts into a stream that outlives it',
    );
    const [code, signal] = await ctrlC(ingesting, 'stopping', true);
    expect(signal).toBeNull();
    expect(code).toBe(0);
    expect(ingesting.output().trimEnd().endsWith('stopped.')).toBe(true);
  });

  it('lists the dead letters with their reasons, and prints the dead records to fix and put again', async () => {
    const run = await freshStream(stack, 1);
    const truncated = '{"type":"order","v":1,"orderId":';
    const noLines = JSON.stringify({
      type: 'order',
      v: 1,
      orderId: 'o-bad',
      eventTime: '2026-03-01T10:01:00Z',
      lines: [],
    });
    for (const data of [Buffer.from(truncated), Buffer.from(noLines), Buffer.from([0xff, 0xfe, 0x7b])]) {
      await run.kinesis.send(
        new PutRecordCommand({ StreamName: run.config.streamName, PartitionKey: 'ELEC-1', Data: data }),
      );
    }
    const consumed = await pricestream(run, 'consume', '--until-caught-up', '--no-cache');
    expect(consumed.stdout).toMatch(/3 dead letters/);

    const listed = await pricestream(run, 'dead-letters');
    const ndjson = await pricestream(run, 'dead-letters', '--ndjson');
    const noStack = await pricestream(undefined, 'dead-letters');

    expect(listed.code).toBe(0);
    expect(listed.stdout).toContain(`3 dead letters in ${run.tables.deadLetters}`);
    expect(listed.stdout).toMatch(/ELEC-1 {2}utf8-json: .+\n/);
    expect(listed.stdout).toMatch(/ELEC-1 {2}schema: lines: .+\n/);
    expect(ndjson.stdout.trim().split('\n').sort()).toEqual([noLines, truncated].sort());
    expect(ndjson.stderr).toContain('1 dead record is not a line of UTF-8 text');
    expect(noStack.code).toBe(2);
    expect(noStack.stderr).toContain('invalid dynamodbEndpoint (DYNAMODB_ENDPOINT / --dynamodb-endpoint)');
    // A replay leaves them out as the consumer did, and says so.
    const replayed = await pricestream(run, 'backtest', '--replay');
    expect(replayed.stdout).toContain(
      "left out as the consumer leaves them out: 3 undecodable (the consumer's dead letters)",
    );
  });

  it("serves a SKU's price over HTTP from the cache, refuses a bad port, and stops on Ctrl-C", async () => {
    const sku = `ELEC-${randomUUID().slice(0, 6)}`;
    const cache = new PriceCache(stack.redis as NonNullable<typeof stack.redis>);
    await cache.publish([
      {
        sku,
        price: 1999,
        asOf: 1000,
        reason: 'demand',
        demandFactor: 1,
        inventoryFactor: 1,
        stats: {} as never,
      },
    ]);
    const serving = spawnCli(['serve', '--port', '0'], envFor(undefined));
    await serving.seen('/prices/live');
    const url = /on (http:\/\/\S+)/.exec(serving.output())?.[1] as string;
    const answer = await fetch(`${url}/prices/${sku}`);
    const bad = await pricestream(undefined, 'serve', '--port', '70000');

    expect(answer.status).toBe(200);
    expect(await answer.json()).toMatchObject({ sku, price: 1999, asOf: 1000 });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('invalid port (--port)');
    const [code, signal] = await ctrlC(serving, 'stopping', true);
    expect(signal).toBeNull();
    expect(code).toBe(0);
    expect(serving.output().trimEnd().endsWith('stopped.')).toBe(true);
  });

  it('says when a SKU has no price, and exits non-zero', async () => {
    const shown = await pricestream(stack, 'price', `NONE-${randomUUID().slice(0, 6)}`);
    expect(shown.code).toBe(1);
    expect(shown.stderr).toMatch(/no price for NONE-/);
  });

  it.each([
    [['produce', '--generate', '--aggregate-by', 'lane'], '--aggregate-by'],
    [['produce', '--generate', '--rate', 'fast'], '--rate'],
    [['start', '--parallelization', '11'], '--parallelization'],
    [['start', '--timeout', '500ms'], '--timeout'],
    [['stack', '--shards', '0'], '--shards'],
    [['consume'], '--kinesis-endpoint'],
    [['cache', 'rebuild'], '--dynamodb-endpoint'],
    [['consume', '--batch-size', '0'], '--batch-size'],
    [['reshard', 'many'], '<count>'],
    [['reshard', '3'], '--kinesis-endpoint'],
  ])('fails fast on a bad flag, naming it (%o)', async (args, flag) => {
    const result = await pricestream(undefined, ...args);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^pricestream: invalid /);
    expect(result.stderr).toContain(`${flag})`);
  });
});
