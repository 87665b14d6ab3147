import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { StatefulStack } from '../../infra/StatefulStack';

const template = Template.fromStack(new StatefulStack(new App(), 'Test', { stage: 'test', shardCount: 4 }));

describe('StatefulStack', () => {
  it('encrypts the stream with a rotating key of its own', () => {
    template.hasResourceProperties('AWS::Kinesis::Stream', {
      ShardCount: 4,
      StreamEncryption: { EncryptionType: 'KMS', KeyId: Match.anyValue() },
    });
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
  });

  it('creates the four tables on demand, with point-in-time recovery, kept on deletion', () => {
    template.resourceCountIs('AWS::DynamoDB::Table', 4);
    const tables = template.findResources('AWS::DynamoDB::Table');
    for (const table of Object.values(tables)) {
      expect(table.DeletionPolicy).toBe('Retain');
      expect(table.Properties.BillingMode).toBe('PAY_PER_REQUEST');
      expect(table.Properties.PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: true });
    }
  });

  it('gives the state table the due index the consumer sweeps', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      TableName: 'pricestream-test-state',
      GlobalSecondaryIndexes: [
        Match.objectLike({
          IndexName: 'due',
          KeySchema: [
            { AttributeName: 'dueShard', KeyType: 'HASH' },
            { AttributeName: 'dueAt', KeyType: 'RANGE' },
          ],
        }),
      ],
    });
  });
});
