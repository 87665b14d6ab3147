import { Connections, type IVpc, Port, SecurityGroup, SubnetType } from 'aws-cdk-lib/aws-ec2';
import { CfnReplicationGroup, CfnSubnetGroup } from 'aws-cdk-lib/aws-elasticache';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { acknowledge } from './acknowledge';

export interface RedisClusterProps {
  /** The VPC whose isolated subnets hold the nodes. */
  readonly vpc: IVpc;
  /** @default cache.t4g.micro */
  readonly nodeType?: string;
  /** A primary and its replicas, one zone each; 2 or more fail over automatically. @default 2 */
  readonly nodes?: number;
  /** Not the well-known 6379. @default 6380 */
  readonly port?: number;
}

/**
 * The live price cache on AWS: ElastiCache for Redis in the VPC's isolated subnets, encrypted in
 * transit (TLS) and at rest, with an AUTH token generated into Secrets Manager. Nothing reaches it
 * but what `connections` lets in.
 */
export class RedisCluster extends Construct {
  /** The AUTH token; the consumer reads it at cold start. */
  readonly authToken: Secret;
  readonly connections: Connections;
  /** Primary endpoint host name. */
  readonly host: string;
  readonly port: number;

  constructor(scope: Construct, id: string, props: RedisClusterProps) {
    super(scope, id);
    const nodes = props.nodes ?? 2;
    this.port = props.port ?? 6380;
    this.authToken = new Secret(this, 'AuthToken', {
      description: 'AUTH token of the pricestream price cache',
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
    });
    acknowledge(this.authToken, {
      'AwsSolutions-SMG4':
        'ElastiCache AUTH tokens rotate through ModifyReplicationGroup (ROTATE, then SET), which no managed ' +
        'rotation function does; the README gives the procedure.',
    });
    const securityGroup = new SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: 'pricestream price cache: reachable from the consumer only',
      allowAllOutbound: false,
    });
    this.connections = new Connections({ securityGroups: [securityGroup], defaultPort: Port.tcp(this.port) });
    const subnets = new CfnSubnetGroup(this, 'Subnets', {
      description: 'pricestream price cache',
      subnetIds: props.vpc.selectSubnets({ subnetType: SubnetType.PRIVATE_ISOLATED }).subnetIds,
    });
    const group = new CfnReplicationGroup(this, 'ReplicationGroup', {
      replicationGroupDescription: 'pricestream live prices',
      engine: 'redis',
      engineVersion: '7.1',
      cacheNodeType: props.nodeType ?? 'cache.t4g.micro',
      numCacheClusters: nodes,
      automaticFailoverEnabled: nodes > 1,
      multiAzEnabled: nodes > 1,
      port: this.port,
      transitEncryptionEnabled: true,
      atRestEncryptionEnabled: true,
      authToken: this.authToken.secretValue.unsafeUnwrap(),
      cacheSubnetGroupName: subnets.ref,
      securityGroupIds: [securityGroup.securityGroupId],
      snapshotRetentionLimit: 0,
    });
    group.addResourceDependency(subnets);
    this.host = group.attrPrimaryEndPointAddress;
  }
}
