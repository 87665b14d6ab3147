import { z } from 'zod';

/**
 * The event contract. Every record on the stream is one of these two event types, as UTF-8 JSON.
 * Types are inferred from the schemas; there are no hand-written twins.
 *
 * Money is in minor units (cents) and quantities are integers. `eventTime` is an ISO-8601
 * timestamp with an offset; it is the only clock the stream core knows.
 */

/** A stock-keeping unit id: 1–64 characters of letters, digits and `._:-`. */
export const skuSchema = z
  .string()
  .regex(/^[A-Za-z0-9._:-]{1,64}$/, 'must be 1-64 characters of A-Z a-z 0-9 . _ : -');

const eventTimeSchema = z.iso.datetime({ offset: true });

/**
 * A stock change at one location: an absolute count (`onHand`), a relative change (`delta`), or both
 * (a delta applied that resulted in the count). At least one of the two is present.
 */
export const inventoryEventSchema = z
  .object({
    type: z.literal('inventory'),
    v: z.literal(1),
    eventId: z.string().min(1).max(128),
    sku: skuSchema,
    location: z.string().min(1).max(64),
    eventTime: eventTimeSchema,
    onHand: z.int().nonnegative().optional(),
    delta: z.int().optional(),
  })
  .refine((event) => event.onHand !== undefined || event.delta !== undefined, {
    message: 'an inventory event needs onHand, delta or both',
    path: ['onHand'],
  });

/** One line of an order: `quantity` units of `sku` at `unitPrice` cents each. */
export const orderLineSchema = z.object({
  sku: skuSchema,
  quantity: z.int().positive(),
  unitPrice: z.int().nonnegative(),
});

/** A placed order. On the stream an order is carried once per SKU it contains (see `splitBySku`). */
export const orderEventSchema = z.object({
  type: z.literal('order'),
  v: z.literal(1),
  orderId: z.string().min(1).max(128),
  eventTime: eventTimeSchema,
  lines: z.array(orderLineSchema).min(1).max(500),
});

/** Any event on the stream, told apart by `type`. */
export const streamEventSchema = z.discriminatedUnion('type', [orderEventSchema, inventoryEventSchema]);

export type InventoryEvent = z.infer<typeof inventoryEventSchema>;
export type OrderEvent = z.infer<typeof orderEventSchema>;
export type OrderLine = z.infer<typeof orderLineSchema>;
export type StreamEvent = z.infer<typeof streamEventSchema>;
