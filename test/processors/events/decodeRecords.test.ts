import { describe, expect, it } from 'vitest';
import { decodeRecords, latestEventTime, readRecords } from '../../../processors/events/decodeRecords';
import { inventoryEvent, orderEvent } from '../../helpers/events';
import { aggregatedRecords, lambdaRecord, plainRecords } from '../../helpers/kinesisRecords';

const events = [
  orderEvent({ orderId: 'o-1' }),
  inventoryEvent({ eventId: 'i-1', onHand: 7 }),
  orderEvent({ orderId: 'o-2', lines: [{ sku: 'TOYS-000001', quantity: 2, unitPrice: 999 }] }),
];

describe('decodeRecords', () => {
  it.each([
    ['plain', plainRecords(events, 'shardId-000000000003')],
    ['KPL-aggregated', aggregatedRecords(events, 64 * 1024, 'shardId-000000000003')],
  ])('decodes %s records to the events with their positions', (_, records) => {
    const { events: decoded, deadLetters } = decodeRecords(records);

    expect(deadLetters).toEqual([]);
    expect(decoded.map((event) => event.event)).toEqual(events);
    expect(decoded.map((event) => event.sku)).toEqual(['ELEC-000001', 'ELEC-000001', 'TOYS-000001']);
    expect(decoded[0]?.eventTime).toBe(Date.parse(events[0]?.eventTime as string));
    expect(decoded.every((event) => event.position.shardId === 'shardId-000000000003')).toBe(true);
    const positions = decoded.map(
      (event) => `${event.position.sequenceNumber}/${event.position.subSequenceNumber}`,
    );
    expect(new Set(positions).size).toBe(3);
  });

  it('decodes an event written other than as JSON.stringify writes it to the same event', () => {
    const stock = inventoryEvent({ location: 'Zürich', delta: -2 });
    const { sku, ...rest } = stock;
    const texts = [
      JSON.stringify(stock),
      JSON.stringify(stock, null, 2),
      JSON.stringify({ sku, ...rest }),
      JSON.stringify(stock).replace('"delta":-2', '"delta":-2.0'),
    ];
    const records = texts.map((text) => lambdaRecord(Buffer.from(text), { partitionKey: sku }));

    const { events: decoded, deadLetters } = decodeRecords(records);

    expect(deadLetters).toEqual([]);
    expect(decoded.map((event) => event.event)).toEqual(texts.map(() => stock));
    expect(new Set(decoded.map((event) => event.eventTime))).toEqual(new Set([Date.parse(stock.eventTime)]));
  });

  it('gives each record the digest of its bytes: the same for a copy, another for anything else', () => {
    const plain = plainRecords([...events, events[0]]);
    const aggregated = aggregatedRecords(events, 64 * 1024);
    const aggregate = Buffer.from(aggregated[0]?.kinesis.data as string, 'base64');

    const { digests } = decodeRecords([...plain, ...aggregated, ...aggregated]);

    expect(digests.map((digest) => digest.sequenceNumber)).toEqual(
      [...plain, ...aggregated, ...aggregated].map((record) => record.kinesis.sequenceNumber),
    );
    const [a, b, c, aAgain, whole, wholeAgain] = digests.map((digest) => digest.digest);
    expect(aAgain).toBe(a);
    expect(new Set([a, b, c, whole]).size).toBe(4);
    expect(wholeAgain).toBe(whole);
    // An aggregate's digest is its own MD5 checksum, not a second hash of 64 KB.
    expect(whole).toBe(aggregate.subarray(aggregate.length - 16).toString('base64url', 0, 8));
  });

  it('splits an order spanning several SKUs into one event per SKU at the same position, each with its units', () => {
    const order = orderEvent({
      lines: [
        { sku: 'A-1', quantity: 1, unitPrice: 100 },
        { sku: 'B-1', quantity: 3, unitPrice: 100 },
        { sku: 'A-1', quantity: 2, unitPrice: 100 },
      ],
    });
    const stock = inventoryEvent({ sku: 'A-1', delta: -4 });
    const { events: decoded } = decodeRecords(plainRecords([order, stock]));
    expect(decoded.map((event) => [event.sku, event.units])).toEqual([
      ['A-1', 3],
      ['B-1', 3],
      ['A-1', 0],
    ]);
    expect(decoded[0]?.position).toEqual(decoded[1]?.position);
  });

  it('turns each failing step into a dead letter and keeps every good event beside it', () => {
    const good = plainRecords([events[0]]);
    const notJson = lambdaRecord(Buffer.from('{"type":"order",'));
    const notUtf8 = lambdaRecord(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]));
    const badSchema = lambdaRecord(
      Buffer.from(JSON.stringify({ ...orderEvent(), lines: [{ sku: 'X', quantity: -1, unitPrice: 1 }] })),
    );
    const corrupt = aggregatedRecords(events)[0];
    const bytes = Buffer.from(corrupt?.kinesis.data as string, 'base64');
    bytes[bytes.length - 1] = (bytes[bytes.length - 1] as number) ^ 0xff; // break the MD5 checksum
    const badChecksum = lambdaRecord(bytes);
    const after = plainRecords([events[2]]);

    const { events: decoded, deadLetters } = decodeRecords([
      ...good,
      notJson,
      notUtf8,
      badSchema,
      badChecksum,
      ...after,
    ]);

    expect(decoded.map((event) => event.event)).toEqual([events[0], events[2]]);
    expect(deadLetters.map((letter) => [letter.step, letter.field])).toEqual([
      ['utf8-json', undefined],
      ['utf8-json', undefined],
      ['schema', 'lines.0.quantity'],
      ['deaggregate', undefined],
    ]);
    expect(deadLetters[3]?.reason).toMatch(/checksum/i);
    expect(deadLetters[1]?.position.sequenceNumber).toBe(notUtf8.kinesis.sequenceNumber);
    expect(Buffer.from(deadLetters[0]?.data as string, 'base64').toString()).toBe('{"type":"order",');
  });

  it('keeps the good user records of an aggregate beside a bad one', () => {
    const records = aggregatedRecords([events[0], { nonsense: true }, events[1]]);
    const { events: decoded, deadLetters } = decodeRecords(records);
    expect(decoded.map((event) => event.event)).toEqual([events[0], events[1]]);
    expect(deadLetters).toHaveLength(1);
    expect(deadLetters[0]?.position.subSequenceNumber).toBe(1);
    expect(deadLetters[0]?.step).toBe('schema');
  });
});

