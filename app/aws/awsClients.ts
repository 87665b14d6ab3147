import http from 'node:http';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { NodeHttpHandler } from '@smithy/node-http-handler';

/** Where to reach an AWS API: a region and, for an emulator, an endpoint. */
export interface AwsEndpoint {
  readonly region: string;
  /** Set for an emulator; unset means the real service with the default credential chain. */
  readonly endpoint?: string | undefined;
}

// The local runtime supports Node 20 (the Lambda function runs on nodejs24.x); the SDK's notice
// that future releases will want Node 22 is not actionable at run time, so it is not printed.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

/** Emulators accept any credentials; these keep the SDK from looking for real ones. */
const emulatorCredentials = { accessKeyId: 'pricestream', secretAccessKey: 'pricestream' };

/**
 * How long a DynamoDB request may go unanswered before it is abandoned and tried again (the
 * SDK's retry, and the consumer's wire client, take a timeout as transient). Without one, a
 * connection that never answers holds its shard until the function times out. Every DynamoDB
 * write pricestream makes is idempotent or conditional, so a request sent twice is harmless.
 * Kinesis requests get no such limit: a PutRecords sent again after a timeout could put its
 * records twice.
 */
export const dynamoTimeouts = { connectionTimeout: 3_000, requestTimeout: 10_000 } as const;

function clientSettings({ region, endpoint }: AwsEndpoint, timeouts: Partial<typeof dynamoTimeouts> = {}) {
  // HTTP/1.1 with keep-alive: the Kinesis client's default HTTP/2 breaks on kinesis-local for
  // bodies over ~30 KB (ERR_HTTP2_ERROR), and one handler keeps both clients alike.
  const requestHandler = new NodeHttpHandler({
    httpAgent: new http.Agent({ keepAlive: true, maxSockets: 64 }),
    ...timeouts,
    throwOnRequestTimeout: true,
  });
  return endpoint === undefined
    ? { region, requestHandler }
    : { region, endpoint, credentials: emulatorCredentials, requestHandler };
}

/** A Kinesis client over HTTP/1.1, for AWS or an emulator. */
export function createKinesisClient(target: AwsEndpoint): KinesisClient {
  return new KinesisClient(clientSettings(target));
}

/** A DynamoDB client over HTTP/1.1 with `dynamoTimeouts`, for AWS or dynalite. */
export function createDynamoClient(target: AwsEndpoint): DynamoDBClient {
  return new DynamoDBClient(clientSettings(target, dynamoTimeouts));
}

/** A secret's string value from Secrets Manager. */
export async function readSecret(region: string, secretId: string): Promise<string> {
  const client = new SecretsManagerClient({ region });
  try {
    const secret = await client.send(new GetSecretValueCommand({ SecretId: secretId }));
    if (secret.SecretString === undefined) throw new Error(`secret ${secretId} has no string value`);
    return secret.SecretString;
  } finally {
    client.destroy();
  }
}
