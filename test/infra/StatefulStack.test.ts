import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { StatefulStack } from '../../infra/StatefulStack';

const template = Template.fromStack(
  new StatefulStack(new App(), 'Test', { stage: 'test', shardCount: 4, historyTtlDays: 90, cacheNodes: 3 }),
);

describe('StatefulStack', () => {
  it('encrypts the stream with a rotating key of its own', () => {
    template.hasResourceProperties('AWS::Kinesis::Stream', {
      ShardCount: 4,
      StreamModeDetails: { StreamMode: 'PROVISIONED' },
      StreamEncryption: { EncryptionType: 'KMS', KeyId: Match.anyValue() },
    });
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
  });

  it('lets Kinesis scale an on-demand stream itself', () => {
    const onDemand = Template.fromStack(
      new StatefulStack(new App(), 'OnDemand', { stage: 'test', streamMode: 'on-demand' }),
    );
    onDemand.hasResourceProperties('AWS::Kinesis::Stream', {
      StreamModeDetails: { StreamMode: 'ON_DEMAND' },
      ShardCount: Match.absent(),
    });
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

  it('expires price history by TTL only where configured', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      TableName: 'pricestream-test-prices',
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
    });
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      TableName: 'pricestream-test-state',
      TimeToLiveSpecification: Match.absent(),
    });
  });

  it('gives the state table the due index the consumer sweeps', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      TableName: 'pricestream-test-state',
      GlobalSecondaryIndexes: [
        Match.objectLike({
          IndexName: 'due',
          KeySchema: [
            { AttributeName: 'dueShard', KeyType: 'HASH' },
            { AttributeName: 'dueKey', KeyType: 'RANGE' },
          ],
        }),
      ],
    });
  });

  it('runs Redis encrypted in transit and at rest, with an AUTH token from Secrets Manager, across zones', () => {
    template.hasResourceProperties('AWS::ElastiCache::ReplicationGroup', {
      Engine: 'redis',
      TransitEncryptionEnabled: true,
      AtRestEncryptionEnabled: true,
      NumCacheClusters: 3,
      AutomaticFailoverEnabled: true,
      MultiAZEnabled: true,
      Port: 6380,
      AuthToken: {
        'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp('^\\{\\{resolve:secretsmanager:')])],
      },
    });
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      GenerateSecretString: Match.objectLike({ PasswordLength: 64, ExcludePunctuation: true }),
    });
  });

  it('keeps the network isolated: no internet route, endpoints for what the consumer calls, flow logs', () => {
    template.resourceCountIs('AWS::EC2::NatGateway', 0);
    template.resourceCountIs('AWS::EC2::InternetGateway', 0);
    template.resourceCountIs('AWS::EC2::FlowLog', 1);
    template.hasResourceProperties('AWS::EC2::VPCEndpoint', { VpcEndpointType: 'Gateway' });
    template.resourceCountIs('AWS::EC2::VPCEndpoint', 3);
    const cacheGroups = template.findResources('AWS::EC2::SecurityGroup', {
      Properties: { GroupDescription: Match.stringLikeRegexp('price cache') },
    });
    for (const group of Object.values(cacheGroups))
      expect(group.Properties.SecurityGroupIngress).toBeUndefined();
  });
});
