import { Compile } from 'typebox/compile';
import { inventoryEventSchema, orderEventSchema, patternMessages, type StreamEvent } from './schema';

/** Why a value is not a valid event: the dotted path of the first offending field and the reason. */
export interface EventProblem {
  readonly field: string;
  readonly reason: string;
}

export type ParsedEvent =
  | {
      readonly ok: true;
      readonly event: StreamEvent /** `eventTime` in epoch ms. */;
      readonly eventTime: number;
    }
  | { readonly ok: false; readonly problem: EventProblem };

const validators = {
  order: Compile(orderEventSchema),
  inventory: Compile(inventoryEventSchema),
} as const;

/**
 * Checks a decoded JSON value against the event contract, without copying it. Never throws for
 * bad data: a value that does not match comes back as a problem naming the field
 * (`lines.0.quantity`) and the reason. `type` picks the schema, so an order's problem is an
 * order's, not a list of both types' complaints.
 */
export function parseEvent(value: unknown): ParsedEvent {
  const type = (value as { type?: unknown } | null)?.type;
  if (type !== 'order' && type !== 'inventory') {
    const reason =
      typeof value === 'object' && value !== null
        ? "must be 'order' or 'inventory'"
        : 'an event must be a JSON object';
    return problem(typeof value === 'object' && value !== null ? 'type' : '(event)', reason);
  }
  const validator = validators[type];
  if (!validator.Check(value)) {
    const [first] = validator.Errors(value);
    const field = first?.instancePath
      ? first.instancePath.slice(1).replaceAll('/', '.')
      : missingField(first?.params);
    const pattern = (first?.params as { pattern?: string } | undefined)?.pattern;
    return problem(
      field,
      (pattern && patternMessages[pattern]) || first?.message || 'does not match the event contract',
    );
  }
  const event = value as StreamEvent;
  if (event.type === 'inventory' && event.onHand === undefined && event.delta === undefined) {
    return problem('onHand', 'an inventory event needs onHand, delta or both');
  }
  const eventTime = Date.parse(event.eventTime);
  if (Number.isNaN(eventTime) || !realDay(event.eventTime))
    return problem('eventTime', 'is not a real date and time');
  return { ok: true, event, eventTime };
}

/** Parses one line of NDJSON: invalid JSON is a problem too, with field `(json)`. */
export function parseEventJson(text: string): ParsedEvent {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return problem('(json)', (error as Error).message);
  }
  return parseEvent(value);
}

/**
 * Whether the calendar day of a timestamp the contract's pattern accepted exists. `Date.parse`
 * takes any day up to 31 and rolls it over (`2026-02-30` is read as March 2). The day is the
 * timestamp's own, before its offset, so the check needs no time zone.
 */
function realDay(timestamp: string): boolean {
  // Read digit by digit: this runs for every event, and a slice would allocate.
  const digits = (from: number, count: number) => {
    let value = 0;
    for (let index = from; index < from + count; index++)
      value = value * 10 + timestamp.charCodeAt(index) - 48;
    return value;
  };
  const day = digits(8, 2);
  if (day <= 28) return true;
  const year = digits(0, 4);
  const month = digits(5, 2);
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const days = month === 2 ? (leap ? 29 : 28) : [4, 6, 9, 11].includes(month) ? 30 : 31;
  return day <= days;
}

function missingField(params: unknown): string {
  const required = (params as { requiredProperties?: string[] } | undefined)?.requiredProperties;
  return required?.[0] ?? '(event)';
}

function problem(field: string, reason: string): ParsedEvent {
  return { ok: false, problem: { field, reason } };
}
