import { RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import { AttributeType, BillingMode, ProjectionType, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import {
  FlowLogDestination,
  GatewayVpcEndpointAwsService,
  type InterfaceVpcEndpoint,
  InterfaceVpcEndpointAwsService,
  SubnetType,
  Vpc,
} from 'aws-cdk-lib/aws-ec2';
import { Stream, StreamEncryption, StreamMode } from 'aws-cdk-lib/aws-kinesis';
import { Key } from 'aws-cdk-lib/aws-kms';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { historyExpiry } from '../app/consumer/PriceStore';
import { dueIndex, type TableRole, tableNames, tableRoles, tableSpec } from '../app/stores/tableSpecs';
import { acknowledge } from './acknowledge';
import { RedisCluster } from './RedisCluster';

export interface StatefulStackProps extends StackProps {
  /** Deployment stage, part of every name. */
  readonly stage: string;
  /** `on-demand` lets Kinesis scale the shards. @default 'provisioned' */
  readonly streamMode?: 'provisioned' | 'on-demand';
  /** Shards of a provisioned stream. @default 2 */
  readonly shardCount?: number;
  /** Days a price-history row is kept (DynamoDB TTL); undefined keeps it for ever. */
  readonly historyTtlDays?: number;
  /** @default cache.t4g.micro */
  readonly cacheNodeType?: string;
  /** @default 2 */
  readonly cacheNodes?: number;
}

/**
 * What pricestream keeps: the event stream (KMS-encrypted with a key of its own), the tables
 * (on-demand, point-in-time recovery, encrypted; retained on stack deletion, since they hold the
 * record) with the same keys and due index the consumer creates locally, and the network the
 * price cache lives in: a VPC of isolated subnets (no internet route; endpoints for DynamoDB,
 * Kinesis and Secrets Manager, which is all the consumer calls) with its flow logs.
 */
export class StatefulStack extends Stack {
  readonly stream: Stream;
  readonly streamKey: Key;
  readonly tables: Readonly<Record<TableRole, Table>>;
  readonly vpc: Vpc;
  readonly endpoints: readonly InterfaceVpcEndpoint[];
  readonly cache: RedisCluster;

  constructor(scope: Construct, id: string, props: StatefulStackProps) {
    super(scope, id, props);
    this.streamKey = new Key(this, 'StreamKey', {
      enableKeyRotation: true,
      description: `pricestream ${props.stage} stream`,
    });
    this.stream = new Stream(this, 'Events', {
      streamName: `pricestream-${props.stage}-events`,
      ...(props.streamMode === 'on-demand'
        ? { streamMode: StreamMode.ON_DEMAND }
        : { streamMode: StreamMode.PROVISIONED, shardCount: props.shardCount ?? 2 }),
      encryption: StreamEncryption.KMS,
      encryptionKey: this.streamKey,
    });
    acknowledge(this.stream, {
      'AwsSolutions-KDS3':
        'A customer managed key on purpose: it rotates yearly and its policy, not the account default, says who decrypts.',
    });
    const names = tableNames(`pricestream-${props.stage}`);
    const tables = {} as Record<TableRole, Table>;
    for (const role of tableRoles) {
      const spec = tableSpec(role, names[role]);
      const [hash, range] = spec.KeySchema ?? [];
      const table = new Table(this, `${role[0]?.toUpperCase()}${role.slice(1)}Table`, {
        tableName: names[role],
        partitionKey: { name: hash?.AttributeName as string, type: AttributeType.STRING },
        ...(range ? { sortKey: { name: range.AttributeName as string, type: AttributeType.STRING } } : {}),
        billingMode: BillingMode.PAY_PER_REQUEST,
        pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
        encryption: TableEncryption.AWS_MANAGED,
        removalPolicy: RemovalPolicy.RETAIN,
        ...(role === 'prices' && props.historyTtlDays !== undefined
          ? { timeToLiveAttribute: historyExpiry }
          : {}),
      });
      if (role === 'state') {
        table.addGlobalSecondaryIndex({
          indexName: dueIndex,
          partitionKey: { name: 'dueShard', type: AttributeType.STRING },
          sortKey: { name: 'dueKey', type: AttributeType.STRING },
          projectionType: ProjectionType.KEYS_ONLY,
        });
      }
      tables[role] = table;
    }
    this.tables = tables;

    this.vpc = new Vpc(this, 'Network', {
      maxAzs: 2,
      natGateways: 0,
      subnetConfiguration: [{ name: 'isolated', subnetType: SubnetType.PRIVATE_ISOLATED, cidrMask: 24 }],
      flowLogs: {
        all: {
          destination: FlowLogDestination.toCloudWatchLogs(
            new LogGroup(this, 'FlowLogs', { retention: RetentionDays.ONE_MONTH }),
          ),
        },
      },
    });
    this.vpc.addGatewayEndpoint('DynamoDb', { service: GatewayVpcEndpointAwsService.DYNAMODB });
    // Closed endpoints: only what is let in (the consumer) reaches them, not the whole VPC.
    this.endpoints = [
      this.vpc.addInterfaceEndpoint('Kinesis', {
        service: InterfaceVpcEndpointAwsService.KINESIS_STREAMS,
        open: false,
      }),
      this.vpc.addInterfaceEndpoint('SecretsManager', {
        service: InterfaceVpcEndpointAwsService.SECRETS_MANAGER,
        open: false,
      }),
    ];
    this.cache = new RedisCluster(this, 'PriceCache', {
      vpc: this.vpc,
      nodeType: props.cacheNodeType,
      nodes: props.cacheNodes,
    });
  }
}
