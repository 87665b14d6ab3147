import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '../stores/documents';

/** Where the local runtime is in one shard: after `sequenceNumber`, and whether the shard is done. */
export interface Checkpoint {
  readonly sequenceNumber?: string | undefined;
  readonly finished: boolean;
}

/** The local runtime's checkpoints per stream and shard, in DynamoDB: a restart resumes from them. */
export class CheckpointStore {
  private readonly documents: DynamoDBDocumentClient;

  constructor(
    dynamo: DynamoDBClient,
    private readonly table: string,
    private readonly stream: string,
  ) {
    this.documents = documentClient(dynamo);
  }

  async get(shardId: string): Promise<Checkpoint | undefined> {
    const { Item } = await this.documents.send(
      new GetCommand({ TableName: this.table, Key: { stream: this.stream, shardId }, ConsistentRead: true }),
    );
    return Item === undefined
      ? undefined
      : { sequenceNumber: Item.sequenceNumber as string | undefined, finished: Item.finished === true };
  }

  async put(shardId: string, checkpoint: Checkpoint): Promise<void> {
    await this.documents.send(
      new PutCommand({ TableName: this.table, Item: { stream: this.stream, shardId, ...checkpoint } }),
    );
  }
}
