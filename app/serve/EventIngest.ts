import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseEventJson } from '../../processors/events/parseEvent';
import type { StreamEvent } from '../../processors/events/schema';
import type { Producer } from '../producer/Producer';

export interface EventIngestOptions {
  /** Puts the events; one round of requests at a time uses it. */
  readonly producer: Producer;
  readonly host?: string;
  /** @default 0: any free port */
  readonly port?: number;
  /** A larger request body is refused (413). @default 5 MiB, a PutRecords request's worth */
  readonly maxBodyBytes?: number;
  /** Told of an error that stops the ingest: the stream is gone or refuses the producer. */
  readonly onFatal?: (error: Error) => void;
}

/** What a request's answer says. */
export interface IngestAnswer {
  /** Events now in the stream. */
  readonly accepted: number;
  /** Lines that are not valid events: none of them was put. */
  readonly refused: readonly { readonly line: number; readonly field: string; readonly reason: string }[];
  /**
   * Per-SKU parts of events that could not be put after the producer's retries: send each `event`
   * again (the other parts of its line are in the stream already).
   */
  readonly failed: readonly { readonly line: number; readonly event: StreamEvent; readonly error: string }[];
}

export interface EventIngest {
  readonly url: string;
  close(): Promise<void>;
}

/** The id of an event, which each of its per-SKU parts keeps. */
const idOf = (event: StreamEvent) => (event.type === 'order' ? event.orderId : event.eventId);

/**
 * Events over HTTP, for producers that do not speak Kinesis: `POST /events` with NDJSON, one event
 * per line. Every line is checked against the event contract; the valid ones are put (split per
 * SKU, aggregated, retried as `produce` does) before the answer, which says how many are in the
 * stream, which lines were refused and why, and which parts could not be put. 200 when all were
 * put, 422 when lines were refused, 503 when parts failed (send those again). Requests are put in
 * the order they arrive, those that arrive together in one round, so a SKU's events keep the
 * order of the requests.
 */
export async function startEventIngest(options: EventIngestOptions): Promise<EventIngest> {
  const maxBody = options.maxBodyBytes ?? 5 * 1024 * 1024;
  let fatal: Error | undefined;
  /** Requests waiting for the producer, put together in the next round. */
  const waiting: {
    readonly events: readonly StreamEvent[];
    readonly done: (failed: { event: StreamEvent; error: string }[] | Error) => void;
  }[] = [];
  let rounds: Promise<void> | undefined;
  /**
   * Puts a request's events and resolves with the parts that failed for good. Requests that arrive
   * while a round is being put wait for the next, which puts all of them, in arrival order, and
   * flushes once: fuller records, fewer PutRecords calls, and one producer used by one caller.
   */
  const putInTurn = (events: readonly StreamEvent[]) =>
    new Promise<{ event: StreamEvent; error: string }[]>((resolve, reject) => {
      waiting.push({
        events,
        done: (result) => (result instanceof Error ? reject(result) : resolve(result)),
      });
      rounds ??= putRounds().finally(() => {
        rounds = undefined;
      });
    });
  const putRounds = async () => {
    while (waiting.length > 0) {
      const round = waiting.splice(0);
      try {
        for (const request of round) for (const event of request.events) await options.producer.put(event);
        await options.producer.flush();
        // A part is its request's by id: the contract makes ids unique.
        const failed = options.producer.takeFailedEvents();
        for (const request of round) {
          const ids = new Set(request.events.map(idOf));
          request.done(failed.filter(({ event }) => ids.has(idOf(event))));
        }
      } catch (error) {
        for (const request of round) request.done(error as Error);
      }
    }
  };

  const json = (response: ServerResponse, status: number, body: unknown) => {
    response.writeHead(status, { 'content-type': 'application/json' });
    response.end(JSON.stringify(body));
  };

  const readBody = async (request: IncomingMessage): Promise<string | undefined> => {
    const chunks: Buffer[] = [];
    let size = 0;
    // Read to the end even when too large (kept no further), so the client reads the answer.
    for await (const chunk of request as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size <= maxBody) chunks.push(chunk);
    }
    return size > maxBody ? undefined : Buffer.concat(chunks).toString('utf8');
  };

  const ingest = async (request: IncomingMessage, response: ServerResponse) => {
    const body = await readBody(request);
    if (body === undefined) {
      return json(response, 413, {
        error: `the body is over ${maxBody} bytes: send the events in several requests`,
      });
    }
    const valid: { line: number; event: StreamEvent }[] = [];
    const refused: IngestAnswer['refused'][number][] = [];
    body.split('\n').forEach((text, index) => {
      if (text.trim() === '') return;
      const parsed = parseEventJson(text);
      if (parsed.ok) valid.push({ line: index + 1, event: parsed.event });
      else refused.push({ line: index + 1, field: parsed.problem.field, reason: parsed.problem.reason });
    });
    if (fatal !== undefined)
      return json(response, 503, { error: `the ingest has stopped: ${fatal.message}` });
    let failedParts: { event: StreamEvent; error: string }[];
    try {
      failedParts = await putInTurn(valid.map(({ event }) => event));
    } catch (error) {
      // Not a throttle or a network fault: the stream is gone or refuses the producer.
      fatal = error as Error;
      options.onFatal?.(fatal);
      return json(response, 503, {
        error: `the stream refused the events (some may be in it): ${fatal.message}`,
      });
    }
    const lineOf = new Map(valid.map(({ line, event }) => [idOf(event), line]));
    const failed = failedParts.map(({ event, error }) => ({
      line: lineOf.get(idOf(event)) ?? 0,
      event,
      error,
    }));
    const failedLines = new Set(failed.map(({ line }) => line));
    const answer: IngestAnswer = { accepted: valid.length - failedLines.size, refused, failed };
    if (failed.length > 0) response.setHeader('retry-after', '1');
    return json(response, failed.length > 0 ? 503 : refused.length > 0 ? 422 : 200, answer);
  };

  const server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    if (path !== '/events') return json(response, 404, { error: `no such path: ${path}` });
    if (request.method !== 'POST') return json(response, 405, { error: 'POST NDJSON events to /events' });
    ingest(request, response).catch((error: Error) => {
      if (!response.headersSent) json(response, 500, { error: error.message });
      else response.end();
    });
  });
  server.listen(options.port ?? 0, options.host ?? '127.0.0.1');
  await once(server, 'listening');
  const { address, port } = server.address() as AddressInfo;
  return {
    url: `http://${address.includes(':') ? `[${address}]` : address}:${port}`,
    async close() {
      const closed = once(server, 'close');
      server.close();
      await rounds; // the requests being put are answered; one still sending its body is cut off, unput
      server.closeAllConnections();
      await closed;
    },
  };
}
