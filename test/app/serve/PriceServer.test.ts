import net from 'node:net';
import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PriceCache } from '../../../app/consumer/PriceCache';
import type { StoredPrice } from '../../../app/consumer/PriceStore';
import { maxSkusPerPage, type PriceServer, startPriceServer } from '../../../app/serve/PriceServer';
import { connectRedis } from '../../../app/stack';
import { RedisServer } from '../../helpers/redisServer';

function price(sku: string, asOf: number, cents: number): StoredPrice {
  return {
    sku,
    price: cents,
    asOf,
    reason: 'demand',
    demandFactor: 1.1,
    inventoryFactor: 1,
    stats: {} as StoredPrice['stats'],
  };
}

/** A live page as a browser's EventSource reads it: `next` resolves with each event, undefined once the server ends it. */
async function livePage(url: string) {
  const controller = new AbortController();
  const response = await fetch(url, { signal: controller.signal });
  const reader = (response.body as ReadableStream<Uint8Array>)
    .pipeThrough(new TextDecoderStream())
    .getReader();
  let buffer = '';
  const next = async (): Promise<{ event: string; data: StoredPrice } | undefined> => {
    for (;;) {
      const end = buffer.indexOf('\n\n');
      if (end >= 0) {
        const fields = buffer.slice(0, end).split('\n');
        buffer = buffer.slice(end + 2);
        const event = fields.find((line) => line.startsWith('event: '))?.slice(7);
        const data = fields.find((line) => line.startsWith('data: '))?.slice(6);
        if (event !== undefined && data !== undefined)
          return { event, data: JSON.parse(data) as StoredPrice };
        continue; // the retry hint, or a keep-alive comment
      }
      const { value, done } = await reader.read();
      if (done) return undefined;
      buffer += value;
    }
  };
  return { response, next, close: () => controller.abort() };
}

describe('the price server', () => {
  let redisServer: RedisServer;
  let redis: Redis;
  let cache: PriceCache;
  let server: PriceServer;

  beforeAll(async () => {
    redisServer = await RedisServer.start();
    redis = await connectRedis(redisServer.url);
    cache = new PriceCache(redis, 'test:');
    server = await startPriceServer({ redis, cache });
  });
  afterEach(() => redis.flushall());
  afterAll(async () => {
    await server?.close();
    redis?.disconnect();
    await redisServer?.stop();
  });

  it("answers a SKU's current price from the cache, and says when there is none", async () => {
    const before = await fetch(`${server.url}/prices/ELEC-1`);
    await cache.publish([price('ELEC-1', 1000, 1999)]);
    const after = await fetch(`${server.url}/prices/ELEC-1`);
    const post = await fetch(`${server.url}/prices/ELEC-1`, { method: 'POST' });
    const elsewhere = await fetch(`${server.url}/nothing`);

    expect([before.status, await before.json()]).toEqual([404, { error: 'no price for ELEC-1' }]);
    expect(after.status).toBe(200);
    expect(await after.json()).toEqual(price('ELEC-1', 1000, 1999));
    expect(after.headers.get('access-control-allow-origin')).toBe('*');
    expect(post.status).toBe(405);
    expect(elsewhere.status).toBe(404);
  });

  it('refuses a port that is taken, leaving nothing of itself running', async () => {
    const { port } = new URL(server.url);

    await expect(startPriceServer({ redis, cache, port: Number(port) })).rejects.toMatchObject({
      code: 'EADDRINUSE',
    });
  });

  it('serves a live board at / that follows its own feed', async () => {
    const board = await fetch(`${server.url}/`);

    expect(board.status).toBe(200);
    expect(board.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await board.text()).toContain("new EventSource('prices/live'");
  });

  it('sends a live page the current prices of its SKUs, then their changes, never one older than shown nor the same again', async () => {
    await cache.publish([price('ELEC-1', 1000, 1999)]);
    const page = await livePage(`${server.url}/prices/live?sku=ELEC-1&sku=BOOK-2,HOME-3`);
    try {
      expect(page.response.headers.get('content-type')).toBe('text/event-stream');
      expect(await page.next()).toEqual({ event: 'price', data: price('ELEC-1', 1000, 1999) });

      await cache.publish([price('ELEC-1', 1000, 1999)]); // a retried batch publishes it again
      await cache.publish([price('TOYS-9', 2000, 500), price('BOOK-2', 2000, 899)]);
      await cache.publish([price('ELEC-1', 3000, 2099)]);

      // TOYS-9 is not on the page: the next change it sees after BOOK-2's is ELEC-1's.
      expect(await page.next()).toEqual({ event: 'price', data: price('BOOK-2', 2000, 899) });
      expect(await page.next()).toEqual({ event: 'price', data: price('ELEC-1', 3000, 2099) });
    } finally {
      page.close();
    }
  });

  it('sends a page that names no SKU every change, and refuses one naming too many', async () => {
    const page = await livePage(`${server.url}/prices/live`);
    const tooMany = await fetch(
      `${server.url}/prices/live?sku=${Array.from({ length: maxSkusPerPage + 1 }, (_, n) => `S-${n}`).join(',')}`,
    );
    try {
      await cache.publish([price('TOYS-9', 2000, 500), price('BOOK-2', 2000, 899)]);

      expect((await page.next())?.data.sku).toBe('TOYS-9');
      expect((await page.next())?.data.sku).toBe('BOOK-2');
      expect(tooMany.status).toBe(400);
      expect(await tooMany.json()).toEqual({
        error: `sku: at most ${maxSkusPerPage} SKUs a page, not ${maxSkusPerPage + 1}`,
      });
    } finally {
      page.close();
    }
  });

  it('disconnects a page that stops reading, rather than queue changes for it', async () => {
    const slow = await startPriceServer({ redis, cache, maxBufferedBytes: 64 * 1024 });
    // A client that sends the request and never reads the answer.
    const { port } = new URL(slow.url);
    const socket = net.connect(Number(port), '127.0.0.1');
    socket.pause();
    socket.write('GET /prices/live HTTP/1.1\r\nHost: localhost\r\n\r\n');
    try {
      while (slow.livePages() === 0) await new Promise((resolve) => setImmediate(resolve));
      const dropped = slow.whenPageDropped();
      let isDropped = false;
      void dropped.then(() => {
        isDropped = true;
      });
      for (let batch = 0; !isDropped && batch < 10_000; batch++) {
        await cache.publish(
          Array.from({ length: 100 }, (_, n) => price(`SKU-${batch}-${n}`, batch, 100 + n)),
        );
      }
      await dropped;
      expect(slow.livePages()).toBe(0);
    } finally {
      socket.destroy();
      await slow.close();
    }
  });

  it('ends every live page when Redis restarts, so that each reconnects to the current prices', async () => {
    const page = await livePage(`${server.url}/prices/live?sku=ELEC-1`);
    await redisServer.stop();
    await redisServer.resume();

    expect(await page.next()).toBeUndefined();
    await cache.publish([price('ELEC-1', 5000, 2199)]);
    const again = await livePage(`${server.url}/prices/live?sku=ELEC-1`);
    try {
      expect(await again.next()).toEqual({ event: 'price', data: price('ELEC-1', 5000, 2199) });
    } finally {
      again.close();
    }
  });
});
