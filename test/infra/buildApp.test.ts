import { App, Stack } from 'aws-cdk-lib';
import { Peer, Port, SecurityGroup, Vpc } from 'aws-cdk-lib/aws-ec2';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../app/config/ConfigError';
import { buildApp } from '../../infra/buildApp';

describe('buildApp', () => {
  it('synthesises with cdk-nag (AwsSolutions) finding nothing unacknowledged', () => {
    const app = new App({ context: { stage: 'nag' } });
    buildApp(app);
    expect(() => app.synth()).not.toThrow();
  }, 120_000);

  it('fails the synth on a finding nobody acknowledged', () => {
    const app = new App({ context: { stage: 'nag' } });
    buildApp(app);
    const extra = new Stack(app, 'Extra');
    new SecurityGroup(extra, 'Open', {
      vpc: Vpc.fromVpcAttributes(extra, 'Vpc', { vpcId: 'vpc-1', availabilityZones: ['a'] }),
    }).addIngressRule(Peer.anyIpv4(), Port.tcp(22));
    expect(() => app.synth()).toThrow(/AwsSolutions-EC23/);
  }, 120_000);

  it.each([
    [{ shardCount: '0' }, /context shardCount/],
    [{ stage: 'Prod!' }, /context stage/],
    [{ streamMode: 'sometimes' }, /context streamMode/],
    [{ parallelizationFactor: 11 }, /context parallelizationFactor/],
    [{ pricingConfig: 'no/such/file.json' }, /context pricingConfig: cannot read no\/such\/file\.json/],
    [{ pricingConfig: 'package.json' }, /^package\.json: .*[Uu]nrecognized key/],
    [{ alarmTopicArn: 'pricestream-alarms' }, /context alarmTopicArn\): must be an SNS topic ARN/],
  ])('fails fast naming the bad context value (%o)', (context, message) => {
    const build = () => buildApp(new App({ context }));
    expect(build).toThrow(ConfigError);
    expect(build).toThrow(message);
  });
});
