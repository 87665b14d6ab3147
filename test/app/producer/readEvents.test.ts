import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { InvalidEventError } from '../../../app/producer/errors';
import { readEvents } from '../../../app/producer/readEvents';
import { inventoryEvent, orderEvent } from '../../helpers/events';

describe('readEvents', () => {
  it('yields the valid lines and refuses the others naming line and field', async () => {
    const text = [
      JSON.stringify(orderEvent()),
      '',
      JSON.stringify({ ...inventoryEvent(), location: '' }),
      'not json',
      JSON.stringify(inventoryEvent()),
    ].join('\n');
    const refused: InvalidEventError[] = [];

    const events = [];
    for await (const event of readEvents(Readable.from([text]), (error) => refused.push(error)))
      events.push(event);

    expect(events).toEqual([orderEvent(), inventoryEvent()]);
    expect(refused.map((error) => [error.line, error.field])).toEqual([
      [3, 'location'],
      [4, '(json)'],
    ]);
    expect(refused[0]?.message).toMatch(/^line 3: location: /);
  });
});
