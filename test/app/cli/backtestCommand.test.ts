import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { from, lastValueFrom, toArray } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsePricingConfig } from '../../../app/config/loadPricingConfig';
import { simulateStore } from '../../../app/producer/storeSimulator';
import { asOneShard, backtest } from '../../../processors/backtest/backtest';

const run = promisify(execFile);

/** The CLI as a user runs it; resolves with its exit code and output. */
async function pricestream(...args: string[]) {
  try {
    const { stdout, stderr } = await run('node', ['--import', 'tsx', 'app/cli/main.ts', ...args]);
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

const events = [
  ...simulateStore({
    skus: 30,
    rate: 40,
    count: 4000,
    startTime: Date.parse('2026-03-01T10:00:00Z'),
    seed: 11,
    flashSale: { startAfterMs: 30_000, durationMs: 30_000, hotSkus: 2, share: 0.6 },
  }),
];
const quick = JSON.stringify({
  windows: { short: { size: '60s', slide: '10s' }, long: { size: '5m', slide: '1m' } },
  allowedLateness: '5s',
  pricing: { minOrders: 1 },
});
const cautious = JSON.stringify({
  windows: { short: { size: '60s', slide: '10s' }, long: { size: '5m', slide: '1m' } },
  allowedLateness: '5s',
  pricing: { minOrders: 3, maxStepUp: 0.08, hysteresis: 0.04 },
});

describe('pricestream backtest', () => {
  let dir: string;
  let file: (name: string) => string;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'pricestream-backtest-'));
    file = (name) => path.join(dir, name);
    const lines = events.map((event) => JSON.stringify(event));
    lines.splice(100, 0, '{"type":"order","v":1}');
    await writeFile(file('events.ndjson'), `${lines.join('\n')}\n`);
    await writeFile(file('quick.json'), quick);
    await writeFile(file('cautious.json'), cautious);
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('compares configs side by side over a file of events, writes every price path, and refuses a bad line by number', async () => {
    const { code, stdout, stderr } = await pricestream(
      'backtest',
      file('events.ndjson'),
      '--config',
      file('quick.json'),
      '--config',
      file('cautious.json'),
      '--paths',
      file('paths.csv'),
      '--sku',
      'ELEC-000000',
    );

    const configs = [
      { label: 'quick', config: parsePricingConfig('quick.json', quick) },
      { label: 'cautious', config: parsePricingConfig('cautious.json', cautious) },
    ];
    const outputs = await lastValueFrom(from(events).pipe(asOneShard(), backtest(configs), toArray()));
    const changes = outputs.flatMap((output) => (output.kind === 'price' ? [output] : []));
    expect(code).toBe(1);
    expect(stderr).toContain('refused line 101: ');
    expect(stdout).toContain(`backtest: ${events.length.toLocaleString('en-US')} events`);
    for (const { label } of configs) {
      const summary = outputs.find((output) => output.kind === 'summary' && output.label === label);
      if (summary?.kind !== 'summary') throw new Error(`no summary for ${label}`);
      const row = stdout.split('\n').find((line) => line.startsWith(`${label} `));
      const cells = row?.trim().split(/\s{2,}/) ?? [];
      expect(cells.slice(0, 3)).toEqual([
        label,
        summary.summary.skusPriced.toLocaleString('en-US'),
        summary.summary.priceChanges.toLocaleString('en-US'),
      ]);
    }
    const csv = (await readFile(file('paths.csv'), 'utf8')).trim().split('\n');
    expect(csv[0]).toBe('config,sku,asOf,price,previousPrice,reason,limitedBy');
    expect(csv.slice(1).map((line) => line.split(',').slice(0, 4).join(','))).toEqual(
      changes.map(({ label, change }) =>
        [label, change.sku, new Date(change.asOf).toISOString(), change.price].join(','),
      ),
    );
    const hotPath = changes.filter(({ change }) => change.sku === 'ELEC-000000');
    expect(hotPath.length).toBeGreaterThan(1);
    expect(stdout).toContain('price path of ELEC-000000:');
    expect(stdout.split('\n').filter((line) => /^ {4}2026-/.test(line))).toHaveLength(hotPath.length);
  });

  it('fails fast, naming the setting, on a config it cannot read or a generated store with no end', async () => {
    const missing = await pricestream('backtest', file('events.ndjson'), '--config', file('nope.json'));
    const endless = await pricestream('backtest', '--generate', '--skus', '10');

    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(`invalid ${file('nope.json')}: cannot read the pricing config`);
    expect(endless.code).toBe(2);
    expect(endless.stderr).toContain('invalid --duration: a generated backtest needs --duration or --count');
  });
});
