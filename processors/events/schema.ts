import Type, { type Static } from 'typebox';

/**
 * The event contract. Every record on the stream is one of these two event types, as UTF-8 JSON.
 * Types are inferred from the schemas (`Static`); there are no hand-written twins.
 *
 * Money is in minor units (cents) and quantities are integers. `eventTime` is an ISO-8601
 * timestamp with an offset; it is the only clock the stream core knows.
 *
 * The contract is a TypeBox (JSON Schema) definition because it is checked on the hot path: its
 * compiled check allocates nothing, where a parse that builds a new object per event cost more
 * than the JSON decoding itself. Configuration, read once, uses zod.
 */

const descriptions: Record<string, string> = {};

/** Human-readable descriptions of the contract's patterns, for error messages. */
export const patternMessages: Readonly<Record<string, string>> = descriptions;

function pattern(source: string, message: string): string {
  descriptions[source] = message;
  return source;
}

/** A stock-keeping unit id: 1–64 characters of letters, digits and `._:-`. */
export const skuSchema = Type.String({
  pattern: pattern('^[A-Za-z0-9._:-]{1,64}$', 'must be 1-64 characters of A-Z a-z 0-9 . _ : -'),
});

const eventTimeSchema = Type.String({
  pattern: pattern(
    '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d{1,9})?(Z|[+-]\\d{2}:\\d{2})$',
    'must be an ISO-8601 timestamp with an offset, such as 2026-03-01T10:00:00.000Z',
  ),
});

/**
 * A stock change at one location: an absolute count (`onHand`), a relative change (`delta`), or
 * both (a delta applied that resulted in the count). At least one of the two is present.
 */
export const inventoryEventSchema = Type.Object({
  type: Type.Literal('inventory'),
  v: Type.Literal(1),
  eventId: Type.String({ minLength: 1, maxLength: 128 }),
  sku: skuSchema,
  location: Type.String({ minLength: 1, maxLength: 64 }),
  eventTime: eventTimeSchema,
  onHand: Type.Optional(Type.Integer({ minimum: 0 })),
  delta: Type.Optional(Type.Integer()),
});

/** One line of an order: `quantity` units of `sku` at `unitPrice` cents each. */
export const orderLineSchema = Type.Object({
  sku: skuSchema,
  quantity: Type.Integer({ minimum: 1 }),
  unitPrice: Type.Integer({ minimum: 0 }),
});

/** A placed order. On the stream an order is carried once per SKU it contains (see `splitBySku`). */
export const orderEventSchema = Type.Object({
  type: Type.Literal('order'),
  v: Type.Literal(1),
  orderId: Type.String({ minLength: 1, maxLength: 128 }),
  eventTime: eventTimeSchema,
  lines: Type.Array(orderLineSchema, { minItems: 1, maxItems: 500 }),
});

export type InventoryEvent = Static<typeof inventoryEventSchema>;
export type OrderEvent = Static<typeof orderEventSchema>;
export type OrderLine = Static<typeof orderLineSchema>;
/** Any event on the stream, told apart by `type`. */
export type StreamEvent = OrderEvent | InventoryEvent;
