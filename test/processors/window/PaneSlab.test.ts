import { describe, expect, it } from 'vitest';
import { PaneSlab } from '../../../processors/window/PaneSlab';

describe('PaneSlab', () => {
  it('counts the bytes of its chunks: they grow by whole chunks as SKUs arrive and stay as slots are reused', () => {
    const slab = new PaneSlab([10, 60]);
    const chunkBytes = (slots: number) => slots * slab.slotSize * Int32Array.BYTES_PER_ELEMENT;
    expect(slab.bytes).toBe(0);

    const first = slab.allocate();
    const oneChunk = slab.bytes;
    expect(oneChunk).toBeGreaterThan(chunkBytes(1));
    const slots = [first];
    while (slab.bytes === oneChunk) slots.push(slab.allocate());
    // The slot that needed a second chunk is the first past a whole chunk's worth.
    expect(oneChunk).toBe(chunkBytes(slots.length - 1));
    expect(slab.bytes).toBe(2 * oneChunk);

    for (const slot of slots) slab.release(slot);
    for (const _ of slots) slab.allocate();
    expect(slab.bytes).toBe(2 * oneChunk);
  });
});
