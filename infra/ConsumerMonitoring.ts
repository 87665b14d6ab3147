import { Duration } from 'aws-cdk-lib';
import {
  Alarm,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  type IMetric,
  MathExpression,
  Metric,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import type { Stream } from 'aws-cdk-lib/aws-kinesis';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

export interface ConsumerMonitoringProps {
  readonly stage: string;
  readonly stream: Stream;
  readonly handler: IFunction;
  readonly deadLetters: Queue;
  /** Tables the consumer writes, watched for throttling. */
  readonly tables: readonly Table[];
  /** @default 60 s */
  readonly iteratorAgeAlarm?: Duration | undefined;
  /** @default 5 s */
  readonly latencyAlarm?: Duration | undefined;
  /** Where every alarm notifies, when it goes off and when it clears. @default none: no actions */
  readonly alarmTopic?: ITopic | undefined;
}

/** The consumer's own metrics, as Powertools publishes them (namespace and `service` dimension). */
function consumerMetric(metricName: string, statistic: string, period = Duration.minutes(1)): Metric {
  return new Metric({
    namespace: 'pricestream',
    metricName,
    dimensionsMap: { service: 'pricestream' },
    statistic,
    period,
  });
}

/**
 * What operators watch during a sale: alarms on event lag, dead letters, processing falling
 * behind the incoming rate, errors and batch failures, throttles (function, stream writes,
 * tables), and end-to-end latency; and one dashboard with the same figures. Given `alarmTopic`,
 * every alarm notifies it on ALARM and on OK.
 */
export class ConsumerMonitoring extends Construct {
  readonly alarms: readonly Alarm[];
  readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: ConsumerMonitoringProps) {
    super(scope, id);
    const { stream, handler, deadLetters } = props;
    const lag = stream.metricGetRecordsIteratorAgeMilliseconds({
      statistic: 'Maximum',
      period: Duration.minutes(1),
    });
    const deadLetterDepth = deadLetters.metricApproximateNumberOfMessagesVisible({
      period: Duration.minutes(1),
    });
    const incoming = stream.metricIncomingRecords({ statistic: 'Sum', period: Duration.minutes(5) });
    const processed = consumerMetric('RecordsProcessed', 'Sum', Duration.minutes(5));
    const processedShare = new MathExpression({
      label: 'records processed / records in',
      expression: 'IF(incoming > 0, processed / incoming, 1)',
      usingMetrics: { incoming, processed },
      period: Duration.minutes(5),
    });
    const latency = consumerMetric('EventAgeAtPrice', 'p99');
    const errors = handler.metricErrors({ period: Duration.minutes(1) });
    const batchFailures = consumerMetric('BatchFailures', 'Sum');
    const throttles = handler.metricThrottles({ period: Duration.minutes(1) });
    const writeThrottles = stream.metricWriteProvisionedThroughputExceeded({
      statistic: 'Sum',
      period: Duration.minutes(1),
    });
    const tableThrottles = new MathExpression({
      label: 'table throttle events',
      expression: props.tables.map((_, index) => `reads${index} + writes${index}`).join(' + '),
      usingMetrics: Object.fromEntries(
        props.tables.flatMap((table, index) => [
          [
            `reads${index}`,
            table.metric('ReadThrottleEvents', { statistic: 'Sum', period: Duration.minutes(1) }),
          ],
          [
            `writes${index}`,
            table.metric('WriteThrottleEvents', { statistic: 'Sum', period: Duration.minutes(1) }),
          ],
        ]),
      ),
      period: Duration.minutes(1),
    });

    const above = (name: string, description: string, metric: IMetric, threshold: number, periods = 1) =>
      new Alarm(this, name, {
        alarmDescription: description,
        metric,
        threshold,
        evaluationPeriods: periods,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
    this.alarms = [
      above(
        'EventLag',
        'Events wait longer than they should before they are priced (iterator age)',
        lag,
        (props.iteratorAgeAlarm ?? Duration.seconds(60)).toMilliseconds(),
        3,
      ),
      above(
        'DeadLetterDepth',
        'Batches were given up on and wait in the dead-letter queue',
        deadLetterDepth,
        0,
      ),
      new Alarm(this, 'ProcessingBehind', {
        alarmDescription:
          'The consumer processes fewer records than arrive: add shards or raise parallelization',
        metric: processedShare,
        threshold: 0.9,
        evaluationPeriods: 3,
        comparisonOperator: ComparisonOperator.LESS_THAN_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
      above('FunctionErrors', 'The consumer function fails (cold start or crash)', errors, 0),
      above('BatchFailures', 'Batches fail and are retried (a store is failing)', batchFailures, 0, 3),
      above('FunctionThrottles', 'The consumer function is throttled', throttles, 0),
      above(
        'StreamWriteThrottles',
        'Producers are throttled by the stream: add shards',
        writeThrottles,
        0,
        3,
      ),
      above('TableThrottles', 'DynamoDB throttles the consumer', tableThrottles, 0, 3),
      above(
        'EndToEndLatency',
        'p99 time from an event reaching the stream to its price being written is too long',
        latency,
        (props.latencyAlarm ?? Duration.seconds(5)).toMilliseconds(),
        3,
      ),
    ];

    if (props.alarmTopic !== undefined) {
      const notify = new SnsAction(props.alarmTopic);
      for (const alarm of this.alarms) {
        alarm.addAlarmAction(notify);
        alarm.addOkAction(notify);
      }
    }

    this.dashboard = new Dashboard(this, 'Dashboard', {
      dashboardName: `pricestream-${props.stage}`,
      widgets: [
        [
          new GraphWidget({ title: 'Records in and processed (per 5 min)', left: [incoming, processed] }),
          new GraphWidget({ title: 'Event lag (iterator age, ms)', left: [lag] }),
          new GraphWidget({
            title: 'End-to-end latency (ms)',
            left: [consumerMetric('EventAgeAtPrice', 'p50'), latency],
          }),
        ],
        [
          new GraphWidget({
            title: 'Events, price changes, late events, records put twice',
            left: [
              consumerMetric('EventsProcessed', 'Sum'),
              consumerMetric('PriceChanges', 'Sum'),
              consumerMetric('LateEvents', 'Sum'),
              consumerMetric('RepeatedRecords', 'Sum'),
            ],
          }),
          new GraphWidget({
            title: 'Failures',
            left: [
              errors,
              batchFailures,
              consumerMetric('DeadLetters', 'Sum'),
              consumerMetric('CacheWriteFailures', 'Sum'),
              deadLetterDepth,
            ],
          }),
          new GraphWidget({
            title: 'Throttles',
            left: [throttles, writeThrottles, tableThrottles],
          }),
        ],
        [
          new GraphWidget({
            title: 'Consumer duration, batch start to prices stored, SKU puts (ms, p99)',
            left: [
              handler.metricDuration({ statistic: 'p99', period: Duration.minutes(1) }),
              consumerMetric('PricesStoredMs', 'p99'),
              consumerMetric('SkuStatesWriteMs', 'p99'),
            ],
          }),
          new GraphWidget({
            title: 'SKU states written, idle SKUs swept (and their writes not stored), due-index queries',
            left: [
              consumerMetric('SkuStatesWritten', 'Sum'),
              consumerMetric('SkusSwept', 'Sum'),
              consumerMetric('SweptWritesFailed', 'Sum'),
              consumerMetric('DueIndexQueries', 'Sum'),
            ],
          }),
          new GraphWidget({
            title:
              'SKU states read, held by warm containers; batches priced again (records not keyed by SKU)',
            left: [
              consumerMetric('SkuStatesRead', 'Sum'),
              consumerMetric('SkuStatesHeld', 'Sum'),
              consumerMetric('BatchesRepriced', 'Sum'),
            ],
          }),
        ],
      ],
    });
  }
}
