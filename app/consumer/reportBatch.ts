import type { Logger } from '@aws-lambda-powertools/logger';
import type { PriceChange } from '../../processors/window/outputs';
import type { Batch, ConsumerMetrics } from './types';

/** A stored batch's metrics, and the logs of what it could not apply as usual (repeats, dead letters). */
export function reportBatch(
  metrics: ConsumerMetrics,
  logger: Logger,
  batch: Batch,
  changes: readonly PriceChange[],
  now: number,
): void {
  const late = batch.outputs.filter((output) => output.kind === 'late').length;
  metrics.addMetric('RecordsProcessed', 'Count', batch.records);
  metrics.addMetric('EventsProcessed', 'Count', batch.events);
  metrics.addMetric('RepeatedRecords', 'Count', batch.repeatedRecords);
  metrics.addMetric('PriceChanges', 'Count', changes.length);
  metrics.addMetric('LateEvents', 'Count', late);
  metrics.addMetric('DeadLetters', 'Count', batch.deadLetters.length);
  metrics.addMetric('EventAgeAtPrice', 'Milliseconds', Math.max(0, now - batch.oldestArrival));
  if (batch.repeatedRecords > 0)
    logger.warn('records a producer put twice: their events were applied once', {
      shardId: batch.shardId,
      repeatedRecords: batch.repeatedRecords,
    });
  if (batch.deadLetters.length > 0) {
    logger.warn('records sent to dead letters', {
      shardId: batch.shardId,
      deadLetters: batch.deadLetters.map(({ position, step, field, reason }) => ({
        position,
        step,
        field,
        reason,
      })),
    });
  }
  logger.debug('batch priced', { shardId: batch.shardId, priceChanges: changes.length, lateEvents: late });
}
