import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Releases items no faster than `perSecond` of wall time, for a live demo or a steady-rate
 * benchmark. Waits only when ahead of schedule; never drops.
 */
export async function* paced<T>(items: Iterable<T> | AsyncIterable<T>, perSecond: number): AsyncGenerator<T> {
  const started = performance.now();
  let released = 0;
  for await (const item of items) {
    const due = started + (released * 1000) / perSecond;
    const wait = due - performance.now();
    if (wait > 1) await sleep(wait);
    released += 1;
    yield item;
  }
}
