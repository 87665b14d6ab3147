import type { ConsumerMetrics } from '../consumer/createHandler';

/** The consumer's metrics kept in memory, for the local runtime's live view and the benchmarks. */
export class LocalMetrics implements ConsumerMetrics {
  readonly totals = new Map<string, number>();
  /** Each value of a metric in milliseconds, with the wall-clock ms it was added at. */
  private readonly timings = new Map<string, { at: number; value: number }[]>();

  /** @param now the wall clock the timings are stamped with */
  constructor(private readonly now: () => number = Date.now) {}

  addMetric(name: string, unit: 'Count' | 'Milliseconds', value: number): void {
    this.totals.set(name, (this.totals.get(name) ?? 0) + value);
    if (unit !== 'Milliseconds') return;
    const values = this.timings.get(name) ?? [];
    if (values.length === 0) this.timings.set(name, values);
    values.push({ at: this.now(), value });
  }

  total(name: string): number {
    return this.totals.get(name) ?? 0;
  }

  /** The values of a metric in milliseconds added at or after `since` (wall-clock ms), in order. */
  timingsOf(name: string, since = Number.NEGATIVE_INFINITY): number[] {
    return (this.timings.get(name) ?? []).filter(({ at }) => at >= since).map(({ value }) => value);
  }
}
