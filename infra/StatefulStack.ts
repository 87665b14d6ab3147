import { RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import { AttributeType, BillingMode, ProjectionType, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { Stream, StreamEncryption } from 'aws-cdk-lib/aws-kinesis';
import { Key } from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';
import { dueIndex, type TableRole, tableNames, tableRoles, tableSpec } from '../app/stores/tableSpecs';

export interface StatefulStackProps extends StackProps {
  /** Deployment stage, part of every name. */
  readonly stage: string;
  /** Provisioned shards. @default 2 */
  readonly shardCount?: number;
}

/**
 * What pricestream keeps: the event stream (KMS-encrypted with a key of its own) and the tables
 * (on-demand, point-in-time recovery, encrypted), with the same keys and due index the consumer
 * creates locally. Retained on stack deletion: these hold the record.
 */
export class StatefulStack extends Stack {
  readonly stream: Stream;
  readonly streamKey: Key;
  readonly tables: Readonly<Record<TableRole, Table>>;

  constructor(scope: Construct, id: string, props: StatefulStackProps) {
    super(scope, id, props);
    this.streamKey = new Key(this, 'StreamKey', {
      enableKeyRotation: true,
      description: `pricestream ${props.stage} stream`,
    });
    this.stream = new Stream(this, 'Events', {
      streamName: `pricestream-${props.stage}-events`,
      shardCount: props.shardCount ?? 2,
      encryption: StreamEncryption.KMS,
      encryptionKey: this.streamKey,
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
      });
      if (role === 'state') {
        table.addGlobalSecondaryIndex({
          indexName: dueIndex,
          partitionKey: { name: 'dueShard', type: AttributeType.STRING },
          sortKey: { name: 'dueAt', type: AttributeType.NUMBER },
          projectionType: ProjectionType.KEYS_ONLY,
        });
      }
      tables[role] = table;
    }
    this.tables = tables;
  }
}
