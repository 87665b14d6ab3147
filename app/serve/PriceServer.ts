import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Redis } from 'ioredis';
import type { PriceCache } from '../consumer/PriceCache';
import type { StoredPrice } from '../consumer/PriceStore';
import { livePageHtml } from './livePage';

export interface PriceServerOptions {
  /** Reads the cache; the live feed subscribes on a connection of its own, duplicated from it. */
  readonly redis: Redis;
  readonly cache: PriceCache;
  readonly host?: string;
  /** @default 0: any free port */
  readonly port?: number;
  /** The origins whose pages may read prices (Access-Control-Allow-Origin). @default '*' */
  readonly allowOrigin?: string;
  /** A comment line to every live page this often, so proxies keep idle connections. @default 15 s */
  readonly keepAliveMs?: number;
  /**
   * A live page whose unsent output passes this many bytes is disconnected: it cannot keep up,
   * and on reconnecting it gets the current prices rather than a backlog of old ones. @default 1 MiB
   */
  readonly maxBufferedBytes?: number;
}

export interface PriceServer {
  /** Where it listens, such as `http://127.0.0.1:8080`. */
  readonly url: string;
  /** Live pages connected now. */
  livePages(): number;
  /** Resolves when a live page is disconnected for falling behind. */
  whenPageDropped(): Promise<void>;
  /** Ends every live page and stops listening. */
  close(): Promise<void>;
}

/** At most this many SKUs on one live page: the snapshot is one Redis round trip. */
export const maxSkusPerPage = 1000;

/** A connected live page: the SKUs it follows (all, when none is given), and what it was shown. */
interface LivePage {
  readonly response: ServerResponse;
  readonly skus: ReadonlySet<string> | undefined;
  /** The newest price sent per SKU: an older one is never sent after it, nor the same one again. */
  readonly shown: Map<string, StoredPrice>;
  /** Changes that arrived while the page's current prices were being read; sent after them. */
  pending: StoredPrice[] | undefined;
}

/**
 * Prices over HTTP for the storefront's pages, from the Redis cache the consumer writes:
 * - `GET /`: a live board of price changes, a page built on the feed below;
 * - `GET /prices/{sku}`: the SKU's current price as JSON (404 when it has none);
 * - `GET /prices/live?sku=A&sku=B` (or `sku=A,B`; none: every SKU): server-sent events, first the
 *   current price of each SKU asked for, then each change as the consumer publishes it, never one
 *   older than a price already sent, nor the same again. One Redis subscription serves every page.
 * A page that falls behind is disconnected, and so is every page when the subscription is lost
 * (Redis restarted): browsers' EventSource reconnects by itself and gets the current prices again.
 */
