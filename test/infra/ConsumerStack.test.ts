import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../infra/buildApp';

let template: Template;
const alarmTopic = 'arn:aws:sns:eu-west-1:123456789012:pricestream-pager';

beforeAll(() => {
  const app = new App({
    context: {
      stage: 'test',
      batchSize: '200',
      parallelizationFactor: 2,
      historyTtlDays: 30,
      warmSkus: '20000',
      pricingConfig: 'app/config/pricing.demo.json',
      alarmTopicArn: alarmTopic,
    },
  });
  template = Template.fromStack(buildApp(app).consumer);
}, 120_000);

describe('ConsumerStack', () => {
  it('maps the stream to the handler with the settings the handler relies on', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      BatchSize: 200,
      StartingPosition: 'TRIM_HORIZON',
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: 10,
      MaximumRecordAgeInSeconds: 86_400,
      ParallelizationFactor: 2,
      MaximumBatchingWindowInSeconds: 1,
      DestinationConfig: { OnFailure: { Destination: Match.anyValue() } },
    });
  });

  it('runs the bundled handler on ARM in the isolated subnets, with its environment from context', () => {
    const functions = template.findResources('AWS::Lambda::Function', {
      Properties: { Handler: 'index.handler' },
    });
    const [consumer] = Object.values(functions);
    expect(consumer?.Properties).toMatchObject({
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      MemorySize: 1024,
      VpcConfig: { SubnetIds: expect.any(Array), SecurityGroupIds: expect.any(Array) },
    });
    const variables = consumer?.Properties.Environment.Variables;
    expect(variables).toMatchObject({
      PRICESTREAM_TABLE_PREFIX: 'pricestream-test',
      POWERTOOLS_SERVICE_NAME: 'pricestream',
      POWERTOOLS_METRICS_NAMESPACE: 'pricestream',
      POWERTOOLS_LOG_LEVEL: 'INFO',
      PARALLELIZATION_FACTOR: '2',
      PRICE_HISTORY_TTL_DAYS: '30',
      WARM_SKUS: '20000',
      REDIS_PORT: '6380',
    });
    expect(variables.REDIS_HOST).toBeDefined();
    expect(variables.REDIS_AUTH_SECRET_ARN).toBeDefined();
    expect(JSON.stringify(variables)).not.toContain('resolve:secretsmanager');
    expect(JSON.parse(variables.PRICING_CONFIG).interval).toBe(10_000);
  });

  it('encrypts the on-failure queue', () => {
    template.hasResourceProperties('AWS::SQS::Queue', { KmsMasterKeyId: 'alias/aws/sqs' });
  });

  it('alarms on lag, dead letters, processing rate, errors, throttles and end-to-end latency', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'GetRecords.IteratorAgeMilliseconds',
      Threshold: 60_000,
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Threshold: 0,
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      ComparisonOperator: 'LessThanThreshold',
      Threshold: 0.9,
      Metrics: Match.arrayWith([
        Match.objectLike({ Expression: 'IF(incoming > 0, processed / incoming, 1)' }),
        Match.objectLike({
          MetricStat: Match.objectLike({ Metric: Match.objectLike({ MetricName: 'RecordsProcessed' }) }),
        }),
      ]),
    });
    for (const metricName of ['Errors', 'Throttles', 'BatchFailures', 'WriteProvisionedThroughputExceeded'])
      template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: metricName, Threshold: 0 });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'EventAgeAtPrice',
      Namespace: 'pricestream',
      ExtendedStatistic: 'p99',
      Threshold: 5000,
    });
    template.resourceCountIs('AWS::CloudWatch::Alarm', 9);
  });

  it('has every alarm notify the alarm topic when it goes off and when it clears', () => {
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm'));
    expect(alarms).toHaveLength(9);
    for (const alarm of alarms) {
      expect(alarm.Properties.AlarmActions).toEqual([alarmTopic]);
      expect(alarm.Properties.OKActions).toEqual([alarmTopic]);
    }
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
  });

  it('lets the function do no more than read the stream, use its tables, read the cache token', () => {
    const policies = template.findResources('AWS::IAM::Policy');
    const statements = Object.values(policies).flatMap(
      (policy) =>
        policy.Properties.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown }[],
    );
    const actions = statements.flatMap((statement) =>
      Array.isArray(statement.Action) ? statement.Action : [statement.Action],
    );
    expect(actions.length).toBeGreaterThan(5);
    expect(actions.some((action) => action === '*' || action.endsWith(':*'))).toBe(false);
    expect(actions.every((action) => /^(kinesis|dynamodb|kms|sqs|secretsmanager):/.test(action))).toBe(true);
    expect(actions).not.toContain('dynamodb:DeleteTable');
    expect(actions).not.toContain('kinesis:PutRecords');
    expect(JSON.stringify(statements.map((statement) => statement.Resource))).not.toContain('/index/*');
  });

  it('reaches the cache and the endpoints only through its own security group', () => {
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: Match.stringLikeRegexp('pricestream consumer'),
      SecurityGroupEgress: Match.arrayWith([Match.objectLike({ FromPort: 443, ToPort: 443 })]),
    });
    template.hasResourceProperties('AWS::EC2::SecurityGroupEgress', { FromPort: 6380, ToPort: 6380 });
  });
});
