import type { AttributeValue, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { DynamoWireClient } from './DynamoWireClient';
import { chunked, forEachConcurrently } from './forEachConcurrently';

/** A document client that drops undefined attributes (absent optional fields), as every store wants. */
export function documentClient(dynamo: DynamoDBClient): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(dynamo, { marshallOptions: { removeUndefinedValues: true } });
}

/**
 * An attribute stored as one JSON string, parsed; an older item's map is taken as it is. A nested
 * value written as a string is one opaque attribute to DynamoDB, where a map is every field to
 * check and convert on each put: on dynalite a fifth to a third of a put's cost.
 */
export function jsonAttribute<T>(stored: unknown): T {
  return (typeof stored === 'string' ? JSON.parse(stored) : stored) as T;
}

const batchLimit = 25;

type WriteRequests = { PutRequest: { Item: Record<string, AttributeValue> } }[];

/**
 * Puts items with BatchWriteItem over the wire client (see DynamoWireClient), 25 to a request and
 * up to `concurrency` requests in flight (a new one as soon as one is answered), sending the
 * unprocessed items again until none are left. Unconditional: for items whose rewrite is harmless.
 * `stored`, if given, is told each request's items (as the range `[start, end)` of `items`) once
 * all of them are stored, and awaited before that request's place is given to the next.
 */
export async function putAll(
  dynamo: DynamoDBClient,
  table: string,
  items: readonly Record<string, unknown>[],
  options: { concurrency?: number; stored?: (start: number, end: number) => Promise<void> } = {},
): Promise<void> {
  const wire = DynamoWireClient.of(dynamo);
  const requests = items.map((item) => ({
    PutRequest: { Item: marshall(item, { removeUndefinedValues: true }) },
  }));
  const writeChunk = async ({ chunk, start }: { chunk: WriteRequests; start: number }) => {
    let pending: WriteRequests | undefined = chunk;
    while (pending !== undefined && pending.length > 0) {
      const result = (await wire.send('BatchWriteItem', { RequestItems: { [table]: pending } })) as {
        UnprocessedItems?: Record<string, WriteRequests>;
      };
      pending = result.UnprocessedItems?.[table];
    }
    await options.stored?.(start, start + chunk.length);
  };
  const chunks = chunked(requests, batchLimit).map((chunk, index) => ({ chunk, start: index * batchLimit }));
  await forEachConcurrently(chunks, options.concurrency ?? 16, writeChunk);
}
