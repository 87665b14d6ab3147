import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { eventTimeOf } from '../../../processors/events/eventTime';
import { type ParsedEvent, parseEvent } from '../../../processors/events/parseEvent';
import { readPlainEvent } from '../../../processors/events/plainEvent';
import type { InventoryEvent, OrderEvent, StreamEvent } from '../../../processors/events/schema';
import { editedOnce } from '../../helpers/edits';
import { inventoryEvent, orderEvent } from '../../helpers/events';
import { contractTimestamp } from '../../helpers/timestamps';

const character = (codes: fc.Arbitrary<number>) => codes.map((code) => String.fromCharCode(code));
/** Printable ASCII that JSON.stringify writes as itself: not `"` or `\`. */
const plainText = (minLength: number, maxLength: number) =>
  fc.string({
    unit: character(fc.integer({ min: 32, max: 126 }).filter((code) => code !== 34 && code !== 92)),
    minLength,
    maxLength,
  });
const skuText = fc.string({
  unit: fc.constantFrom(...'ABCZabcz0189._:-'),
  minLength: 1,
  maxLength: 64,
});
const realTimestamp = contractTimestamp.filter((timestamp) => !Number.isNaN(eventTimeOf(timestamp)));
/** Integers of up to 15 digits, either sign: exact as doubles. */
const integer = (min: bigint) => fc.bigInt({ min, max: 10n ** 15n - 1n }).map(Number);

/** Valid events as the producers write them: every field in the contract's order, none added. */
const plainEvent: fc.Arbitrary<StreamEvent> = fc.oneof(
  fc
    .record({
      orderId: plainText(1, 128),
      eventTime: realTimestamp,
      lines: fc.array(fc.record({ sku: skuText, quantity: integer(1n), unitPrice: integer(0n) }), {
        minLength: 1,
        maxLength: 4,
      }),
    })
    .map((fields): OrderEvent => ({ type: 'order', v: 1, ...fields })),
  fc
    .record({
      eventId: plainText(1, 128),
      sku: skuText,
      location: plainText(1, 64),
      eventTime: realTimestamp,
      onHand: integer(0n),
      delta: integer(-(10n ** 15n - 1n)),
      stock: fc.constantFrom('onHand', 'delta', 'onHand then delta', 'delta then onHand'),
    })
    .map(({ onHand, delta, stock, ...fields }): InventoryEvent => {
      const base = { type: 'inventory', v: 1, ...fields } as const;
      if (stock === 'onHand') return { ...base, onHand };
      if (stock === 'delta') return { ...base, delta };
      return stock === 'onHand then delta' ? { ...base, onHand, delta } : { ...base, delta, onHand };
    }),
);

/**
 * Raw JSON for one field: values on both sides of each of the contract's bounds, and the ways of
 * writing a value that JSON.stringify never uses.
 */
const tokens = [
  ...['0', '-0', '00', '01', '-1', '1', '2', '1.0', '1.5', '1e2', '1E2', '-', '+1', '1.', 'null', 'true'],
  ...['999999999999999', '-999999999999999', '1000000000000000', '[]', '{}', ' 1', '"order"', '"inventory"'],
  ...[0, 1, 63, 64, 65, 127, 128, 129].map((length) => JSON.stringify('x'.repeat(length))),
  ...[64, 65].map((length) => JSON.stringify('A'.repeat(length))),
  ...'/;@[`{ \u00e9\u0000\u007f'.split('').map((character) => JSON.stringify(`ELEC-1${character}`)),
  ...['"ELEC\\u002d1"', '"ELEC-1\\n"'],
  ...[
    ...[
      '2026-03-01T10:00:00.0000000000Z',
      '2026-03-01T10:00:00.Z',
      '2026-03-01T10:00:00',
      '2026-3-01T10:00:00Z',
    ],
    ...[
      '2026-03-01 10:00:00Z',
      '2026-03-01T10:00:00+0100',
      '2026-03-01T10:00:00z',
      '2026-03-01T10:00:00+01:0',
    ],
    ...['2026-03-01T10:00:00Zx', '2026-02-29T10:00:00Z', '2026-03-01T10:00:00.123456789+23:59'],
  ].map((timestamp) => JSON.stringify(timestamp)),
];
const fieldToken = fc.oneof(
  fc.constantFrom(...tokens),
  contractTimestamp.map((timestamp) => JSON.stringify(timestamp)),
  fc.integer({ min: -2, max: 2 }).map(String),
);
const fieldPaths = [
  ...['type', 'v', 'orderId', 'eventId', 'sku', 'location', 'eventTime', 'onHand', 'delta', 'lines'],
  ...['lines.sku', 'lines.quantity', 'lines.unitPrice'],
];
const sentinel = 987_654_321_987;
/** The event's text with one field (`lines.sku`: its first line's) written as `token`, or left out. */
function withField(event: StreamEvent, path: string, token: string | undefined): string {
  const copy = structuredClone(event) as unknown as Record<string, unknown> & { lines?: object[] };
  const [field, lineField] = path.split('.') as [string, string | undefined];
  const target = (lineField === undefined ? copy : copy.lines?.[0]) as Record<string, unknown> | undefined;
  const key = lineField ?? field;
  if (target === undefined) return JSON.stringify(copy);
  if (token === undefined) delete target[key];
  else target[key] = sentinel;
  return JSON.stringify(copy).replace(String(sentinel), token ?? '');
}
const oneFieldOff = fc
  .tuple(plainEvent, fc.constantFrom(...fieldPaths), fc.option(fieldToken, { nil: undefined }))
  .map(([event, path, token]) => withField(event, path, token));
