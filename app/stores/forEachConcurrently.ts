/**
 * Runs `work` on every item with at most `concurrency` in flight, starting the next item as soon as
 * one finishes (a pool, not rounds: one slow request does not hold back the rest). Rejects with
 * the first failure at once; the other workers go on through the remaining items meanwhile.
 */
export async function forEachConcurrently<T>(
  items: readonly T[],
  concurrency: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++] as T);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}

/** `items` cut into runs of at most `size`, in order: one request's worth each. */
export function chunked<T>(items: readonly T[], size: number): T[][] {
  return Array.from({ length: Math.ceil(items.length / size) }, (_, index) =>
    items.slice(index * size, (index + 1) * size),
  );
}
