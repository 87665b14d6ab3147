import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  BatchWriteCommand,
  type BatchWriteCommandOutput,
  DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';

/** A document client that drops undefined attributes (absent optional fields), as every store wants. */
export function documentClient(dynamo: DynamoDBClient): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(dynamo, { marshallOptions: { removeUndefinedValues: true } });
}

const batchLimit = 25;

/**
 * Puts items with BatchWriteItem, 25 to a request and `concurrency` requests at a time, sending
 * the unprocessed items again until none are left.
 */
export async function putAll(
  documents: DynamoDBDocumentClient,
  table: string,
  items: readonly Record<string, unknown>[],
  concurrency = 8,
): Promise<void> {
  const chunks = Array.from({ length: Math.ceil(items.length / batchLimit) }, (_, index) =>
    items.slice(index * batchLimit, (index + 1) * batchLimit),
  );
  const writeChunk = async (chunk: readonly Record<string, unknown>[]) => {
    let pending: BatchWriteCommandOutput['UnprocessedItems'] = {
      [table]: chunk.map((Item) => ({ PutRequest: { Item } })),
    };
    while (pending?.[table]?.length) {
      const result: BatchWriteCommandOutput = await documents.send(
        new BatchWriteCommand({ RequestItems: pending }),
      );
      pending = result.UnprocessedItems;
    }
  };
  for (let start = 0; start < chunks.length; start += concurrency) {
    await Promise.all(chunks.slice(start, start + concurrency).map(writeChunk));
  }
}