/** One character put in, taken out or swapped for another. */
const mutated = (text: fc.Arbitrary<string>) => editedOnce(text, '{}[]":,.-+0123456789eEZT \\u\u00e9\u0000');

/** What JSON.parse and the schema check make of the text, to hold the shortcut to. */
function parsedByJson(text: string): ParsedEvent | undefined {
  try {
    return parseEvent(JSON.parse(text));
  } catch {
    return undefined; // not JSON
  }
}

function expectSameAsParse(text: string): void {
  const plain = readPlainEvent(text);
  if (plain === undefined) return;
  const parsed = parsedByJson(text);
  expect(parsed?.ok).toBe(true);
  if (!parsed?.ok) return;
  expect(plain.eventTime).toBe(parsed.eventTime);
  expect(plain.event).toStrictEqual(parsed.event);
  expect(Object.keys(plain.event)).toEqual(Object.keys(parsed.event));
}

describe('readPlainEvent', () => {
  it('reads every valid event the producers write, as JSON.parse and the schema check read it', () => {
    fc.assert(
      fc.property(plainEvent, (event) => {
        const text = JSON.stringify(event);
        const plain = readPlainEvent(text);
        expect(plain).toBeDefined();
        expect(JSON.stringify(plain?.event)).toBe(text);
        expectSameAsParse(text);
      }),
      { numRuns: 2_000 },
    );
  });

  it('never reads a text other than as JSON.parse and the schema check do, valid or not', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          oneFieldOff,
          mutated(plainEvent.map((event) => JSON.stringify(event))),
          mutated(oneFieldOff),
        ),
        expectSameAsParse,
      ),
      { numRuns: 10_000 },
    );
  });

  it('reads no event with one field off as anything but what JSON.parse and the schema check make of it', () => {
    const timestamps = fc
      .sample(contractTimestamp, { numRuns: 100, seed: 1 })
      .map((text) => JSON.stringify(text));
    for (const event of [orderEvent(), inventoryEvent(), inventoryEvent({ onHand: undefined, delta: -3 })])
      for (const path of fieldPaths)
        for (const token of [...tokens, ...timestamps, undefined])
          expectSameAsParse(withField(event, path, token));
  });

  it('reads an order of up to 500 lines, the contract’s most', () => {
    const line = { sku: 'ELEC-1', quantity: 1, unitPrice: 100 };
    const most = JSON.stringify(orderEvent({ lines: Array.from({ length: 500 }, () => line) }));
    expect(readPlainEvent(most)?.event).toStrictEqual(JSON.parse(most));
    const tooMany = JSON.stringify(orderEvent({ lines: Array.from({ length: 501 }, () => line) }));
    expect(readPlainEvent(tooMany)).toBeUndefined();
    expect(parsedByJson(tooMany)?.ok).toBe(false);
  });

  const written = JSON.stringify(inventoryEvent());
  const { sku, ...rest } = inventoryEvent();
  it.each([
    ['with whitespace', JSON.stringify(inventoryEvent(), null, 2)],
    ['with its fields in another order', JSON.stringify({ sku, ...rest })],
    ['with a field the contract does not name', JSON.stringify({ ...inventoryEvent(), note: 'recount' })],
    ['with an escape', JSON.stringify(inventoryEvent({ eventId: 'i-"1"' }))],
    ['with a character past ASCII', JSON.stringify(inventoryEvent({ location: 'Zürich' }))],
    ['with v written 1.0', written.replace('"v":1', '"v":1.0')],
    ['with a count of 16 digits', JSON.stringify(inventoryEvent({ onHand: 1_000_000_000_000_000 }))],
    ['with an exponent', written.replace('"onHand":40', '"onHand":4e1')],
  ])('leaves an event %s to JSON.parse', (_, text) => {
    expect(readPlainEvent(text)).toBeUndefined();
    expect(parsedByJson(text)?.ok).toBe(true);
  });
});
