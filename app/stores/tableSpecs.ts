import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';

/** The pricestream tables, by role. Names are `${prefix}-${role}`. */
export const tableRoles = ['prices', 'state', 'checkpoints', 'deadLetters'] as const;
export type TableRole = (typeof tableRoles)[number];
export type TableNames = Readonly<Record<TableRole, string>>;

/**
 * Key schema of each table:
 * - prices: `sku` + `version` ("current", or "h#" and the as-of time for a history row);
 * - state: `sku` (window state and the positions it has applied);
 * - checkpoints: `stream` + `shardId` (the local runtime's place in each shard);
 * - deadLetters: `shardId` + `position` (sequence and sub-sequence of the record).
 */
const keys: Record<TableRole, readonly [hash: string, range?: string]> = {
  prices: ['sku', 'version'],
  state: ['sku'],
  checkpoints: ['stream', 'shardId'],
  deadLetters: ['shardId', 'position'],
};

export function tableNames(prefix: string): TableNames {
  return {
    prices: `${prefix}-prices`,
    state: `${prefix}-state`,
    checkpoints: `${prefix}-checkpoints`,
    deadLetters: `${prefix}-dead-letters`,
  };
}

/**
 * The state table's sparse index of active SKUs by the shard that holds them and the pricing tick
 * they are next due (`dueShard`, `dueKey`): how a batch finds idle SKUs whose prices must decay.
 */
export const dueIndex = 'due';

/**
 * The due index's sort key: the tick, as 15 digits so strings sort as numbers, then the SKU. The
 * SKU makes every entry's index key its own. DynamoDB needs no such thing, but dynalite keys an
 * index entry by its index keys and only 24 bits of a hash of the item's key, so two SKUs due at
 * the same tick could share one entry, and the first to move took the other out of the index.
 */
export function dueKey(dueAt: number, sku: string): string {
  return `${String(dueAt).padStart(15, '0')}#${sku}`;
}

/** The lowest `dueKey` of a tick after `upTo`: the index entries below it are due at or before `upTo`. */
export function dueKeyAfter(upTo: number): string {
  return String(upTo + 1).padStart(15, '0');
}

/** CreateTable input for a role: on-demand billing, string keys (and the due index on state). */
export function tableSpec(role: TableRole, name: string): CreateTableCommandInput {
  const [hash, range] = keys[role];
  const attributes = range ? [hash, range] : [hash];
  const withDueIndex = role === 'state';
  return {
    TableName: name,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [
      ...attributes.map((AttributeName) => ({ AttributeName, AttributeType: 'S' as const })),
      ...(withDueIndex
        ? [
            { AttributeName: 'dueShard', AttributeType: 'S' as const },
            { AttributeName: 'dueKey', AttributeType: 'S' as const },
          ]
        : []),
    ],
    KeySchema: [
      { AttributeName: hash, KeyType: 'HASH' },
      ...(range ? [{ AttributeName: range, KeyType: 'RANGE' as const }] : []),
    ],
    ...(withDueIndex
      ? {
          GlobalSecondaryIndexes: [
            {
              IndexName: dueIndex,
              KeySchema: [
                { AttributeName: 'dueShard', KeyType: 'HASH' },
                { AttributeName: 'dueKey', KeyType: 'RANGE' },
              ],
              Projection: { ProjectionType: 'KEYS_ONLY' },
            },
          ],
        }
      : {}),
  };
}
