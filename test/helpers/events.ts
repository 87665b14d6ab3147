import type { InventoryEvent, OrderEvent } from '../../processors/events/schema';

/** An order event with sensible defaults; override any field. */
export function orderEvent(overrides: Partial<OrderEvent> = {}): OrderEvent {
  return {
    type: 'order',
    v: 1,
    orderId: 'o-1',
    eventTime: '2026-03-01T10:00:00.000Z',
    lines: [{ sku: 'ELEC-000001', quantity: 1, unitPrice: 1999 }],
    ...overrides,
  };
}

/** An inventory event with sensible defaults; override any field. */
export function inventoryEvent(overrides: Partial<InventoryEvent> = {}): InventoryEvent {
  return {
    type: 'inventory',
    v: 1,
    eventId: 'i-1',
    sku: 'ELEC-000001',
    location: 'DC-1',
    eventTime: '2026-03-01T10:00:00.000Z',
    onHand: 40,
    ...overrides,
  };
}
