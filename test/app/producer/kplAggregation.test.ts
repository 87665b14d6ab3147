import aggregation from 'aws-kinesis-agg';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ShardAggregator } from '../../../app/producer/kplAggregation';
import { userRecordsOf } from '../../../processors/events/kplRecords';

const checksumAndMagic = 16 + 4;

/** Every aggregate the records make, the last one flushed. */
function aggregateAll(
  records: readonly { partitionKey: string; data: Buffer }[],
  limitBytes: number,
): Buffer[] {
  const aggregator = new ShardAggregator(limitBytes);
  const aggregates = records.flatMap((record) => aggregator.add(record) ?? []);
  const last = aggregator.flush();
  return last === undefined ? aggregates : [...aggregates, last];
}

/** Keys a plain object would reorder (integer-like) or drop (`__proto__`), among SKU-like ones. */
const partitionKey = fc.oneof(
  fc.constantFrom('__proto__', 'constructor', '0', '7', '10023', '4294967294', 'ELEC-000001', 'HOME-000002'),
  fc.stringMatching(/^[A-Za-z0-9._:-]{1,12}$/),
);
const userRecord = fc.record({
  partitionKey,
  data: fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes)),
});

describe('ShardAggregator', () => {
  it('keeps every record under its own partition key, in order, across aggregates', () => {
    fc.assert(
      fc.property(
        fc.array(userRecord, { minLength: 1, maxLength: 80 }),
        fc.integer({ min: 300, max: 4000 }),
        (records, limit) => {
          const decoded = aggregateAll(records, limit).flatMap((bytes) => userRecordsOf(bytes, 'outer-key'));

          expect(decoded.map((user) => user.partitionKey)).toEqual(
            records.map((record) => record.partitionKey),
          );
          expect(decoded.map((user) => Buffer.from(user.data))).toEqual(records.map((record) => record.data));
        },
      ),
    );
  });

  it('keeps each protobuf body within the limit, and fills it', () => {
    fc.assert(
      fc.property(fc.array(userRecord, { minLength: 50, maxLength: 200 }), (records) => {
        const limit = 2000;
        const bodies = aggregateAll(records, limit).map((bytes) => bytes.length - checksumAndMagic);

        for (const body of bodies) expect(body).toBeLessThanOrEqual(limit);
        // A record adds at most ~260 bytes here, so every aggregate but the last was nearly full.
        for (const body of bodies.slice(0, -1)) expect(body).toBeGreaterThan(limit - 260);
      }),
    );
  });

  it("is read back by aws-kinesis-agg's own de-aggregation, checksums checked", () => {
    const records = [
      { partitionKey: 'ELEC-000001', data: Buffer.from('{"a":1}') },
      { partitionKey: '10023', data: Buffer.from('{"b":2}') },
      { partitionKey: 'ELEC-000001', data: Buffer.from('{"c":3}') },
    ];
    const [bytes] = aggregateAll(records, 4096);
    let users: { partitionKey: string; data: string }[] = [];
    aggregation.deaggregateSync(
      {
        kinesisSchemaVersion: '1.0',
        partitionKey: 'outer',
        sequenceNumber: '1',
        data: (bytes as Buffer).toString('base64'),
        approximateArrivalTimestamp: 0,
      },
      true,
      (error, found) => {
        expect(error).toBeFalsy();
        users = found ?? [];
      },
    );

    expect(users.map((user) => [user.partitionKey, Buffer.from(user.data, 'base64').toString()])).toEqual(
      records.map((record) => [record.partitionKey, record.data.toString()]),
    );
  });

  it('refuses a limit above what one aggregated record can hold', () => {
    expect(() => new ShardAggregator(1024 * 1024)).toThrow(RangeError);
  });
});
