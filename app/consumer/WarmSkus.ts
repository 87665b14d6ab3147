import { randomUUID } from 'node:crypto';
import type { StoredSku } from './StateStore';

interface Entry {
  readonly shardId: string;
  readonly generation: number;
  readonly stored: StoredSku;
}

/**
 * The SKU records a warm container keeps between batches, so a batch reads from DynamoDB only
 * the SKUs it does not hold. An entry is what this container last stored for the SKU, with the
 * version it stored: the next conditional write is made against that version.
 *
 * What a container holds of a shard counts only while it was the shard's last writer: every batch
 * stamps the shard item with `writer`, and a batch that finds another stamp (Lambda gave the
 * shard to another container meanwhile) forgets the shard first. A failed batch forgets its shard
 * too. Should an entry still be stale (another container wrote the SKU but failed before stamping
 * the shard), the conditional write refuses it, the batch fails, and its retry reads DynamoDB:
 * the cache can cost a retry, never a wrong price. Only for one batch at a time per shard; with a
 * parallelization factor above 1 the consumer runs without it.
 *
 * It also keeps, per shard and on the same terms, the tick through which this container's last
 * sweep took every due SKU (`sweptThrough`): until a later tick passes, the due index can hold
 * nothing new for the shard (every write makes a SKU due at a future tick), so batches between
 * ticks need not query it.
 */
export class WarmSkus {
  /** This container's stamp on the shard items it writes. */
  readonly writer: string = randomUUID();
  /** Least recently stored first. */
  private readonly entries = new Map<string, Entry>();
  /** Bumped to forget a shard: entries of an older generation no longer count. */
  private readonly generations = new Map<string, number>();
  private readonly sweeps = new Map<string, { readonly generation: number; readonly upTo: number }>();

  /** @param limit SKU records held at most; the least recently stored go first. */
  constructor(readonly limit: number) {}

  /** Forgets the shard unless this container stamped it last; returns whether it did. */
  check(shardId: string, lastWriter: string | undefined): boolean {
    if (lastWriter === this.writer) return true;
    this.forget(shardId);
    return false;
  }

  forget(shardId: string): void {
    this.generations.set(shardId, this.generation(shardId) + 1);
  }

  /** Splits `skus` into those held for the shard (with their records) and those to read. */
  take(shardId: string, skus: Iterable<string>): { held: Map<string, StoredSku>; missing: string[] } {
    const generation = this.generation(shardId);
    const held = new Map<string, StoredSku>();
    const missing: string[] = [];
    for (const sku of skus) {
      const entry = this.entries.get(sku);
      if (entry?.shardId === shardId && entry.generation === generation) held.set(sku, entry.stored);
      else missing.push(sku);
    }
    return { held, missing };
  }

  /** Holds what a batch of the shard stored, as the newest entries. */
  remember(shardId: string, stored: Iterable<StoredSku>): void {
    const generation = this.generation(shardId);
    for (const entry of stored) {
      this.entries.delete(entry.record.sku);
      this.entries.set(entry.record.sku, { shardId, generation, stored: entry });
    }
    for (const sku of this.entries.keys()) {
      if (this.entries.size <= this.limit) break;
      this.entries.delete(sku);
    }
  }

  /** Notes that a stored batch of the shard swept every SKU due at or before tick `upTo`. */
  swept(shardId: string, upTo: number): void {
    this.sweeps.set(shardId, { generation: this.generation(shardId), upTo });
  }

  /** The tick through which the shard's due SKUs were all swept, if this container still knows. */
  sweptThrough(shardId: string): number | undefined {
    const sweep = this.sweeps.get(shardId);
    return sweep?.generation === this.generation(shardId) ? sweep.upTo : undefined;
  }

  private generation(shardId: string): number {
    return this.generations.get(shardId) ?? 0;
  }
}