export async function startPriceServer(options: PriceServerOptions): Promise<PriceServer> {
  const { cache } = options;
  const maxBuffered = options.maxBufferedBytes ?? 1024 * 1024;
  const pages = new Set<LivePage>();
  /** The pages following each SKU, and those following every SKU: a change costs its own followers only. */
  const followers = new Map<string, Set<LivePage>>();
  const followAll = new Set<LivePage>();
  const join = (page: LivePage) => {
    pages.add(page);
    if (page.skus === undefined) followAll.add(page);
    for (const sku of page.skus ?? []) {
      const set = followers.get(sku) ?? new Set<LivePage>();
      followers.set(sku, set.add(page));
    }
  };
  const leave = (page: LivePage) => {
    if (!pages.delete(page)) return;
    followAll.delete(page);
    for (const sku of page.skus ?? []) {
      const set = followers.get(sku);
      set?.delete(page);
      if (set?.size === 0) followers.delete(sku);
    }
  };
  const dropped: (() => void)[] = [];
  const subscriber = options.redis.duplicate();
  subscriber.on('error', () => {}); // reconnects by itself; pages are ended when it does
  await subscriber.subscribe(cache.channel);
  let subscribed = true;
  subscriber.on('ready', () => {
    // A reconnect: changes published meanwhile were missed. Pages reconnect to a fresh snapshot.
    if (subscribed) for (const page of pages) page.response.end();
  });
  subscriber.on('message', (_channel: string, message: string) => {
    const price = JSON.parse(message) as StoredPrice;
    for (const page of [...followAll, ...(followers.get(price.sku) ?? [])]) {
      if (page.pending !== undefined) page.pending.push(price);
      else send(page, price);
    }
  });

  const send = (page: LivePage, price: StoredPrice) => {
    const shown = page.shown.get(price.sku);
    // The same price comes again when a retried batch publishes it again, or when it was published
    // just before the page's snapshot was read and reaches the subscription after the page joined.
    if (
      shown !== undefined &&
      (shown.asOf > price.asOf || (shown.asOf === price.asOf && shown.price === price.price))
    )
      return;
    if (page.skus !== undefined) page.shown.set(price.sku, price);
    page.response.write(`event: price\ndata: ${JSON.stringify(price)}\n\n`);
    if (page.response.writableLength > maxBuffered) {
      page.response.destroy();
      leave(page);
      for (const resolve of dropped.splice(0)) resolve();
    }
  };

  const headers = { 'access-control-allow-origin': options.allowOrigin ?? '*' };
  const json = (response: ServerResponse, status: number, body: unknown) => {
    response.writeHead(status, { ...headers, 'content-type': 'application/json' });
    response.end(JSON.stringify(body));
  };

  const live = async (url: URL, response: ServerResponse) => {
    const asked = url.searchParams
      .getAll('sku')
      .flatMap((value) => value.split(','))
      .filter((sku) => sku !== '');
    if (asked.length > maxSkusPerPage) {
      json(response, 400, { error: `sku: at most ${maxSkusPerPage} SKUs a page, not ${asked.length}` });
      return;
    }
    response.writeHead(200, {
      ...headers,
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
    });
    response.write('retry: 2000\n\n');
    const page: LivePage = {
      response,
      skus: asked.length === 0 ? undefined : new Set(asked),
      shown: new Map(),
      pending: asked.length === 0 ? undefined : [],
    };
    join(page);
    response.on('close', () => leave(page));
    if (page.pending === undefined) return;
    // Subscribed before the snapshot is read, so no change falls between the two.
    try {
      for (const price of await cache.getMany([...(page.skus as ReadonlySet<string>)])) send(page, price);
    } catch {
      response.end(); // Redis is away: the page reconnects
      return;
    }
    const pending = page.pending;
    page.pending = undefined;
    for (const price of pending) send(page, price);
  };

  const route = async (request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    if (request.method !== 'GET') return json(response, 405, { error: `${request.method} is not served` });
    if (url.pathname === '/') {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      response.end(livePageHtml);
      return;
    }
    if (url.pathname === '/favicon.ico') return void response.writeHead(204).end();
    if (url.pathname === '/prices/live') return live(url, response);
    const sku = /^\/prices\/([^/]+)$/.exec(url.pathname)?.[1];
    if (sku === undefined) return json(response, 404, { error: `no such path: ${url.pathname}` });
    const name = decodeURIComponent(sku);
    const price = await cache.get(name);
    if (price === undefined) return json(response, 404, { error: `no price for ${name}` });
    return json(response, 200, price);
  };

  const server = createServer((request, response) => {
    route(request, response).catch((error: Error) => {
      if (response.headersSent) response.end();
      else json(response, 503, { error: `the price cache is unavailable: ${error.message}` });
    });
  });
  const keepAlive = setInterval(() => {
    for (const page of pages) page.response.write(': keepalive\n\n');
  }, options.keepAliveMs ?? 15_000);
  server.listen(options.port ?? 0, options.host ?? '127.0.0.1');
  try {
    await once(server, 'listening');
  } catch (error) {
    // The port is taken, say: nothing of this server is left running.
    clearInterval(keepAlive);
    subscriber.disconnect();
    throw error;
  }
  const { address, port } = server.address() as AddressInfo;
  return {
    url: `http://${address.includes(':') ? `[${address}]` : address}:${port}`,
    livePages: () => pages.size,
    whenPageDropped: () => new Promise((resolve) => dropped.push(resolve)),
    async close() {
      subscribed = false;
      clearInterval(keepAlive);
      for (const page of pages) page.response.end();
      const closed = once(server, 'close');
      server.close();
      server.closeAllConnections();
      await closed;
      subscriber.disconnect();
    },
  };
}