const at = (minute: number) => `2026-03-01T10:${String(minute).padStart(2, '0')}:00.000Z`;

describe('readRecords', () => {
  it("names the SKUs of a batch's events by their user records' partition keys, parsing none", () => {
    const records = [
      ...aggregatedRecords([orderEvent(), inventoryEvent({ sku: 'TOYS-000001' })]),
      ...plainRecords([orderEvent({ lines: [{ sku: 'FOOD-000001', quantity: 1, unitPrice: 1 }] })]),
    ];

    const read = readRecords(records);

    expect(read.partitionKeys).toEqual(new Set(['ELEC-000001', 'TOYS-000001', 'FOOD-000001']));
    expect(read.records.map((record) => record.userRecords.length)).toEqual([2, 1]);
    expect(read.deadLetters).toEqual([]);
  });
});

describe('latestEventTime', () => {
  it("is the event time of the batch's last valid event, past any invalid record after it", () => {
    const records = [
      ...aggregatedRecords([orderEvent({ eventTime: at(7) }), orderEvent({ eventTime: at(5) })]),
      lambdaRecord(Buffer.from('not json')),
    ];

    expect(latestEventTime(readRecords(records))).toBe(Date.parse(at(5)));
    expect(latestEventTime(readRecords([lambdaRecord(Buffer.from('not json'))]))).toBeUndefined();
  });
});
