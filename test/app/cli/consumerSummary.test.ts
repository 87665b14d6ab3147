import { describe, expect, it } from 'vitest';
import { consumerSummary } from '../../../app/cli/consumerSummary';
import { LocalMetrics } from '../../../app/local/LocalMetrics';

describe('consumerSummary', () => {
  it('names records put twice and batches priced twice only when there were some', () => {
    const metrics = new LocalMetrics();
    metrics.addMetric('EventsProcessed', 'Count', 300);
    metrics.addMetric('PriceChanges', 'Count', 12);

    expect(consumerSummary(metrics, 10)).toBe(
      '300 priced (30/s), 12 price changes, 0 late, 0 dead letters, 0 batch retries',
    );

    metrics.addMetric('RepeatedRecords', 'Count', 2);
    metrics.addMetric('BatchesRepriced', 'Count', 3);
    metrics.addMetric('BatchFailures', 'Count', 1);
    expect(consumerSummary(metrics, 10)).toBe(
      '300 priced (30/s), 12 price changes, 0 late, 0 dead letters, 2 records put twice, ' +
        '3 batches priced twice (records not keyed by SKU), 1 batch retries',
    );
  });
});
