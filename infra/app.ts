import { App } from 'aws-cdk-lib';
import { z } from 'zod';
import { parseSettings } from '../app/config/parseSettings';
import { ConsumerStack } from './ConsumerStack';
import { StatefulStack } from './StatefulStack';

const app = new App();
const context = parseSettings(
  z.object({
    stage: z.string().regex(/^[a-z0-9-]{1,20}$/),
    shardCount: z.coerce.number().int().min(1).max(500),
  }),
  { stage: app.node.tryGetContext('stage'), shardCount: app.node.tryGetContext('shardCount') },
  { stage: 'context stage', shardCount: 'context shardCount' },
);
const stateful = new StatefulStack(app, `pricestream-${context.stage}-stateful`, context);
new ConsumerStack(app, `pricestream-${context.stage}-consumer`, {
  stage: context.stage,
  stream: stateful.stream,
  tables: stateful.tables,
});
