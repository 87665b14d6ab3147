/** One SKU record to write after its batch is answered. */
export interface DeferredWrite {
  readonly sku: string;
  /** The version DynamoDB holds for the SKU: the write is conditional on it. */
  readonly expected: number;
  /** Writes the record, conditional on `expected`. */
  readonly put: (expected: number) => Promise<void>;
  /** Told when the record could not be stored (or an earlier write it builds on was not). */
  readonly failed: (error: unknown) => void;
}

/**
 * SKU records written after the batch that changed them is answered: those a sweep brought up to
 * the clock, which no event of the batch touched. At a tick a shard sweeps most of its SKUs, and
 * their conditional puts, written before the answer, held the shard's next batch and queued in
 * DynamoDB ahead of the other shards' tick prices. Here they go through a few puts at a time.
 *
 * Deferring them is safe because a swept record is a pure function of the record it was swept
 * from and the tick: until its write lands, DynamoDB holds the older record and the due index
 * still lists the SKU, so a write that is lost (a container that stops, a DynamoDB error) is swept
 * again, from the same record to the same prices. What this class keeps is each SKU's order of
 * writes in one container:
 * - a later batch that writes the SKU takes over its write not yet started (`takeOver`): its
 *   record holds the sweep's, and it is written conditional on what DynamoDB holds;
 * - a batch that reads the SKU from DynamoDB drops the write not yet started and waits for the one
 *   in flight (`cancel`): the record read is caught up to the clock again, to the same prices;
 * - a write that was not stored fails whatever would build on it, until the SKU is read again.
 */
export class DeferredSkuWrites {
  /** Writes not started, oldest first, at most one per SKU. */
  private readonly queued = new Map<string, DeferredWrite>();
  /** Per SKU, its write in flight: true once stored, false if it was not. */
  private readonly inFlight = new Map<string, Promise<boolean>>();
  /** SKUs whose write was not stored, until they are read from DynamoDB again. */
  private readonly unstored = new Set<string>();
  /** Called whenever a write ends or leaves the queue (see `settled`). */
  private readonly watchers = new Set<() => void>();

  /** @param concurrency puts in flight at most */
  constructor(private readonly concurrency: number) {}

  /**
   * Queues records to write. A SKU's earlier record still queued is replaced, in its place in the
   * queue, by the new one, written against the version the earlier was: the one DynamoDB holds.
   */
  defer(writes: readonly DeferredWrite[]): void {
    for (const write of writes) {
      const earlier = this.queued.get(write.sku);
      this.queued.set(write.sku, earlier === undefined ? write : { ...write, expected: earlier.expected });
    }
    this.pump();
  }

  /**
   * For a batch about to write these SKUs on top of the records it was handed: takes their queued
   * writes over (the versions DynamoDB holds, for the batch to write against), and waits for those
   * in flight. `unstored`: a SKU whose write was not stored, if any; the batch must not write it.
   */
  async takeOver(
    skus: Iterable<string>,
  ): Promise<{ expected: Map<string, number>; unstored: string | undefined }> {
    const all = [...skus];
    const expected = new Map<string, number>();
    for (const sku of all) {
      const queued = this.queued.get(sku);
      if (queued !== undefined) expected.set(sku, queued.expected);
    }
    await this.cancel(all);
    const unstored = this.unstored.size > 0 ? all.find((sku) => this.unstored.has(sku)) : undefined;
    return { expected, unstored };
  }

  /** For a batch about to read these SKUs from DynamoDB: drops their queued writes, waits for those in flight. */
  async cancel(skus: Iterable<string>): Promise<void> {
    const waits: Promise<boolean>[] = [];
    for (const sku of skus) {
      this.queued.delete(sku);
      const write = this.inFlight.get(sku);
      if (write !== undefined) waits.push(write);
    }
    if (waits.length > 0) await Promise.all(waits);
    this.changed();
  }

  /** These SKUs were read from DynamoDB: what a write of theirs did not store no longer matters. */
  reread(skus: Iterable<string>): void {
    if (this.unstored.size > 0) for (const sku of skus) this.unstored.delete(sku);
  }

  /**
   * Resolves once the writes queued or in flight now have ended (stored, failed, taken over or
   * dropped), and any later write of the same SKUs.
   */
  settled(): Promise<void> {
    const skus = new Set([...this.queued.keys(), ...this.inFlight.keys()]);
    return new Promise((resolve) => {
      const watch = () => {
        for (const sku of skus) {
          if (this.queued.has(sku) || this.inFlight.has(sku)) return;
          skus.delete(sku);
        }
        this.watchers.delete(watch);
        resolve();
      };
      this.watchers.add(watch);
      watch();
    });
  }

  /** Starts queued writes, oldest first, while fewer than `concurrency` are in flight. */
  private pump(): void {
    for (const [sku, write] of this.queued) {
      if (this.inFlight.size >= this.concurrency) return;
      if (this.inFlight.has(sku)) continue; // written after the one in flight
      this.queued.delete(sku);
      if (this.unstored.has(sku)) {
        write.failed(new Error(`an earlier write of ${sku} was not stored`));
        this.changed();
        continue;
      }
      const done = write.put(write.expected).then(
        () => true,
        (error: unknown) => {
          write.failed(error);
          return false;
        },
      );
      this.inFlight.set(sku, done);
      void done.then((stored) => {
        this.inFlight.delete(sku);
        if (!stored) this.unstored.add(sku);
        this.pump();
        this.changed();
      });
    }
  }

  private changed(): void {
    for (const watch of this.watchers) watch();
  }
}
