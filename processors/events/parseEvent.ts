import { type StreamEvent, streamEventSchema } from './schema';

/** Why a value is not a valid event: the dotted path of the first offending field and the reason. */
export interface EventProblem {
  readonly field: string;
  readonly reason: string;
}

export type ParsedEvent =
  | { readonly ok: true; readonly event: StreamEvent }
  | { readonly ok: false; readonly problem: EventProblem };

/**
 * Checks a decoded JSON value against the event contract. Never throws for bad data: a value that
 * does not match comes back as a problem naming the field (`lines.0.quantity`) and the reason.
 */
export function parseEvent(value: unknown): ParsedEvent {
  const result = streamEventSchema.safeParse(value);
  if (result.success) return { ok: true, event: result.data };
  const issue = result.error.issues[0];
  const field = issue && issue.path.length > 0 ? issue.path.join('.') : '(event)';
  return { ok: false, problem: { field, reason: issue?.message ?? 'does not match the event contract' } };
}

/** Parses one line of NDJSON: invalid JSON is a problem too, with field `(json)`. */
export function parseEventJson(text: string): ParsedEvent {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { ok: false, problem: { field: '(json)', reason: (error as Error).message } };
  }
  return parseEvent(value);
}
