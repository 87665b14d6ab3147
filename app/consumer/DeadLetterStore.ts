import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, paginateQuery, paginateScan } from '@aws-sdk/lib-dynamodb';
import type { DeadLetter } from '../../processors/events/decodedEvent';
import { documentClient, putAll } from '../stores/documents';

/** A batch the runtime gave up on (retries or record age exhausted): where it was, and why. */
export interface FailedBatch {
  readonly shardId: string;
  readonly firstSequenceNumber: string;
  readonly lastSequenceNumber: string;
  readonly records: number;
  readonly reason: string;
}

const positionKey = (sequenceNumber: string, subSequenceNumber: number) =>
  `${sequenceNumber}/${String(subSequenceNumber).padStart(6, '0')}`;

/**
 * Dead letters in DynamoDB: records that could not be decoded (with the step, field and reason,
 * and the bytes), and whole batches the runtime gave up on. Keyed by shard and position, so writing
 * the same one twice (a retried batch) keeps one.
 */
export class DeadLetterStore {
  private readonly documents: DynamoDBDocumentClient;

  constructor(
    private readonly dynamo: DynamoDBClient,
    private readonly table: string,
  ) {
    this.documents = documentClient(dynamo);
  }

  async putRecords(letters: readonly DeadLetter[]): Promise<void> {
    await putAll(
      this.dynamo,
      this.table,
      letters.map((letter) => ({
        shardId: letter.position.shardId,
        position: positionKey(letter.position.sequenceNumber, letter.position.subSequenceNumber),
        kind: 'record',
        partitionKey: letter.partitionKey,
        step: letter.step,
        field: letter.field,
        reason: letter.reason,
        data: letter.data,
      })),
    );
  }

  async putBatch(batch: FailedBatch): Promise<void> {
    await putAll(this.dynamo, this.table, [
      { ...batch, position: `batch#${batch.firstSequenceNumber}`, kind: 'batch' },
    ]);
  }

  /** Every dead letter of a shard (or of all shards), for inspection and tests. */
  async list(shardId?: string): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    const client = { client: this.documents };
    const pages =
      shardId === undefined
        ? paginateScan(client, { TableName: this.table })
        : paginateQuery(client, {
            TableName: this.table,
            KeyConditionExpression: 'shardId = :shard',
            ExpressionAttributeValues: { ':shard': shardId },
          });
    for await (const page of pages) items.push(...(page.Items ?? []));
    return items;
  }
}
