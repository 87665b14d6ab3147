import { type App, Duration, Validations } from 'aws-cdk-lib';
import { StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ConsumerStack } from './ConsumerStack';
import { deploySettings } from './deploySettings';
import { StatefulStack } from './StatefulStack';

/** Builds the app for the stage the context names: the stateful stack, the consumer, cdk-nag. */
export function buildApp(app: App): { stateful: StatefulStack; consumer: ConsumerStack } {
  const settings = deploySettings(app);
  const stateful = new StatefulStack(app, `pricestream-${settings.stage}-stateful`, settings);
  const consumer = new ConsumerStack(app, `pricestream-${settings.stage}-consumer`, {
    ...settings,
    stream: stateful.stream,
    tables: stateful.tables,
    vpc: stateful.vpc,
    endpoints: stateful.endpoints,
    cache: stateful.cache,
    pricingConfig: JSON.stringify(settings.pricing),
    timeout: Duration.seconds(settings.timeoutSeconds),
    batchingWindow: Duration.seconds(settings.batchingWindowSeconds),
    maxRecordAge: Duration.seconds(settings.maxRecordAgeSeconds),
    startingPosition: StartingPosition[settings.startingPosition],
    iteratorAgeAlarm: Duration.seconds(settings.lagAlarmSeconds),
    latencyAlarm: Duration.millis(settings.latencyAlarmMs),
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { stateful, consumer };
}
