import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Duration, Stack, type StackProps } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import type { Stream } from 'aws-cdk-lib/aws-kinesis';
import { Architecture, Runtime, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { KinesisEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import type { TableRole } from '../app/stores/tableSpecs';

export interface ConsumerStackProps extends StackProps {
  readonly stage: string;
  readonly stream: Stream;
  readonly tables: Readonly<Record<TableRole, Table>>;
  /** The pricing config, as JSON, handed to the function. @default the defaults ('{}') */
  readonly pricingConfig?: string;
  /** @default 1024 */
  readonly memorySize?: number;
  /** @default 60 s */
  readonly timeout?: Duration;
  /** Records per invocation. @default 500 */
  readonly batchSize?: number;
  /** @default 1 s */
  readonly batchingWindow?: Duration;
  /** Concurrent batches per shard; above 1 needs plain (non-aggregated) records. @default 1 */
  readonly parallelizationFactor?: number;
  /** @default 10 */
  readonly retryAttempts?: number;
  /** @default 1 day */
  readonly maxRecordAge?: Duration;
  /** Iterator age (event lag) that raises the alarm. @default 60 s */
  readonly iteratorAgeAlarm?: Duration;
}

/**
 * The consumer: the Lambda handler (bundled with the local esbuild, ARM, Node 20) behind a Kinesis
 * event source mapping with everything the handler relies on (ReportBatchItemFailures, bisection,
 * retries, record age, an encrypted SQS on-failure destination), least-privilege grants on the
 * stream and tables, and alarms on event lag and dead letters.
 */
export class ConsumerStack extends Stack {
  readonly handler: NodejsFunction;
  readonly deadLetters: Queue;
  readonly iteratorAgeAlarm: Alarm;
  readonly deadLetterAlarm: Alarm;

  constructor(scope: Construct, id: string, props: ConsumerStackProps) {
    super(scope, id, props);
    const parallelizationFactor = props.parallelizationFactor ?? 1;
    this.handler = new NodejsFunction(this, 'Consumer', {
      entry: path.join(path.dirname(fileURLToPath(import.meta.url)), '../app/lambda.ts'),
      handler: 'handler',
      runtime: Runtime.NODEJS_20_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? 1024,
      timeout: props.timeout ?? Duration.seconds(60),
      bundling: {
        format: OutputFormat.ESM,
        target: 'node20',
        minify: true,
        sourceMap: true,
        forceDockerBundling: false,
      },
      environment: {
        PRICESTREAM_TABLE_PREFIX: `pricestream-${props.stage}`,
        PRICESTREAM_STREAM: props.stream.streamName,
        PARALLELIZATION_FACTOR: String(parallelizationFactor),
        PRICING_CONFIG: props.pricingConfig ?? '{}',
        POWERTOOLS_SERVICE_NAME: 'pricestream',
        POWERTOOLS_LOG_LEVEL: 'INFO',
        POWERTOOLS_METRICS_NAMESPACE: 'pricestream',
        NODE_OPTIONS: '--enable-source-maps --max-semi-space-size=64',
      },
    });
    this.deadLetters = new Queue(this, 'DeadLetters', {
      encryption: QueueEncryption.KMS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    this.handler.addEventSource(
      new KinesisEventSource(props.stream, {
        startingPosition: StartingPosition.TRIM_HORIZON,
        batchSize: props.batchSize ?? 500,
        maxBatchingWindow: props.batchingWindow ?? Duration.seconds(1),
        parallelizationFactor,
        bisectBatchOnError: true,
        retryAttempts: props.retryAttempts ?? 10,
        maxRecordAge: props.maxRecordAge ?? Duration.days(1),
        reportBatchItemFailures: true,
        onFailure: new SqsDlq(this.deadLetters),
      }),
    );
    props.stream.grantRead(this.handler);
    props.tables.state.grantReadWriteData(this.handler);
    props.tables.prices.grantReadWriteData(this.handler);
    props.tables.deadLetters.grantWriteData(this.handler);

    this.iteratorAgeAlarm = new Alarm(this, 'EventLag', {
      alarmDescription: 'Events wait longer than they should before they are priced',
      metric: props.stream.metricGetRecordsIteratorAgeMilliseconds({
        statistic: 'Maximum',
        period: Duration.minutes(1),
      }),
      threshold: (props.iteratorAgeAlarm ?? Duration.seconds(60)).toMilliseconds(),
      evaluationPeriods: 3,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    this.deadLetterAlarm = new Alarm(this, 'DeadLetterDepth', {
      alarmDescription: 'Batches were given up on and are waiting in the dead-letter queue',
      metric: this.deadLetters.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1) }),
      threshold: 0,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
  }
}
