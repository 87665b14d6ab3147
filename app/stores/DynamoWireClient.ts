import type { IncomingMessage } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import * as dynamodb from '@aws-sdk/client-dynamodb';
import type { HttpRequest, HttpResponse, RequestHandler } from '@smithy/types';
import { DynamoSigner } from './DynamoSigner';

/** The DynamoDB operations pricestream sends over the wire client. */
export type WireOperation = 'PutItem' | 'BatchWriteItem';

/** DynamoDB error types worth another attempt: throttling, as the SDK's standard retry mode lists them. */
const throttlingTypes = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'RequestThrottledException',
  'TooManyRequestsException',
]);
const transientNetworkCodes = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT']);
/** The SDK's standard retry mode's delay bases, in ms. */
const baseDelayMs = 100;
const throttlingBaseDelayMs = 500;
const maxDelayMs = 20_000;

interface Target {
  readonly url: URL;
  /** The SDK client's own HTTP handler: its connection pool, its timeouts. */
  readonly handler: RequestHandler<HttpRequest, HttpResponse>;
  readonly signer: DynamoSigner;
  readonly maxAttempts: number;
}

const clients = new WeakMap<dynamodb.DynamoDBClient, DynamoWireClient>();

/**
 * DynamoDB's JSON protocol spoken directly, for the consumer's hot requests: the conditional put
 * of each SKU it changed, and the batched writes of price history and dead letters. Through the
 * SDK each put cost about 0.6 ms of CPU (its middleware stack, schema serde and log filter)
 * against 0.2 ms here, and a Lambda pays for that CPU once per SKU per batch.
 *
 * Everything else about the request comes from the SDK client it is made from, so both always
 * agree: region, endpoint (a custom one such as dynalite's, or the one the SDK's endpoint rules
 * give for the region, FIPS and dual-stack settings), credentials (the client's provider, which
 * caches and refreshes them), max attempts, and the HTTP handler that sends it (its connection
 * pool and timeouts). Requests are signed with SigV4 (DynamoSigner).
 * Errors come back as the SDK's own exception classes (ConditionalCheckFailedException and the
 * rest), so callers cannot tell the two paths apart; throttling, 5xx answers, dropped connections
 * and requests the handler timed out are retried with the SDK's standard backoff (full jitter,
 * 100 ms base, 500 ms when throttled).
 */
export class DynamoWireClient {
  private target: Promise<Target> | undefined;

  private constructor(private readonly dynamo: dynamodb.DynamoDBClient) {}

  /** The wire client for an SDK client: one for each, sharing its connection pool. */
  static of(dynamo: dynamodb.DynamoDBClient): DynamoWireClient {
    let client = clients.get(dynamo);
    if (client === undefined) {
      client = new DynamoWireClient(dynamo);
      clients.set(dynamo, client);
    }
    return client;
  }

  /** Sends one request and resolves with its parsed answer, or rejects with the SDK's exception. */
  async send(operation: WireOperation, input: object): Promise<unknown> {
    // A failed resolution (no region, no credentials yet) is not kept: the next send tries again.
    this.target ??= this.resolveTarget().catch((error: unknown) => {
      this.target = undefined;
      throw error;
    });
    const target = await this.target;
    const body = JSON.stringify(input, base64Binary);
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.attempt(target, operation, body);
      } catch (error) {
        const delay = retryDelay(error, attempt, target.maxAttempts);
        if (delay === undefined) throw error;
        await sleep(delay);
      }
    }
  }

  private async attempt(target: Target, operation: WireOperation, body: string): Promise<unknown> {
    const credentials = await this.dynamo.config.credentials();
    const headers = target.signer.sign(
      { url: target.url, target: `DynamoDB_20120810.${operation}`, body },
      credentials,
      new Date(),
    );
    const { status, text } = await exchange(target, headers, body);
    if (status === 200) return text === '' ? {} : JSON.parse(text);
    throw exceptionFrom(status, errorAnswer(text), operation);
  }

  private async resolveTarget(): Promise<Target> {
    const config = this.dynamo.config;
    const region = await config.region();
    let url: URL;
    if (config.isCustomEndpoint && config.endpoint !== undefined) {
      const endpoint = await config.endpoint();
      url = new URL(
        `${endpoint.protocol}//${endpoint.hostname}${endpoint.port === undefined ? '' : `:${endpoint.port}`}${endpoint.path}`,
      );
    } else {
      const resolved = config.endpointProvider({
        Region: region,
        UseFIPS: await config.useFipsEndpoint(),
        UseDualStack: await config.useDualstackEndpoint(),
      });
      url = new URL(resolved.url.href);
    }
    return {
      url,
      handler: config.requestHandler as RequestHandler<HttpRequest, HttpResponse>,
      signer: new DynamoSigner(region),
      maxAttempts: await config.maxAttempts(),
    };
  }
}

