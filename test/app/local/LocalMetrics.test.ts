import { describe, expect, it } from 'vitest';
import { LocalMetrics } from '../../../app/local/LocalMetrics';

describe('LocalMetrics', () => {
  it('sums every metric and keeps the timings, stamped, to be read from a moment on', () => {
    let clock = 1_000;
    const metrics = new LocalMetrics(() => clock);
    metrics.addMetric('PricesStoredMs', 'Milliseconds', 120);
    metrics.addMetric('SkuStatesWritten', 'Count', 40);
    clock = 2_000;
    metrics.addMetric('PricesStoredMs', 'Milliseconds', 80);
    metrics.addMetric('SkuStatesWritten', 'Count', 2);

    expect(metrics.total('PricesStoredMs')).toBe(200);
    expect(metrics.total('SkuStatesWritten')).toBe(42);
    expect(metrics.timingsOf('PricesStoredMs')).toEqual([120, 80]);
    expect(metrics.timingsOf('PricesStoredMs', 1_500)).toEqual([80]);
    expect(metrics.timingsOf('SkuStatesWritten')).toEqual([]);
  });
});
