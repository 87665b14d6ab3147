import type { LocalMetrics } from '../local/LocalMetrics';

/** What the consumer has done in `seconds`, for a progress line: events priced, their rate, what came of them. */
export function consumerSummary(metrics: LocalMetrics, seconds: number): string {
  const priced = metrics.total('EventsProcessed');
  const repeated = metrics.total('RepeatedRecords');
  const repriced = metrics.total('BatchesRepriced');
  return (
    `${priced} priced (${(priced / seconds).toFixed(0)}/s), ${metrics.total('PriceChanges')} price changes, ` +
    `${metrics.total('LateEvents')} late, ${metrics.total('DeadLetters')} dead letters, ` +
    `${repeated > 0 ? `${repeated} records put twice, ` : ''}` +
    `${repriced > 0 ? `${repriced} batches priced twice (records not keyed by SKU), ` : ''}` +
    `${metrics.total('BatchFailures')} batch retries`
  );
}
