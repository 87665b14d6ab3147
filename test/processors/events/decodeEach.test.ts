import { lastValueFrom, take, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { createDecodeTally, decodeEach } from '../../../processors/events/decodeEach';
import { decodeRecords, readRecords } from '../../../processors/events/decodeRecords';
import { inventoryEvent, orderEvent } from '../../helpers/events';
import { aggregatedRecords, lambdaRecord, plainRecords } from '../../helpers/kinesisRecords';

const at = (minute: number) => `2026-03-01T10:${String(minute).padStart(2, '0')}:00.000Z`;
const spanning = orderEvent({
  orderId: 'o-3',
  eventTime: at(3),
  lines: [
    { sku: 'TOYS-000001', quantity: 1, unitPrice: 100 },
    { sku: 'FOOD-000001', quantity: 2, unitPrice: 100 },
  ],
});

/** A batch of every kind of record: aggregated and plain, good and bad, an order of two SKUs. */
function mixedBatch() {
  const corrupt = aggregatedRecords([orderEvent({ orderId: 'o-9' })])[0];
  const bytes = Buffer.from(corrupt?.kinesis.data as string, 'base64');
  bytes[bytes.length - 1] = (bytes[bytes.length - 1] as number) ^ 0xff; // break the MD5 checksum
  return [
    ...aggregatedRecords([
      orderEvent({ orderId: 'o-1', eventTime: at(1) }),
      { nonsense: true },
      inventoryEvent({ sku: 'TOYS-000001', eventTime: at(2) }),
    ]),
    lambdaRecord(bytes),
    ...plainRecords([spanning]),
    lambdaRecord(Buffer.from('{"type":"order",')),
    ...plainRecords([orderEvent({ orderId: 'o-4', eventTime: at(4) })]),
  ];
}

describe('decodeEach', () => {
  it('emits what decodeRecords decodes, with the same dead letters and counts', async () => {
    const records = mixedBatch();
    const eager = decodeRecords(records);
    const read = readRecords(records);
    const tally = createDecodeTally(read, new Set());

    const events = await lastValueFrom(decodeEach(read, new Set(), tally).pipe(toArray()));

    expect(events).toEqual(eager.events);
    expect(events.map((event) => event.sku)).toEqual([
      'ELEC-000001',
      'TOYS-000001',
      'TOYS-000001',
      'FOOD-000001',
      'ELEC-000001',
    ]);
    expect(new Set(tally.deadLetters)).toEqual(new Set(eager.deadLetters));
    expect(tally.deadLetters.map((letter) => letter.step).sort()).toEqual([
      'deaggregate',
      'schema',
      'utf8-json',
    ]);
    expect(tally).toMatchObject({ events: 5, repeatedEvents: 0 });
    expect(read.digests).toEqual(eager.digests);
  });

  it('marks the events of repeated records and leaves out their dead letters', async () => {
    const records = mixedBatch();
    const repeats = new Set([records[0]?.kinesis.sequenceNumber as string]);
    const read = readRecords(records);
    const tally = createDecodeTally(read, repeats);

    const events = await lastValueFrom(decodeEach(read, repeats, tally).pipe(toArray()));

    expect(events.map((event) => event.repeat ?? false)).toEqual([true, true, false, false, false]);
    expect(tally.deadLetters.map((letter) => letter.step).sort()).toEqual(['deaggregate', 'utf8-json']);
    expect(tally).toMatchObject({ events: 5, repeatedEvents: 2 });
  });

  it('parses a record only when its events are taken', async () => {
    const records = plainRecords([orderEvent({ orderId: 'o-1' }), orderEvent({ orderId: 'o-2' })]);
    const read = readRecords(records);
    const tally = createDecodeTally(read, new Set());

    await lastValueFrom(decodeEach(read, new Set(), tally).pipe(take(1)));

    expect(tally.events).toBe(1);
  });
});
