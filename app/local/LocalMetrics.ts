import type { ConsumerMetrics } from '../consumer/createHandler';

/** The consumer's metrics kept in memory, for the local runtime's live view and the benchmarks. */
export class LocalMetrics implements ConsumerMetrics {
  readonly totals = new Map<string, number>();

  addMetric(name: string, _unit: 'Count' | 'Milliseconds', value: number): void {
    this.totals.set(name, (this.totals.get(name) ?? 0) + value);
  }

  total(name: string): number {
    return this.totals.get(name) ?? 0;
  }
}
