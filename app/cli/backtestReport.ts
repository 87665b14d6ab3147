import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import type { BacktestConfig } from '../../processors/backtest/backtest';
import type { BacktestSummary } from '../../processors/backtest/backtestTally';
import type { PriceChange } from '../../processors/window/outputs';
import { ConfigError } from '../config/ConfigError';

/** The `--paths` CSV file, opened and its header written; a file that cannot be written is a ConfigError naming the flag. */
export async function openPathsCsv(file: string): Promise<WriteStream> {
  const stream = createWriteStream(file);
  await Promise.race([
    once(stream, 'open'),
    once(stream, 'error').then(([error]) => {
      throw new ConfigError('--paths', `cannot write ${file}: ${(error as Error).message}`);
    }),
  ]);
  stream.write('config,sku,asOf,price,previousPrice,reason,limitedBy\n');
  return stream;
}

/** One price change as a row of the `--paths` CSV. */
export function csvRow(label: string, change: PriceChange): string {
  const fields = [
    label,
    change.sku,
    new Date(change.asOf).toISOString(),
    change.price,
    change.previousPrice ?? '',
    change.reason,
    change.limitedBy ?? '',
  ];
  return `${fields.map((field) => quoteCsv(String(field))).join(',')}\n`;
}

function quoteCsv(field: string): string {
  return /[",\n]/.test(field) ? `"${field.replaceAll('"', '""')}"` : field;
}

/** How the backtest's output writes a count and a span of event time. */
export const count = (value: number): string => value.toLocaleString('en-US');
export const minutes = (ms: number): string => `${(ms / 60_000).toFixed(1)} min`;
const money = (cents: number) =>
  (cents / 100).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const percent = (fraction: number) => `${(100 * fraction).toFixed(1)} %`;

/** The side-by-side table, one row per config, and each config's moves by reason. */
export function backtestReport(
  configs: readonly BacktestConfig[],
  summaries: ReadonlyMap<string, BacktestSummary>,
  describe: (first: BacktestSummary) => string,
): string {
  const first = summaries.get(configs[0]?.label ?? '');
  if (first === undefined) return 'no config to backtest\n';
  if (first.events === 0) return `${describe(first)}\nno events to backtest\n`;
  const header = [
    'config',
    'SKUs priced',
    'moves',
    'moves/SKU/h',
    'mean move',
    'rises',
    'falls',
    'late',
    'revenue',
    'vs recorded',
  ];
  const rows = configs.map(({ label }) => {
    const summary = summaries.get(label) as BacktestSummary;
    return [
      label,
      count(summary.skusPriced),
      count(summary.priceChanges),
      summary.changesPerSkuHour.toFixed(2),
      percent(summary.meanStep),
      count(summary.rises),
      count(summary.falls),
      count(summary.lateEvents),
      money(summary.revenue),
      summary.recordedRevenue === 0
        ? '—'
        : `${summary.revenue >= summary.recordedRevenue ? '+' : ''}${percent(summary.revenue / summary.recordedRevenue - 1)}`,
    ];
  });
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] as string).length)),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) =>
        column === 0 ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0),
      )
      .join('  ');
  const reasons = configs.map(({ label }) => {
    const byReason = Object.entries((summaries.get(label) as BacktestSummary).byReason)
      .sort(([, a], [, b]) => b - a)
      .map(([reason, moves]) => `${reason} ${count(moves)}`);
    return `  ${label}: ${byReason.length === 0 ? 'no moves' : byReason.join(', ')}`;
  });
  return [
    describe(first),
    line(header),
    ...rows.map(line),
    "revenue: each order line's quantity at the price published for its SKU when the order arrived; " +
      `vs recorded: against the orders' own unit prices (${money(first.recordedRevenue)})`,
    'moves by reason:',
    ...reasons,
    '',
  ].join('\n');
}

/** One SKU's price path under each config. */
export function pricePaths(sku: string, paths: ReadonlyMap<string, readonly PriceChange[]>): string {
  const lines = [`price path of ${sku}:`];
  for (const [label, changes] of paths) {
    lines.push(`  ${label}: ${changes.length === 0 ? 'never priced' : ''}`);
    for (const change of changes)
      lines.push(
        `    ${new Date(change.asOf).toISOString()}  ${money(change.price).padStart(9)}  ${change.reason}` +
          `${change.limitedBy === undefined ? '' : `, ${change.limitedBy}`}`,
      );
  }
  return `${lines.join('\n')}\n`;
}
