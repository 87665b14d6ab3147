/** Counters kept per pane, and per window sum. */
export const UNITS = 0;
export const ORDERS = 1;
export const DEPLETED = 2;
const fields = 3;
const slotsPerChunk = 1024;

/** Which of a SKU's two windows: its ring of panes and its running sum. */
export type Window = 0 | 1;
export const SHORT: Window = 0;
export const LONG: Window = 1;

/**
 * The pane counters of every SKU of a partition, in fixed chunks of Int32Array. Each SKU owns a
 * slot: one ring of panes per window (units ordered, orders, units taken out of stock, per pane of
 * event time) and the two window sums. Adding an event is O(1); a SKU costs a fixed number of
 * 32-bit integers whatever its event count; slots of evicted SKUs are reused, and growth adds a
 * chunk (never copies), so a partition allocates nothing per event and little per SKU.
 */
export class PaneSlab {
  readonly capacities: readonly [number, number];
  readonly slotSize: number;
  private readonly ringStarts: readonly [number, number];
  private readonly sumStart: number;
  private readonly chunks: Int32Array<ArrayBuffer>[] = [];
  private counters: Int32Array<ArrayBuffer> = new Int32Array(0);
  private used = 0;
  private readonly free: number[] = [];

  constructor(capacities: readonly [number, number]) {
    this.capacities = capacities;
    this.ringStarts = [0, capacities[0] * fields];
    this.sumStart = (capacities[0] + capacities[1]) * fields;
    this.slotSize = this.sumStart + 2 * fields;
  }

  /** Bytes of counters allocated (whole chunks, free slots included). */
  get bytes(): number {
    return this.chunks.reduce((total, chunk) => total + chunk.byteLength, 0);
  }

  /** A zeroed slot. */
  allocate(): number {
    const reused = this.free.pop();
    if (reused !== undefined) return reused;
    const slot = this.used;
    this.used += 1;
    if (slot % slotsPerChunk === 0) this.chunks.push(new Int32Array(slotsPerChunk * this.slotSize));
    return slot;
  }

  release(slot: number): void {
    const start = this.select(slot);
    this.counters.fill(0, start, start + this.slotSize);
    this.free.push(slot);
  }

  /**
   * Adds to pane `pane` of a window's ring whose newest pane is `head`, and returns the new head.
   * Moving the head forward zeroes the panes it reuses; a fresh ring (head -Infinity) is zero already.
   */
  add(
    slot: number,
    window: Window,
    head: number,
    pane: number,
    units: number,
    orders: number,
    depleted: number,
  ): number {
    const start = this.select(slot) + this.ringStarts[window];
    const capacity = this.capacities[window];
    const counters = this.counters;
    let newest = head;
    if (pane > head) {
      if (head !== Number.NEGATIVE_INFINITY && pane - head >= capacity) {
        counters.fill(0, start, start + capacity * fields);
      } else if (head !== Number.NEGATIVE_INFINITY) {
        for (let cleared = head + 1; cleared <= pane; cleared++) {
          const base = start + ringIndex(cleared, capacity) * fields;
          counters[base + UNITS] = 0;
          counters[base + ORDERS] = 0;
          counters[base + DEPLETED] = 0;
        }
      }
      newest = pane;
    }
    const base = start + ringIndex(pane, capacity) * fields;
    counters[base + UNITS] = (counters[base + UNITS] as number) + units;
    counters[base + ORDERS] = (counters[base + ORDERS] as number) + orders;
    counters[base + DEPLETED] = (counters[base + DEPLETED] as number) + depleted;
    return newest;
  }

  /** Adds `sign ×` the counters of panes [from, to) that the window's ring still holds into its sum. */
  accumulate(slot: number, window: Window, head: number, from: number, to: number, sign: 1 | -1): void {
    const slotStart = this.select(slot);
    const start = slotStart + this.ringStarts[window];
    const sum = slotStart + this.sumStart + window * fields;
    const capacity = this.capacities[window];
    const counters = this.counters;
    const first = Math.max(from, head - capacity + 1);
    const last = Math.min(to, head + 1);
    for (let pane = first; pane < last; pane++) {
      const base = start + ringIndex(pane, capacity) * fields;
      counters[sum + UNITS] = (counters[sum + UNITS] as number) + sign * (counters[base + UNITS] as number);
      counters[sum + ORDERS] =
        (counters[sum + ORDERS] as number) + sign * (counters[base + ORDERS] as number);
      counters[sum + DEPLETED] =
        (counters[sum + DEPLETED] as number) + sign * (counters[base + DEPLETED] as number);
    }
  }

  /** A copy of a slot's counters, to store. */
  read(slot: number): Int32Array<ArrayBuffer> {
    const start = this.select(slot);
    return this.counters.slice(start, start + this.slotSize);
  }

  /** Restores a slot's counters from a stored copy; a copy of another size is refused. */
  write(slot: number, values: Int32Array): void {
    if (values.length !== this.slotSize)
      throw new RangeError(`stored panes have ${values.length} counters, the windows need ${this.slotSize}`);
    const start = this.select(slot); // selects the chunk: before `this.counters` is read
    this.counters.set(values, start);
  }

  /** A field summed over panes [from, to) that the window's ring still holds, without touching its sum. */
  count(slot: number, window: Window, head: number, from: number, to: number, field: number): number {
    const start = this.select(slot) + this.ringStarts[window];
    const capacity = this.capacities[window];
    let total = 0;
    for (let pane = Math.max(from, head - capacity + 1); pane < Math.min(to, head + 1); pane++) {
      total += this.counters[start + ringIndex(pane, capacity) * fields + field] as number;
    }
    return total;
  }

  /** A field of a window's sum. */
  sum(slot: number, window: Window, field: number): number {
    return this.counters[this.select(slot) + this.sumStart + window * fields + field] as number;
  }

  clearSum(slot: number, window: Window): void {
    const sum = this.select(slot) + this.sumStart + window * fields;
    this.counters.fill(0, sum, sum + fields);
  }

  /** Points `counters` at the slot's chunk and returns the slot's first index in it. */
  private select(slot: number): number {
    this.counters = this.chunks[(slot / slotsPerChunk) | 0] as Int32Array<ArrayBuffer>;
    return (slot % slotsPerChunk) * this.slotSize;
  }
}

function ringIndex(pane: number, capacity: number): number {
  const index = pane % capacity;
  return index < 0 ? index + capacity : index;
}
