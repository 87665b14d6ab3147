import { randomUUID } from 'node:crypto';
import type { KinesisStreamRecord } from 'aws-lambda';
import { from, lastValueFrom, toArray } from 'rxjs';
import type { Stack } from '../../app/stack';
import { ensureTables } from '../../app/stores/ensureTables';
import { tableNames } from '../../app/stores/tableSpecs';
import { ensureStream } from '../../app/stream/ensureStream';
import { readShard, replayShards, shardsParentsFirst } from '../../app/stream/replayShards';
import { backtest } from '../../processors/backtest/backtest';
import type { PricingConfig } from '../../processors/config/pricingConfig';
import { decodeRecords } from '../../processors/events/decodeRecords';
import { createCoreState, priceSkus } from '../../processors/pipeline/priceSkus';
import type { CoreOutput, PriceChange } from '../../processors/window/outputs';

/** The same emulators with a new stream and new tables: one test's own pipeline. */
export async function freshStream(stack: Stack, shards = 2): Promise<Stack> {
  const id = randomUUID().slice(0, 8);
  const streamName = `${stack.config.streamName}-${id}`;
  const tables = tableNames(`${stack.config.tablePrefix}-${id}`);
  await Promise.all([ensureStream(stack.kinesis, streamName, shards), ensureTables(stack.dynamo, tables)]);
  return {
    ...stack,
    config: { ...stack.config, streamName, tablePrefix: `${stack.config.tablePrefix}-${id}` },
    tables,
  };
}

/** Every record of every shard, Lambda-shaped, grouped by shard in stream order (parents first). */
export async function lambdaRecordsByShard(stack: Stack): Promise<Map<string, KinesisStreamRecord[]>> {
  const byShard = new Map<string, KinesisStreamRecord[]>();
  for (const { shardId } of await shardsParentsFirst(stack.kinesis, stack.config.streamName)) {
    const records: KinesisStreamRecord[] = [];
    for await (const page of readShard(stack.kinesis, stack.config, shardId)) records.push(...page);
    byShard.set(shardId, records);
  }
  return byShard;
}

/**
 * What the pure core prices for a stream's records, shard by shard: the reference. `keep` picks
 * the records of a shard to price (all of them by default).
 */
export async function referencePrices(
  stack: Stack,
  config: PricingConfig,
  keep: (records: KinesisStreamRecord[]) => KinesisStreamRecord[] = (records) => records,
): Promise<PriceChange[]> {
  const changes: PriceChange[] = [];
  for (const records of (await lambdaRecordsByShard(stack)).values()) {
    const outputs: CoreOutput[] = await lastValueFrom(
      from(decodeRecords(keep(records)).events).pipe(
        priceSkus(config, { state: createCoreState(config) }),
        toArray(),
      ),
    );
    changes.push(...outputs.filter((output): output is PriceChange => output.kind === 'price'));
  }
  return changes;
}

/**
 * What `backtest --replay` prices for the stream under `config`: every shard, children after their
 * parents, as the consumer prices them.
 */
export async function replayedPrices(stack: Stack, config: PricingConfig): Promise<PriceChange[]> {
  const outputs = await lastValueFrom(
    replayShards(stack.kinesis, stack.config).pipe(backtest([{ label: 'replay', config }]), toArray()),
  );
  return outputs.flatMap((output) => (output.kind === 'price' ? [output.change] : []));
}

/** A shard's records without the copies of earlier ones (the same bytes put again). */
export function firstCopies(records: KinesisStreamRecord[]): KinesisStreamRecord[] {
  const seen = new Set<string>();
  return records.filter((record) => !seen.has(record.kinesis.data) && seen.add(record.kinesis.data));
}

/** A comparable line per price change: SKU, as-of, price and reason. */
export function priceLines(
  changes: readonly { sku: string; asOf: number; price: number; reason: string }[],
): string[] {
  return changes.map((change) => `${change.sku}@${change.asOf}=${change.price}/${change.reason}`).sort();
}
