import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { parseEventJson } from '../../processors/events/parseEvent';
import type { StreamEvent } from '../../processors/events/schema';
import { InvalidEventError } from './errors';

/**
 * Reads NDJSON events from a file (or stdin for `-`), one event per line; blank lines are
 * skipped. A line that is not a valid event is refused: it is passed to `onInvalid` with its line
 * number and field, and the stream goes on with the next line.
 */
export async function* readEvents(
  source: string | Readable,
  onInvalid: (error: InvalidEventError) => void,
): AsyncGenerator<StreamEvent> {
  const input =
    typeof source === 'string' ? (source === '-' ? process.stdin : createReadStream(source)) : source;
  const lines = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
  let lineNumber = 0;
  for await (const line of lines) {
    lineNumber += 1;
    if (line.trim() === '') continue;
    const parsed = parseEventJson(line);
    if (parsed.ok) yield parsed.event;
    else onInvalid(new InvalidEventError(lineNumber, parsed.problem.field, parsed.problem.reason));
  }
}
