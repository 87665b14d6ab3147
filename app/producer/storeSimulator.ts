import type { InventoryEvent, OrderEvent, StreamEvent } from '../../processors/events/schema';

/** A simulated store: a catalogue, a steady order flow, and an optional flash sale. */
export interface StoreSimulation {
  /** Number of SKUs in the catalogue. */
  readonly skus: number;
  /** Events per second of event time. */
  readonly rate: number;
  /** Events to generate; unbounded when omitted. */
  readonly count?: number | undefined;
  /** Event time of the first event, epoch ms. */
  readonly startTime: number;
  readonly seed: number;
  /** A flash sale: from `startAfterMs` for `durationMs`, `share` of orders go to the `hotSkus` hottest SKUs. */
  readonly flashSale?:
    | {
        readonly startAfterMs: number;
        readonly durationMs: number;
        readonly hotSkus: number;
        readonly share: number;
      }
    | undefined;
}

/** Share of events that are orders; the rest are inventory updates. */
const orderShare = 0.85;
const categories = ['ELEC', 'HOME', 'TOYS', 'BOOK', 'FOOD'] as const;

/** `ELEC-000001`, …: the category is the prefix, which pricing overrides key on. */
export function simulatedSku(index: number): string {
  return `${categories[index % categories.length]}-${String(index).padStart(6, '0')}`;
}

/** A deterministic price in cents for a simulated SKU: 4.99 to 199.99, ending in .99. */
export function simulatedBasePrice(index: number): number {
  return (((index * 2654435761) >>> 0) % 196) * 100 + 499;
}

/**
 * Generates a realistic store's events, deterministically from the seed: orders of 1–3 lines
 * over a Zipf-like popularity curve (a few SKUs sell most), inventory cycle counts and restocks
 * that follow the simulated stock, and a flash sale that concentrates orders on a few hot SKUs.
 */
export function* simulateStore(simulation: StoreSimulation): Generator<StreamEvent> {
  const random = mulberry32(simulation.seed);
  const popularity = cumulativeZipf(simulation.skus, 1.1);
  // Each SKU is stocked for a few hours of its expected sales, some thinly, some far too well:
  // pricing then has both scarce and overstocked items to work on, as a real store does.
  const unitsPerHour = (index: number) =>
    ((popularity[index] as number) - (index === 0 ? 0 : (popularity[index - 1] as number))) *
    simulation.rate *
    orderShare *
    1.7 *
    3600;
  const target = Array.from({ length: simulation.skus }, (_, index) =>
    Math.max(20, Math.round(unitsPerHour(index) * (0.1 + 2.5 * random() * random()))),
  );
  const stock = [...target];
  let count = 0;
  const pick = (): number => {
    const sale = simulation.flashSale;
    const t = (count * 1000) / simulation.rate;
    if (sale && t >= sale.startAfterMs && t < sale.startAfterMs + sale.durationMs && random() < sale.share) {
      return Math.floor(random() * Math.min(sale.hotSkus, simulation.skus));
    }
    return searchCumulative(popularity, random());
  };
  while (simulation.count === undefined || count < simulation.count) {
    const eventTime = new Date(
      simulation.startTime + Math.floor((count * 1000) / simulation.rate),
    ).toISOString();
    if (random() < orderShare) {
      const lineCount = 1 + Math.floor(random() * random() * 3);
      const chosen = new Set<number>();
      for (let line = 0; line < lineCount; line++) chosen.add(pick());
      const lines = [...chosen].map((index) => {
        const quantity = 1 + Math.floor(random() * 2);
        stock[index] = Math.max(0, (stock[index] ?? 0) - quantity);
        return { sku: simulatedSku(index), quantity, unitPrice: simulatedBasePrice(index) };
      });
      yield {
        type: 'order',
        v: 1,
        orderId: `o-${simulation.seed}-${count}`,
        eventTime,
        lines,
      } satisfies OrderEvent;
    } else {
      const index = pick();
      const onHand = stock[index] ?? 0;
      const level = target[index] ?? 20;
      const restock = onHand < level / 5 && random() < 0.5 ? level - onHand : 0;
      stock[index] = onHand + restock;
      const base = {
        type: 'inventory',
        v: 1,
        eventId: `i-${simulation.seed}-${count}`,
        sku: simulatedSku(index),
      } as const;
      yield (
        restock > 0
          ? { ...base, location: 'DC-1', eventTime, delta: restock, onHand: onHand + restock }
          : { ...base, location: 'DC-1', eventTime, onHand }
      ) satisfies InventoryEvent;
    }
    count += 1;
  }
}

function cumulativeZipf(n: number, exponent: number): Float64Array {
  const weights = new Float64Array(n);
  let total = 0;
  for (let rank = 0; rank < n; rank++) {
    total += 1 / (rank + 1) ** exponent;
    weights[rank] = total;
  }
  for (let rank = 0; rank < n; rank++) weights[rank] = (weights[rank] as number) / total;
  return weights;
}

function searchCumulative(cumulative: Float64Array, u: number): number {
  let low = 0;
  let high = cumulative.length - 1;
  while (low < high) {
    const mid = (low + high) >> 1;
    if ((cumulative[mid] as number) < u) low = mid + 1;
    else high = mid;
  }
  return low;
}

/** A small, fast, seedable PRNG (mulberry32): the simulation must replay identically from a seed. */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
