import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  type DynamoDBClientConfig,
  DynamoDBServiceException,
  ResourceNotFoundException,
} from '@aws-sdk/client-dynamodb';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { afterEach, describe, expect, it } from 'vitest';
import { DynamoWireClient } from '../../../app/stores/DynamoWireClient';
import { referenceSigner } from '../../helpers/referenceSigner';

const credentials = { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret', sessionToken: 'session-token' };

interface Received {
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
}

/** A scripted answer: a status and body, or none at all (a connection that hangs). */
type Answer = readonly [status: number, body: object | string] | 'no answer';

/**
 * An HTTP server standing in for DynamoDB's error paths: it answers each request with the next
 * scripted status and body and records what it received.
 */
async function scriptedServer(
  answers: readonly Answer[],
  region: string | (() => Promise<string>) = 'eu-west-1',
  client: Partial<DynamoDBClientConfig> = {},
) {
  const received: Received[] = [];
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({ headers: request.headers, body: Buffer.concat(chunks).toString('utf8') });
      const answer = answers[received.length - 1] ?? [500, { message: 'script exhausted' }];
      if (answer === 'no answer') return;
      const [status, body] = answer;
      response
        .writeHead(status, { 'content-type': 'application/x-amz-json-1.0' })
        .end(typeof body === 'string' ? body : JSON.stringify(body));
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const dynamo = new DynamoDBClient({
    region,
    endpoint: `http://127.0.0.1:${port}`,
    credentials,
    maxAttempts: 3,
    ...client,
  });
  return {
    received,
    wire: DynamoWireClient.of(dynamo),
    async close() {
      dynamo.destroy();
      server.close();
      server.closeAllConnections();
      await once(server, 'close');
    },
  };
}

const put = { TableName: 'state', Item: { sku: { S: 'SKU-1' } } };
let close: (() => Promise<void>) | undefined;
afterEach(() => close?.());

describe('DynamoWireClient', () => {
  it('sends a SigV4-signed JSON request whose signature verifies over what arrived', async () => {
    const server = await scriptedServer([[200, {}]]);
    close = server.close;

    await expect(server.wire.send('PutItem', put)).resolves.toEqual({});

    const [{ headers, body }] = server.received as [Received];
    expect(headers['x-amz-target']).toBe('DynamoDB_20120810.PutItem');
    expect(headers['content-type']).toBe('application/x-amz-json-1.0');
    expect(headers['x-amz-security-token']).toBe('session-token');
    expect(JSON.parse(body)).toEqual(put);
    // Recompute the signature from the headers the server got, as DynamoDB would.
    const authorization = String(headers.authorization);
    const signedNames = /SignedHeaders=([^,]+)/.exec(authorization)?.[1]?.split(';') ?? [];
    expect(signedNames).toEqual(expect.arrayContaining(['host', 'x-amz-date', 'x-amz-target']));
    expect(authorization).toContain('Credential=AKIDTEST/');
    expect(authorization).toContain('/eu-west-1/dynamodb/aws4_request');
    const amzDate = String(headers['x-amz-date']);
    const signingDate = new Date(
      `${amzDate.slice(0, 4)}-${amzDate.slice(4, 6)}-${amzDate.slice(6, 8)}T${amzDate.slice(9, 11)}:${amzDate.slice(11, 13)}:${amzDate.slice(13, 15)}Z`,
    );
    const resigned = await referenceSigner(credentials, 'eu-west-1').sign(
      {
        method: 'POST',
        protocol: 'http:',
        hostname: '127.0.0.1',
        path: '/',
        query: {},
        headers: Object.fromEntries(signedNames.map((name) => [name, String(headers[name])])),
        body,
      },
      { signingDate },
    );
    expect(resigned.headers.authorization).toBe(authorization);
  });

  it('answers a failed condition with the SDK own ConditionalCheckFailedException, without retrying', async () => {
    const server = await scriptedServer([
      [
        400,
        {
          __type: 'com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException',
          message: 'The conditional request failed',
        },
      ],
    ]);
    close = server.close;

    const failure = await server.wire.send('PutItem', put).catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(ConditionalCheckFailedException);
    expect((failure as Error).message).toBe('The conditional request failed');
    expect(server.received).toHaveLength(1);
  });

  it('retries throttling and server errors, then succeeds', async () => {
    const server = await scriptedServer([
      [400, { __type: 'com.amazonaws.dynamodb.v20120810#ThrottlingException', message: 'slow down' }],
      [503, { message: 'unavailable' }],
      [200, { ConsumedCapacity: null }],
    ]);
    close = server.close;

    await expect(server.wire.send('PutItem', put)).resolves.toEqual({ ConsumedCapacity: null });
    expect(server.received.map(({ body }) => body)).toEqual(Array(3).fill(JSON.stringify(put)));
  });

  it('retries a server error whose answer is not JSON, such as a proxy page', async () => {
    const server = await scriptedServer([
      [502, '<html>Bad Gateway</html>'],
      [200, {}],
    ]);
    close = server.close;

    await expect(server.wire.send('PutItem', put)).resolves.toEqual({});
    expect(server.received).toHaveLength(2);
  });

  it('gives up after the client max attempts with the last error', async () => {
    const throttled = { __type: 'com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException' };
    const server = await scriptedServer([
      [400, throttled],
      [400, throttled],
      [400, { ...throttled, message: 'third time' }],
      [200, {}],
    ]);
    close = server.close;

    const failure = await server.wire.send('PutItem', put).catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(DynamoDBServiceException);
    expect(failure).toMatchObject({ name: 'ProvisionedThroughputExceededException', message: 'third time' });
    expect(server.received).toHaveLength(3);
  });

  it('does not retry a client error, and names its type', async () => {
    const server = await scriptedServer([
      [
        400,
        {
          __type: 'com.amazonaws.dynamodb.v20120810#ResourceNotFoundException',
          message: 'Requested resource not found',
        },
      ],
      [400, { __type: 'com.amazonaws.dynamodb.v20120810#SomethingNewException', Message: 'new' }],
    ]);
    close = server.close;

    await expect(server.wire.send('PutItem', put)).rejects.toBeInstanceOf(ResourceNotFoundException);
    const unknown = await server.wire.send('PutItem', put).catch((error: unknown) => error);
    expect(unknown).toBeInstanceOf(DynamoDBServiceException);
    expect(unknown).toMatchObject({ name: 'SomethingNewException', message: 'new', $fault: 'client' });
    expect(server.received).toHaveLength(2);
  });

  it('sends binary attribute values as base64, as the protocol wants', async () => {
    const server = await scriptedServer([[200, { UnprocessedItems: {} }]]);
    close = server.close;
    const items = [
      { PutRequest: { Item: { sku: { S: 'SKU-1' }, data: { B: Buffer.from([1, 2, 3]) } } } },
      { PutRequest: { Item: { sku: { S: 'SKU-2' }, data: { B: new Uint8Array([255, 254]) } } } },
    ];

    await server.wire.send('BatchWriteItem', { RequestItems: { dead: items } });

    const [{ headers, body }] = server.received as [Received];
    expect(headers['x-amz-target']).toBe('DynamoDB_20120810.BatchWriteItem');
    expect(
      JSON.parse(body).RequestItems.dead.map(
        ({ PutRequest }: (typeof items)[number]) => PutRequest.Item.data,
      ),
    ).toEqual([{ B: 'AQID' }, { B: '//4=' }]);
  });

  it('tries the client configuration again on the next request after it failed to resolve', async () => {
    let regionCalls = 0;
    const region = async () => {
      regionCalls += 1;
      if (regionCalls === 1) throw new Error('Region is missing');
      return 'eu-west-1';
    };
    const server = await scriptedServer([[200, {}]], region);
    close = server.close;

    await expect(server.wire.send('PutItem', put)).rejects.toThrow('Region is missing');
    await expect(server.wire.send('PutItem', put)).resolves.toEqual({});
    expect(server.received).toHaveLength(1);
  });

  it('abandons a request the client handler timed out and sends it again', async () => {
    const server = await scriptedServer(['no answer', [200, {}]], 'eu-west-1', {
      requestHandler: new NodeHttpHandler({ requestTimeout: 200, throwOnRequestTimeout: true }),
    });
    close = server.close;

    await expect(server.wire.send('PutItem', put)).resolves.toEqual({});
    expect(server.received.map(({ body }) => body)).toEqual(Array(2).fill(JSON.stringify(put)));
  });

  it('sends again a request whose connection the handler gave up on', async () => {
    const handler = new NodeHttpHandler();
    let attempts = 0;
    const server = await scriptedServer([[200, {}]], 'eu-west-1', {
      // The handler's connection timeout, as it reports it: a TimeoutError with no code.
      requestHandler: {
        handle: (...args: Parameters<NodeHttpHandler['handle']>) => {
          attempts += 1;
          if (attempts === 1)
            return Promise.reject(Object.assign(new Error('no connection'), { name: 'TimeoutError' }));
          return handler.handle(...args);
        },
        destroy: () => handler.destroy(),
      },
    });
    close = server.close;

    await expect(server.wire.send('PutItem', put)).resolves.toEqual({});
    expect(attempts).toBe(2);
    expect(server.received).toHaveLength(1);
  });

  it('gives up on a server that never answers after the client max attempts, as timed out', async () => {
    const server = await scriptedServer(['no answer', 'no answer'], 'eu-west-1', {
      maxAttempts: 2,
      requestHandler: new NodeHttpHandler({ requestTimeout: 100, throwOnRequestTimeout: true }),
    });
    close = server.close;

    const failure = await server.wire.send('PutItem', put).catch((error: unknown) => error);

    expect(failure).toMatchObject({ name: 'TimeoutError', code: 'ETIMEDOUT' });
    expect(server.received).toHaveLength(2);
  });
});
