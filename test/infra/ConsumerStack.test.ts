import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConsumerStack } from '../../infra/ConsumerStack';
import { StatefulStack } from '../../infra/StatefulStack';

let template: Template;

beforeAll(() => {
  const app = new App();
  const stateful = new StatefulStack(app, 'Stateful', { stage: 'test' });
  template = Template.fromStack(
    new ConsumerStack(app, 'Consumer', {
      stage: 'test',
      stream: stateful.stream,
      tables: stateful.tables,
      batchSize: 200,
    }),
  );
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
      ParallelizationFactor: 1,
      MaximumBatchingWindowInSeconds: 1,
      DestinationConfig: { OnFailure: { Destination: Match.anyValue() } },
    });
  });

  it('runs the bundled handler on ARM and Node 20 with its environment', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs20.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      Environment: {
        Variables: Match.objectLike({
          PRICESTREAM_TABLE_PREFIX: 'pricestream-test',
          POWERTOOLS_SERVICE_NAME: 'pricestream',
          PARALLELIZATION_FACTOR: '1',
        }),
      },
    });
  });

  it('encrypts the on-failure queue and alarms on event lag and dead letters', () => {
    template.hasResourceProperties('AWS::SQS::Queue', { KmsMasterKeyId: 'alias/aws/sqs' });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'GetRecords.IteratorAgeMilliseconds',
      Threshold: 60_000,
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Threshold: 0,
    });
  });

  it('lets the function do no more than read the stream, use its tables and send dead letters', () => {
    const policies = template.findResources('AWS::IAM::Policy');
    const actions = Object.values(policies)
      .flatMap((policy) => policy.Properties.PolicyDocument.Statement as { Action: string | string[] }[])
      .flatMap((statement) => (Array.isArray(statement.Action) ? statement.Action : [statement.Action]));
    expect(actions.length).toBeGreaterThan(5);
    expect(actions.some((action) => action === '*' || action.endsWith(':*'))).toBe(false);
    expect(actions.every((action) => /^(kinesis|dynamodb|kms|sqs):/.test(action))).toBe(true);
    expect(actions).not.toContain('dynamodb:DeleteTable');
    expect(actions).not.toContain('kinesis:PutRecords');
  });
});
