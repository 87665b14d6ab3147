import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Duration, Stack, type StackProps } from 'aws-cdk-lib';
import { Table } from 'aws-cdk-lib/aws-dynamodb';
import { type IConnectable, type IVpc, Peer, Port, SecurityGroup, SubnetType } from 'aws-cdk-lib/aws-ec2';
import { Grant } from 'aws-cdk-lib/aws-iam';
import type { Stream } from 'aws-cdk-lib/aws-kinesis';
import { Architecture, Runtime, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { KinesisEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { dueIndex, type TableRole } from '../app/stores/tableSpecs';
import { acknowledge } from './acknowledge';
import { ConsumerMonitoring } from './ConsumerMonitoring';
import type { RedisCluster } from './RedisCluster';

export interface ConsumerStackProps extends StackProps {
  readonly stage: string;
  readonly stream: Stream;
  readonly tables: Readonly<Record<TableRole, Table>>;
  /** The VPC the function runs in, in its isolated subnets. */
  readonly vpc: IVpc;
  /** The VPC's interface endpoints the function calls AWS through. */
  readonly endpoints: readonly IConnectable[];
  /** The price cache the function writes. */
  readonly cache: RedisCluster;
  /** The pricing config, as JSON, handed to the function. @default the defaults ('{}') */
  readonly pricingConfig?: string;
  /** Days a price-history row is kept; undefined keeps it for ever. */
  readonly historyTtlDays?: number;
  /** @default INFO */
  readonly logLevel?: string;
  /** @default 1024 */
  readonly memorySize?: number;
  /** SKU records a warm container keeps between batches (WARM_SKUS); 0 turns it off. @default 50,000 */
  readonly warmSkus?: number;
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
  /** @default TRIM_HORIZON */
  readonly startingPosition?: StartingPosition;
  /** Iterator age (event lag) that raises the alarm. @default 60 s */
  readonly iteratorAgeAlarm?: Duration;
  /** p99 end-to-end latency that raises the alarm. @default 5 s */
  readonly latencyAlarm?: Duration;
  /** An SNS topic every alarm notifies (on ALARM and OK). @default none: alarms without actions */
  readonly alarmTopicArn?: string | undefined;
}

/**
 * The consumer: the Lambda handler (bundled with the local esbuild, ARM, Node 20) in the VPC's
 * isolated subnets, behind a Kinesis event source mapping with everything the handler relies on
 * (ReportBatchItemFailures, bisection, retries, record age, an encrypted SQS on-failure
 * destination); least-privilege grants on the stream, tables and cache token; its alarms and
 * dashboard (`ConsumerMonitoring`).
 */
export class ConsumerStack extends Stack {
  readonly handler: NodejsFunction;
  readonly deadLetters: Queue;
  readonly monitoring: ConsumerMonitoring;

  constructor(scope: Construct, id: string, props: ConsumerStackProps) {
    super(scope, id, props);
    const parallelizationFactor = props.parallelizationFactor ?? 1;
    const securityGroup = new SecurityGroup(this, 'ConsumerSecurityGroup', {
      vpc: props.vpc,
      description: 'pricestream consumer: out to the AWS endpoints and the price cache only',
      allowAllOutbound: false,
    });
    securityGroup.addEgressRule(Peer.anyIpv4(), Port.tcp(443), 'AWS APIs through the VPC endpoints');
    this.handler = new NodejsFunction(this, 'Consumer', {
      entry: path.join(path.dirname(fileURLToPath(import.meta.url)), '../app/lambda.ts'),
      handler: 'handler',
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? 1024,
      timeout: props.timeout ?? Duration.seconds(60),
      vpc: props.vpc,
      vpcSubnets: { subnetType: SubnetType.PRIVATE_ISOLATED },
      securityGroups: [securityGroup],
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
        WARM_SKUS: String(props.warmSkus ?? 50_000),
        PRICING_CONFIG: props.pricingConfig ?? '{}',
        ...(props.historyTtlDays === undefined
          ? {}
          : { PRICE_HISTORY_TTL_DAYS: String(props.historyTtlDays) }),
        REDIS_HOST: props.cache.host,
        REDIS_PORT: String(props.cache.port),
        REDIS_AUTH_SECRET_ARN: props.cache.authToken.secretArn,
        POWERTOOLS_SERVICE_NAME: 'pricestream',
        POWERTOOLS_LOG_LEVEL: props.logLevel ?? 'INFO',
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
        startingPosition: props.startingPosition ?? StartingPosition.TRIM_HORIZON,
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
    // The state table as an import without its indexes, so the grant names the one index the
    // consumer queries (the due index) instead of every index of the table.
    Table.fromTableArn(this, 'StateTable', props.tables.state.tableArn).grantReadWriteData(this.handler);
    Grant.addToPrincipal({
      grantee: this.handler,
      actions: ['dynamodb:Query'],
      resourceArns: [`${props.tables.state.tableArn}/index/${dueIndex}`],
    });
    props.tables.prices.grantWriteData(this.handler);
    props.tables.deadLetters.grantWriteData(this.handler);
    props.cache.authToken.grantRead(this.handler);
    this.handler.connections.allowToDefaultPort(props.cache, 'the consumer writes prices');
    for (const endpoint of props.endpoints)
      this.handler.connections.allowToDefaultPort(endpoint, 'the consumer calls AWS through the endpoints');
    acknowledge(this.handler.role, {
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]':
        'The managed policy is what Lambda needs to write its own logs: CreateLogGroup/Stream and PutLogEvents.',
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole]':
        'The managed policy is what Lambda needs to attach the function to the VPC (its network interfaces).',
    });
    acknowledge(this.deadLetters, {
      'AwsSolutions-SQS3': 'This queue is the dead-letter destination of the event source mapping itself.',
    });

    this.monitoring = new ConsumerMonitoring(this, 'Monitoring', {
      stage: props.stage,
      stream: props.stream,
      handler: this.handler,
      deadLetters: this.deadLetters,
      tables: [props.tables.state, props.tables.prices],
      iteratorAgeAlarm: props.iteratorAgeAlarm,
      latencyAlarm: props.latencyAlarm,
      alarmTopic:
        props.alarmTopicArn === undefined
          ? undefined
          : Topic.fromTopicArn(this, 'AlarmTopic', props.alarmTopicArn),
    });
  }
}
