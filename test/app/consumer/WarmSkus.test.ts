import { describe, expect, it } from 'vitest';
import type { StoredSku } from '../../../app/consumer/StateStore';
import { WarmSkus } from '../../../app/consumer/WarmSkus';
import { initialPriceState } from '../../../processors/pricing/decidePrice';

const stored = (sku: string, version: number): StoredSku => ({
  record: { sku, applied: {}, lateEvents: 0, appliedEvents: version, price: initialPriceState },
  version,
});

describe('WarmSkus', () => {
  it('holds what a shard stored, at the version stored, and reads the rest', () => {
    const warm = new WarmSkus(10);
    warm.remember('shard-1', [stored('A', 3), stored('B', 1)]);

    const { held, missing } = warm.take('shard-1', ['A', 'B', 'C']);

    expect([...held].map(([sku, entry]) => [sku, entry.version])).toEqual([
      ['A', 3],
      ['B', 1],
    ]);
    expect(missing).toEqual(['C']);
  });

  it('holds a SKU for the shard that stored it only', () => {
    const warm = new WarmSkus(10);
    warm.remember('parent', [stored('A', 2)]);

    expect(warm.take('child', ['A']).missing).toEqual(['A']);
    expect(warm.take('parent', ['A']).held.size).toBe(1);
  });

  it('forgets a shard another container stamped, keeps one it stamped itself, and holds what it stores next', () => {
    const warm = new WarmSkus(10);
    warm.remember('shard-1', [stored('A', 2)]);
    warm.remember('shard-2', [stored('B', 5)]);

    expect(warm.check('shard-2', warm.writer)).toBe(true);
    expect(warm.check('shard-1', 'another-container')).toBe(false);

    expect(warm.take('shard-1', ['A']).missing).toEqual(['A']);
    expect(warm.take('shard-2', ['B']).held.get('B')?.version).toBe(5);
    warm.remember('shard-1', [stored('A', 4)]);
    expect(warm.take('shard-1', ['A']).held.get('A')?.version).toBe(4);
  });

  it('forgets a shard after a failed batch, and a shard never stamped by it', () => {
    const warm = new WarmSkus(10);
    warm.remember('shard-1', [stored('A', 2)]);
    warm.forget('shard-1');
    expect(warm.take('shard-1', ['A']).missing).toEqual(['A']);

    warm.remember('shard-1', [stored('A', 3)]);
    expect(warm.check('shard-1', undefined)).toBe(false);
    expect(warm.take('shard-1', ['A']).missing).toEqual(['A']);
  });

  it('keeps at most its limit, dropping the least recently stored', () => {
    const warm = new WarmSkus(2);
    warm.remember('shard-1', [stored('A', 1), stored('B', 1)]);
    warm.remember('shard-1', [stored('A', 2)]);
    warm.remember('shard-1', [stored('C', 1)]);

    const { held, missing } = warm.take('shard-1', ['A', 'B', 'C']);
    expect([...held.keys()]).toEqual(['A', 'C']);
    expect(missing).toEqual(['B']);
  });
});