/** An error answer's fields; one that is not JSON (a proxy's page) keeps its start as the message. */
function errorAnswer(text: string): Record<string, unknown> {
  try {
    const answer: unknown = JSON.parse(text);
    if (typeof answer === 'object' && answer !== null) return answer as Record<string, unknown>;
  } catch {
    // not JSON: fall through
  }
  return text === '' ? {} : { message: text.slice(0, 200) };
}

/** JSON.stringify replacer: binary attribute values (B) go as base64, as the protocol wants. */
function base64Binary(this: Record<string, unknown>, key: string, value: unknown): unknown {
  const original = this[key]; // a Buffer is seen here before its toJSON
  return original instanceof Uint8Array ? Buffer.from(original).toString('base64') : value;
}

/** One HTTP exchange through the SDK client's handler: the status and the whole answer as text. */
async function exchange(
  target: Target,
  headers: Record<string, string>,
  body: string,
): Promise<{ status: number; text: string }> {
  const { url, handler } = target;
  const request: HttpRequest = {
    method: 'POST',
    protocol: url.protocol,
    hostname: url.hostname,
    ...(url.port === '' ? {} : { port: Number(url.port) }),
    path: url.pathname,
    query: {},
    headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
    body,
  };
  const { response } = await handler.handle(request);
  const answer = response.body as IncomingMessage;
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    answer.on('data', (chunk: Buffer) => chunks.push(chunk));
    answer.on('error', reject);
    answer.on('end', () =>
      resolve({ status: response.statusCode, text: Buffer.concat(chunks).toString('utf8') }),
    );
  });
}

/**
 * The SDK's exception for an error answer: the class named by its `__type`
 * (`com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException`), or the SDK's base class.
 */
function exceptionFrom(
  status: number,
  answer: Record<string, unknown>,
  operation: WireOperation,
): dynamodb.DynamoDBServiceException {
  const type =
    String(answer.__type ?? '')
      .split('#')
      .pop() || `Http${status}`;
  const message = String(answer.message ?? answer.Message ?? `DynamoDB ${operation} answered ${status}`);
  const options = {
    name: type,
    message,
    $fault: status >= 500 ? ('server' as const) : ('client' as const),
    $metadata: { httpStatusCode: status },
  };
  const known = (dynamodb as Record<string, unknown>)[type];
  if (typeof known === 'function' && known.prototype instanceof dynamodb.DynamoDBServiceException) {
    const Exception = known as new (options: object) => dynamodb.DynamoDBServiceException;
    return Object.assign(new Exception(options), { message });
  }
  return Object.assign(new dynamodb.DynamoDBServiceException(options), { message });
}

/** How long to wait before another attempt, or undefined when the error is final. */
function retryDelay(error: unknown, attempt: number, maxAttempts: number): number | undefined {
  if (attempt >= maxAttempts) return undefined;
  const throttled = error instanceof dynamodb.DynamoDBServiceException && throttlingTypes.has(error.name);
  const transient =
    (error instanceof dynamodb.DynamoDBServiceException && error.$fault === 'server') ||
    (error as Error).name === 'TimeoutError' || // the handler's connection or request timeout
    transientNetworkCodes.has((error as NodeJS.ErrnoException).code ?? '');
  if (!throttled && !transient) return undefined;
  const base = throttled ? throttlingBaseDelayMs : baseDelayMs;
  return Math.random() * Math.min(maxDelayMs, base * 2 ** (attempt - 1));
}
