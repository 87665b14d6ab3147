import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AttributeType, Table } from 'aws-cdk-lib/aws-dynamodb';
import { Stream } from 'aws-cdk-lib/aws-kinesis';
import { Code, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { describe, expect, it } from 'vitest';
import { ConsumerMonitoring } from '../../infra/ConsumerMonitoring';

describe('ConsumerMonitoring', () => {
  it('leaves its alarms without actions when no alarm topic is given', () => {
    const stack = new Stack(new App(), 'monitoring');
    new ConsumerMonitoring(stack, 'Monitoring', {
      stage: 'test',
      stream: new Stream(stack, 'Stream'),
      handler: new LambdaFunction(stack, 'Handler', {
        runtime: Runtime.NODEJS_20_X,
        handler: 'index.handler',
        code: Code.fromInline('exports.handler = async () => ({})'),
      }),
      deadLetters: new Queue(stack, 'DeadLetters'),
      tables: [new Table(stack, 'State', { partitionKey: { name: 'sku', type: AttributeType.STRING } })],
    });

    const alarms = Object.values(Template.fromStack(stack).findResources('AWS::CloudWatch::Alarm'));

    expect(alarms).toHaveLength(9);
    for (const alarm of alarms) {
      expect(alarm.Properties.AlarmActions).toBeUndefined();
      expect(alarm.Properties.OKActions).toBeUndefined();
    }
  });
});
