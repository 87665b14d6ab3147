import { randomUUID } from 'node:crypto';
import { GetRecordsCommand, GetShardIteratorCommand } from '@aws-sdk/client-kinesis';
import type { KinesisStreamRecord } from 'aws-lambda';
import { from, lastValueFrom, toArray } from 'rxjs';
import type { Stack } from '../../app/stack';
import { ensureTables } from '../../app/stores/ensureTables';
import { tableNames } from '../../app/stores/tableSpecs';
import { ensureStream } from '../../app/stream/ensureStream';
import { listAllShards } from '../../app/stream/shardMap';
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
  for (const shard of await listAllShards(stack.kinesis, stack.config.streamName)) {
    const shardId = shard.ShardId as string;
    const records: KinesisStreamRecord[] = [];
    let iterator = (
      await stack.kinesis.send(
        new GetShardIteratorCommand({
          StreamName: stack.config.streamName,
          ShardId: shardId,
          ShardIteratorType: 'TRIM_HORIZON',
        }),
      )
    ).ShardIterator;
    while (iterator !== undefined) {
      const page = await stack.kinesis.send(
        new GetRecordsCommand({ ShardIterator: iterator, Limit: 10_000 }),
      );
      for (const record of page.Records ?? []) {
        records.push({
          kinesis: {
            kinesisSchemaVersion: '1.0',
            partitionKey: record.PartitionKey ?? '',
            sequenceNumber: record.SequenceNumber ?? '',
            data: Buffer.from(record.Data ?? new Uint8Array()).toString('base64'),
            approximateArrivalTimestamp: 0,
          },
          eventID: `${shardId}:${record.SequenceNumber}`,
        } as KinesisStreamRecord);
      }
      iterator =
        (page.Records ?? []).length === 0 && (page.MillisBehindLatest ?? 0) === 0
          ? undefined
          : page.NextShardIterator;
    }
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
