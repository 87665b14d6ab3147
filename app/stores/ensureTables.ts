import {
  CreateTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  ResourceInUseException,
  ResourceNotFoundException,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import { type TableNames, tableRoles, tableSpec } from './tableSpecs';

/** Creates any missing pricestream table and waits until each is active. Safe to run again. */
export async function ensureTables(dynamo: DynamoDBClient, names: TableNames): Promise<void> {
  await Promise.all(
    tableRoles.map(async (role) => {
      try {
        await dynamo.send(new CreateTableCommand(tableSpec(role, names[role])));
      } catch (error) {
        if (!(error instanceof ResourceInUseException)) throw error;
      }
      await waitUntilTableExists(
        { client: dynamo, maxWaitTime: 120, minDelay: 1 },
        { TableName: names[role] },
      );
    }),
  );
}

/** The pricestream tables of `names` that do not exist, by name. */
export async function missingTables(dynamo: DynamoDBClient, names: TableNames): Promise<string[]> {
  const missing = await Promise.all(
    tableRoles.map(async (role) => {
      try {
        await dynamo.send(new DescribeTableCommand({ TableName: names[role] }));
        return undefined;
      } catch (error) {
        if (error instanceof ResourceNotFoundException) return names[role];
        throw error;
      }
    }),
  );
  return missing.filter((name): name is string => name !== undefined);
}
