/** Counters kept per pane. */
export const paneFields = 3;
export const UNITS = 0;
export const ORDERS = 1;
export const DEPLETED = 2;

/**
 * A fixed ring of pane counters for one SKU: units ordered, orders, and units taken out of stock,
 * per pane (a slice of event time `paneMs` long, indexed by ⌊t / paneMs⌋). Adding an event is
 * O(1); memory is `capacity × 3` 32-bit integers whatever the event count. Panes that fall off the
 * back of the ring as the head moves forward are zeroed for reuse.
 */
export class PaneRing {
  readonly capacity: number;
  private readonly counters: Int32Array;
  /** Absolute index of the newest pane the ring holds; -Infinity while empty. */
  head = Number.NEGATIVE_INFINITY;

  constructor(capacity: number) {
    this.capacity = capacity;
    this.counters = new Int32Array(capacity * paneFields);
  }

  /** Whether `pane` is still held (not yet overwritten). */
  holds(pane: number): boolean {
    return pane <= this.head && pane > this.head - this.capacity;
  }

  /** Adds to a pane's counters, moving the head forward (and clearing reused slots) if needed. */
  add(pane: number, units: number, orders: number, depleted: number): void {
    if (pane > this.head) this.advanceTo(pane);
    const base = this.slot(pane) * paneFields;
    this.counters[base + UNITS] = (this.counters[base + UNITS] as number) + units;
    this.counters[base + ORDERS] = (this.counters[base + ORDERS] as number) + orders;
    this.counters[base + DEPLETED] = (this.counters[base + DEPLETED] as number) + depleted;
  }

  /** A pane's counter; 0 for a pane the ring does not hold. */
  get(pane: number, field: number): number {
    return this.holds(pane) ? (this.counters[this.slot(pane) * paneFields + field] as number) : 0;
  }

  /** Adds `sign ×` the counters of panes [from, to) into `into` (indexed by field). */
  accumulate(from: number, to: number, sign: 1 | -1, into: Float64Array, offset: number): void {
    for (let pane = from; pane < to; pane++) {
      if (!this.holds(pane)) continue;
      const base = this.slot(pane) * paneFields;
      into[offset + UNITS] =
        (into[offset + UNITS] as number) + sign * (this.counters[base + UNITS] as number);
      into[offset + ORDERS] =
        (into[offset + ORDERS] as number) + sign * (this.counters[base + ORDERS] as number);
      into[offset + DEPLETED] =
        (into[offset + DEPLETED] as number) + sign * (this.counters[base + DEPLETED] as number);
    }
  }

  private advanceTo(pane: number): void {
    const from = Math.max(this.head + 1, pane - this.capacity + 1);
    for (let cleared = from; cleared <= pane; cleared++)
      this.counters.fill(0, this.slot(cleared) * paneFields, (this.slot(cleared) + 1) * paneFields);
    this.head = pane;
  }

  private slot(pane: number): number {
    const slot = pane % this.capacity;
    return slot < 0 ? slot + this.capacity : slot;
  }
}
