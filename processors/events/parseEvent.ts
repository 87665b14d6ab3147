import { Compile } from 'typebox/compile';
import { eventTimeOf } from './eventTime';
import { readPlainEvent } from './plainEvent';
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
  const eventTime = eventTimeOf(event.eventTime);
  if (Number.isNaN(eventTime)) return problem('eventTime', 'is not a real date and time');
  return { ok: true, event, eventTime };
}

/**
 * Parses one line of NDJSON: invalid JSON is a problem too, with field `(json)`. A line written
 * as the producers write events is read in one pass (`readPlainEvent`), to the same result.
 */
export function parseEventJson(text: string): ParsedEvent {
  const plain = readPlainEvent(text);
  if (plain !== undefined) return plain;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return problem('(json)', (error as Error).message);
  }
  return parseEvent(value);
}

function missingField(params: unknown): string {
  const required = (params as { requiredProperties?: string[] } | undefined)?.requiredProperties;
  return required?.[0] ?? '(event)';
}

function problem(field: string, reason: string): ParsedEvent {
  return { ok: false, problem: { field, reason } };
}
