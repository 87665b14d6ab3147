import { describe, expect, it } from 'vitest';
import { skuOf, splitBySku } from '../../../processors/events/splitBySku';
import { inventoryEvent, orderEvent } from '../../helpers/events';

describe('splitBySku', () => {
  it('carries a multi-SKU order once per SKU, each copy with only its lines', () => {
    const order = orderEvent({
      lines: [
        { sku: 'A', quantity: 1, unitPrice: 100 },
        { sku: 'B', quantity: 2, unitPrice: 200 },
        { sku: 'A', quantity: 3, unitPrice: 100 },
      ],
    });
    const parts = splitBySku(order);
    expect(parts.map(skuOf)).toEqual(['A', 'B']);
    expect(parts[0]).toMatchObject({ orderId: order.orderId, eventTime: order.eventTime });
    expect(parts.flatMap((part) => (part.type === 'order' ? part.lines : []))).toHaveLength(3);
  });

  it('passes single-SKU orders and inventory events through unchanged', () => {
    const order = orderEvent();
    const inventory = inventoryEvent();
    expect(splitBySku(order)).toEqual([order]);
    expect(splitBySku(inventory)).toEqual([inventory]);
  });
});
