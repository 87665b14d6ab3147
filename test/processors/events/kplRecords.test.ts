import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ShardAggregator } from '../../../app/producer/kplAggregation';
import { userRecordsOf } from '../../../processors/events/kplRecords';

/** aws-kinesis-agg's own protobuf type, to write aggregates the producer never makes (tags, hash keys). */
const { AggregatedRecord, magic } = createRequire(import.meta.url)('aws-kinesis-agg/lib/common.js') as {
  AggregatedRecord: { encode(message: object): { finish(): Uint8Array } };
  magic: Buffer;
};

/** An aggregated record around a protobuf body: magic number, body, MD5 of the body. */
function aggregate(body: Uint8Array): Buffer {
  return Buffer.concat([magic, body, createHash('md5').update(body).digest()]);
}

const userRecord = fc.record({
  partitionKey: fc.string({ minLength: 1, maxLength: 24, unit: 'grapheme' }),
  data: fc.uint8Array({ maxLength: 300 }).map((bytes) => Buffer.from(bytes)),
});

describe('userRecordsOf', () => {
  it('gives back what the producer aggregated: keys, bytes and order', () => {
    fc.assert(
      fc.property(fc.array(userRecord, { minLength: 1, maxLength: 60 }), (records) => {
        const aggregator = new ShardAggregator(1024 * 1024 - 20);
        for (const record of records) expect(aggregator.add(record)).toBeUndefined();
        const bytes = aggregator.flush() as Buffer;

        const users = userRecordsOf(bytes, 'outer-key');

        expect(users.map((user) => user.partitionKey)).toEqual(records.map((record) => record.partitionKey));
        expect(users.map((user) => Buffer.from(user.data))).toEqual(records.map((record) => record.data));
        expect(users.map((user) => user.subSequenceNumber)).toEqual(records.map((_, index) => index));
      }),
    );
  });

  it('passes a record that is not an aggregate through as itself', () => {
    const bytes = Buffer.from('{"type":"order"}');
    expect(userRecordsOf(bytes, 'ELEC-1')).toEqual([
      { partitionKey: 'ELEC-1', data: bytes, subSequenceNumber: 0 },
    ]);
  });

  it('skips explicit hash keys, tags and fields it does not know', () => {
    const body = AggregatedRecord.encode({
      partition_key_table: ['A-1', 'B-2'],
      explicit_hash_key_table: ['340282366920938463463374607431768211455'],
      records: [
        {
          partition_key_index: 1,
          explicit_hash_key_index: 0,
          data: Buffer.from('one'),
          tags: [{ key: 'k', value: 'v' }],
        },
        { partition_key_index: 0, data: Buffer.from('two') },
      ],
    }).finish();
    // An unknown field 7 (a 64-bit value) after the message's own fields.
    const extended = Buffer.concat([body, Buffer.from([0x39, 1, 2, 3, 4, 5, 6, 7, 8])]);

    const users = userRecordsOf(aggregate(extended), 'outer-key');

    expect(users.map((user) => [user.partitionKey, Buffer.from(user.data).toString()])).toEqual([
      ['B-2', 'one'],
      ['A-1', 'two'],
    ]);
  });

  it('falls back to the Kinesis partition key when an index is outside the key table', () => {
    const body = AggregatedRecord.encode({
      partition_key_table: ['A-1'],
      records: [{ partition_key_index: 5, data: Buffer.from('x') }],
    }).finish();
    expect(userRecordsOf(aggregate(body), 'outer-key')[0]?.partitionKey).toBe('outer-key');
  });

  it.each([
    ['a key table entry running past the end', Buffer.from([0x0a, 0x05, 0x41]), /no user records/],
    ['a varint running past the end', Buffer.from([0x1a, 0x80]), /out of range/],
    [
      'a user record without data',
      Buffer.from([0x0a, 0x01, 0x41, 0x1a, 0x02, 0x08, 0x00]),
      /missing required 'data'/,
    ],
    ['a user record without a key index', Buffer.from([0x1a, 0x03, 0x1a, 0x01, 0x78]), /partition_key_index/],
  ])('refuses an aggregate with %s, its checksum intact', (_, body, message) => {
    expect(() => userRecordsOf(aggregate(body), 'outer-key')).toThrow(message);
  });

  it('refuses an aggregate whose checksum does not match its body', () => {
    const bytes = aggregate(Buffer.from([0x0a, 0x01, 0x41]));
    bytes[bytes.length - 1] = (bytes[bytes.length - 1] as number) ^ 0xff;
    expect(() => userRecordsOf(bytes, 'outer-key')).toThrow(/checksum/);
  });
});
