import { describe, expect, it } from 'vitest';
import { parseEvent, parseEventJson } from '../../../processors/events/parseEvent';
import { inventoryEvent, orderEvent } from '../../helpers/events';

describe('parseEvent', () => {
  it('accepts both event types as the contract gives them', () => {
    expect(parseEvent(orderEvent())).toEqual({
      ok: true,
      event: orderEvent(),
      eventTime: Date.parse(orderEvent().eventTime),
    });
    expect(parseEvent(inventoryEvent({ onHand: undefined, delta: -3 })).ok).toBe(true);
  });

  it.each([
    [{ ...orderEvent(), lines: [{ sku: 'ELEC-1', quantity: 0, unitPrice: 100 }] }, 'lines.0.quantity'],
    [{ ...orderEvent(), lines: [{ sku: 'ELEC-1', quantity: 1, unitPrice: 9.99 }] }, 'lines.0.unitPrice'],
    [{ ...orderEvent(), eventTime: 'yesterday' }, 'eventTime'],
    [{ ...orderEvent(), lines: [] }, 'lines'],
    [{ ...orderEvent(), v: 2 }, 'v'],
    [{ ...orderEvent(), type: 'refund' }, 'type'],
    [{ ...inventoryEvent(), sku: 'has space' }, 'sku'],
    [{ ...inventoryEvent(), onHand: undefined }, 'onHand'],
  ])('names the offending field (%#: %s)', (value, field) => {
    const parsed = parseEvent(value);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.problem.field).toBe(field);
  });

  it('reports JSON that does not parse as a (json) problem instead of throwing', () => {
    const parsed = parseEventJson('{"type": "order",');
    expect(parsed).toMatchObject({ ok: false, problem: { field: '(json)' } });
  });
});

describe('parseEvent messages', () => {
  it('says what a pattern means instead of quoting it', () => {
    const parsed = parseEvent({ ...inventoryEvent(), eventTime: '2026-03-01 10:00' });
    expect(parsed).toMatchObject({
      ok: false,
      problem: { field: 'eventTime', reason: expect.stringMatching(/ISO-8601/) },
    });
  });

  it.each(['2026-02-29T10:00:00Z', '2026-04-31T10:00:00Z', '2100-02-29T10:00:00+02:00'])(
    'refuses a day the calendar does not have (%s), which Date.parse would roll over',
    (eventTime) => {
      expect(parseEvent({ ...orderEvent(), eventTime })).toMatchObject({
        ok: false,
        problem: { field: 'eventTime', reason: 'is not a real date and time' },
      });
    },
  );

  it.each(['2024-02-29T10:00:00Z', '2000-02-29T23:59:59.999-05:00', '2026-12-31T00:00:00Z'])(
    'accepts the last day of a month (%s)',
    (eventTime) => {
      expect(parseEvent({ ...orderEvent(), eventTime }).ok).toBe(true);
    },
  );

  it('names a missing field', () => {
    const { orderId: _, ...withoutId } = orderEvent();
    expect(parseEvent(withoutId)).toMatchObject({ ok: false, problem: { field: 'orderId' } });
  });
});
