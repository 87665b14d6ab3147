import type { OrderLine, StreamEvent } from './schema';

/**
 * Splits an event into the per-SKU events the stream carries. The partition key is the SKU, so an
 * order that spans several SKUs is put once per SKU, each copy holding only that SKU's lines
 * (same `orderId` and `eventTime`). Each SKU's events then stay in order on one shard, and the
 * window for a SKU never needs events from another shard. An inventory event passes through.
 */
export function splitBySku(event: StreamEvent): StreamEvent[] {
  if (event.type === 'inventory') return [event];
  const linesBySku = new Map<string, OrderLine[]>();
  for (const line of event.lines) {
    const lines = linesBySku.get(line.sku);
    if (lines) lines.push(line);
    else linesBySku.set(line.sku, [line]);
  }
  if (linesBySku.size === 1) return [event];
  return [...linesBySku.values()].map((lines) => ({ ...event, lines }));
}

/** The SKU a per-SKU event belongs to: its partition key. */
export function skuOf(event: StreamEvent): string {
  return event.type === 'inventory' ? event.sku : (event.lines[0]?.sku ?? '');
}
