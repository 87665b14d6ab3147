import { GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDynamoClient } from '../../app/aws/awsClients';
import { StaleStateError } from '../../app/consumer/errors';
import { PriceStore, storedPrice } from '../../app/consumer/PriceStore';
import { StateStore } from '../../app/consumer/StateStore';
import type { Stack } from '../../app/stack';
import { initialPriceState } from '../../processors/pricing/decidePrice';
import type { PriceChange } from '../../processors/window/outputs';
import type { SkuRecord } from '../../processors/window/skuRecord';
import { startTestStack } from '../helpers/testStack';

const dayMs = 86_400_000;

function change(sku: string, asOf: number, price: number): PriceChange {
  return {
    kind: 'price',
    sku,
    price,
    previousPrice: undefined,
    asOf,
    reason: 'demand',
    limitedBy: undefined,
    demandFactor: 1.2,
    inventoryFactor: 1,
    stats: { unitsShort: 4 } as unknown as PriceChange['stats'],
  };
}

const record = (sku: string): SkuRecord => ({
  sku,
  applied: {},
  lateEvents: 0,
  appliedEvents: 1,
  price: initialPriceState,
});

describe('PriceStore and StateStore on dynalite', () => {
  let stack: Stack;
  let prices: PriceStore;
  let states: StateStore;

  beforeAll(async () => {
    stack = await startTestStack({});
    prices = new PriceStore(stack.dynamo, stack.tables, { historyTtlDays: 30 });
    states = new StateStore(stack.dynamo, stack.tables.state);
  });
  afterAll(() => stack?.stop());

  it('makes an active SKU due at its due time, not at every tick before it', async () => {
    const windows = { firstEventTime: 0, shortHead: 0, longHead: 0, counters: '' };
    const soon: SkuRecord = { ...record('ELEC-SOON'), nextTick: 10_000, dueAt: 10_000, windows };
    const later: SkuRecord = { ...record('ELEC-LATER'), nextTick: 10_000, dueAt: 600_000, windows };
    await states.saveSkus([soon, later], new Map(), new Map(), 'shard-due');

    expect(await states.dueSkus('shard-due', 10_000, 10)).toEqual(['ELEC-SOON']);
    expect(await states.dueSkus('shard-due', 600_000, 10)).toEqual(['ELEC-SOON', 'ELEC-LATER']);
  });

  it("reads a replay's thousands of SKUs with at most 16 requests in flight", async () => {
    const observed = createDynamoClient({ region: stack.config.region, endpoint: stack.endpoints.dynamodb });
    let inFlight = 0;
    let most = 0;
    observed.middlewareStack.add(
      (next) => async (args) => {
        inFlight += 1;
        most = Math.max(most, inFlight);
        try {
          return await next(args);
        } finally {
          inFlight -= 1;
        }
      },
      { step: 'finalizeRequest' },
    );
    const skus = Array.from({ length: 3000 }, (_, index) => `READ-${index}`);
    const stored = skus.filter((_, index) => index % 60 === 0).map(record);
    await states.saveSkus(stored, new Map(), new Map(), 'shard-read');

    const loaded = await new StateStore(observed, stack.tables.state).loadSkus(skus);
    observed.destroy();

    expect([...loaded.keys()].sort()).toEqual(stored.map(({ sku }) => sku).sort());
    expect(most).toBeGreaterThan(1);
    expect(most).toBeLessThanOrEqual(16);
  });

  it('keeps both of two SKUs due at the same tick in the index when one of them moves', async () => {
    // dynalite keys an index entry by its index keys and 24 bits of an MD5 of the item's key, and
    // these two SKUs' 24 bits are the same: with equal index keys they would share one entry.
    const windows = { firstEventTime: 0, shortHead: 0, longHead: 0, counters: '' };
    const due = (sku: string, dueAt: number): SkuRecord => ({
      ...record(sku),
      nextTick: dueAt,
      dueAt,
      windows,
    });
    await states.saveSkus(
      [due('ELEC-017170', 30_000), due('FOOD-003574', 30_000)],
      new Map(),
      new Map(),
      'shard-twins',
    );

    await states.saveSkus(
      [due('FOOD-003574', 60_000)],
      new Map([['FOOD-003574', 1]]),
      new Map(),
      'shard-twins',
    );

    expect(await states.dueSkus('shard-twins', 30_000, 10)).toEqual(['ELEC-017170']);
    expect((await states.dueSkus('shard-twins', 60_000, 10)).sort()).toEqual(['ELEC-017170', 'FOOD-003574']);
  });

  it('stamps history rows with their expiry, and keeps the current price where no TTL reaches it', async () => {
    const asOf = Date.parse('2026-03-01T10:00:00Z');
    await prices.write([change('TTL-1', asOf, 1999), change('TTL-1', asOf + 60_000, 2199)]);
    await states.saveSkus(
      [record('TTL-1')],
      new Map(),
      new Map([['TTL-1', storedPrice(change('TTL-1', asOf + 60_000, 2199))]]),
      'shardId-000000000000',
    );

    const history = (await prices.history('TTL-1')) as unknown as Record<string, number>[];
    expect(history.map((row) => row.expiresAt)).toEqual([
      Math.floor((asOf + 30 * dayMs) / 1000),
      Math.floor((asOf + 60_000 + 30 * dayMs) / 1000),
    ]);
    expect(await prices.current('TTL-1')).toMatchObject({ price: 2199, asOf: asOf + 60_000 });
    const all = [];
    for await (const page of prices.allCurrent()) all.push(...page);
    expect(all.map(({ sku, price }) => [sku, price])).toEqual([['TTL-1', 2199]]);
  });

  it('refuses a current price from a writer that read an older version', async () => {
    const asOf = Date.parse('2026-03-01T11:00:00Z');
    const newer = new Map([['TTL-2', storedPrice(change('TTL-2', asOf + 60_000, 2499))]]);
    const older = new Map([['TTL-2', storedPrice(change('TTL-2', asOf, 2299))]]);
    await states.saveSkus([record('TTL-2')], new Map(), newer, 'shardId-000000000000');

    await expect(
      states.saveSkus([record('TTL-2')], new Map(), older, 'shardId-000000000000'),
    ).rejects.toThrow(StaleStateError);
    expect(await prices.current('TTL-2')).toMatchObject({ price: 2499 });
  });

  it('refuses a SKU record from a writer that read a version another writer has moved past', async () => {
    const moved: SkuRecord = { ...record('TTL-3'), appliedEvents: 2 };
    await states.saveSkus([record('TTL-3')], new Map(), new Map(), 'shardId-000000000000');
    await states.saveSkus([moved], new Map([['TTL-3', 1]]), new Map(), 'shardId-000000000000');

    await expect(
      states.saveSkus([record('TTL-3')], new Map([['TTL-3', 1]]), new Map(), 'shardId-000000000000'),
    ).rejects.toThrow(StaleStateError);
    const stored = (await states.loadSkus(['TTL-3'])).get('TTL-3');
    expect(stored).toMatchObject({ version: 2, record: { appliedEvents: 2 } });
  });

  it('reads back the record and price it wrote, and a record and price stored as maps by an earlier version', async () => {
    const windows = { firstEventTime: 5, shortHead: 2, longHead: 7, counters: 'AAEC' };
    const written: SkuRecord = {
      ...record('ROUND-TRIP'),
      applied: { 'shardId-000000000001': ['49590338271490256608559692538361571095921575989136588802', 3] },
      nextTick: 10_000,
      dueAt: 20_000,
      windows,
    };
    const price = storedPrice(change('ROUND-TRIP', 30_000, 2199));
    await states.saveSkus([written], new Map(), new Map([['ROUND-TRIP', price]]), 'shardId-000000000001');
    const mapped = { ...record('AS-MAP'), windows };
    const mappedPrice = { ...price, sku: 'AS-MAP' };
    await stack.dynamo.send(
      new PutItemCommand({
        TableName: stack.tables.state,
        Item: marshall(
          { sku: 'AS-MAP', version: 4, record: mapped, price: mappedPrice },
          { removeUndefinedValues: true },
        ),
      }),
    );

    const loaded = await states.loadSkus(['ROUND-TRIP', 'AS-MAP']);

    expect(loaded.get('ROUND-TRIP')).toEqual({ record: written, version: 1, price });
    expect(loaded.get('AS-MAP')).toEqual({ record: mapped, version: 4, price: mappedPrice });
    expect([await prices.current('ROUND-TRIP'), await prices.current('AS-MAP')]).toEqual([
      price,
      mappedPrice,
    ]);
    const stored = await stack.dynamo.send(
      new GetItemCommand({ TableName: stack.tables.state, Key: { sku: { S: 'ROUND-TRIP' } } }),
    );
    expect([typeof stored.Item?.record?.S, typeof stored.Item?.price?.S]).toEqual(['string', 'string']);
  });
});
