import { SingleBar } from 'cli-progress';
import type { ProduceReport } from '../producer/Producer';

/**
 * Shows a producer's progress on stderr: events read, per-SKU events put and per second,
 * Kinesis records, retries and failures; a bar when the total is known. Redraws twice a second; on a non-TTY, a line every 5 s.
 */
export function showProgress(read: () => ProduceReport, total: number | undefined): { stop(): void } {
  const bar = new SingleBar({
    format:
      total === undefined
        ? '{value} events read | {put} put | {rate} put/s | {records} records | {retries} retries | {failed} failed'
        : '[{bar}] {percentage}% | {value}/{total} events read | {put} put | {rate} put/s | {records} records | {retries} retries | {failed} failed',
    stream: process.stderr,
    hideCursor: true,
    noTTYOutput: true,
    notTTYSchedule: 5000,
    etaBuffer: 50,
  });
  const started = performance.now();
  const payload = (report: ProduceReport) => ({
    rate: Math.round(report.itemsPut / ((performance.now() - started) / 1000 || 1)),
    put: report.itemsPut,
    records: report.recordsPut,
    retries: report.retries,
    failed: report.failedItems,
  });
  bar.start(total ?? 0, 0, payload(read()));
  const timer = setInterval(() => {
    const report = read();
    bar.update(report.events, payload(report));
  }, 500);
  timer.unref();
  let stopped = false;
  return {
    stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      const report = read();
      bar.update(report.events, payload(report));
      bar.stop();
    },
  };
}
