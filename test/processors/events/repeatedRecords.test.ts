import { describe, expect, it } from 'vitest';
import {
  findRepeats,
  findRepeatsByKey,
  inheritedRecords,
  noRecentRecords,
  recentRecordsKept,
  recentRecordsPerKey,
} from '../../../processors/events/repeatedRecords';

/** Records with sequence numbers 101, 102, … and the given digests. */
const records = (digests: readonly string[], from = 101) =>
  digests.map((digest, index) => ({ sequenceNumber: String(from + index), digest }));

describe('findRepeats', () => {
  it("takes a record whose bytes match one of the shard's newest, or an earlier one of the batch, for a repeat", () => {
    const first = findRepeats(records(['a', 'b', 'c']), noRecentRecords);
    const second = findRepeats(records(['b', 'd', 'd'], 104), first.recent);

    expect(first.repeats).toEqual(new Set());
    expect(second.repeats).toEqual(new Set(['104', '106']));
    expect(second.recent).toEqual({ through: '106', digests: ['a', 'b', 'c', 'd'] });
  });

  it('judges a redelivered record (at or before the newest seen) by its position, never as a repeat of itself', () => {
    const first = findRepeats(records(['a', 'b', 'c']), noRecentRecords);

    const redelivered = findRepeats(records(['b', 'c', 'e']), first.recent);

    expect(redelivered.repeats).toEqual(new Set());
    expect(redelivered.recent).toEqual({ through: '103', digests: ['a', 'b', 'c'] });
  });

  it(`remembers the newest ${recentRecordsKept} records of the shard and no more`, () => {
    const many = Array.from({ length: recentRecordsKept + 1 }, (_, index) => `d${index}`);
    const { recent } = findRepeats(records(many), noRecentRecords);

    // d0, the oldest, has been let go; d1 is still remembered.
    const copies = findRepeats(records(['d1', 'd0'], 1000), recent);

    expect(recent.digests).toHaveLength(recentRecordsKept);
    expect(copies.repeats).toEqual(new Set(['1000']));
  });

  it("gives a new shard its parents' newest records, so a retry that crosses a reshard is still a repeat", () => {
    const left = findRepeats(records(['a', 'b']), noRecentRecords).recent;
    const right = findRepeats(records(['c', 'b']), noRecentRecords).recent;

    const child = inheritedRecords([left, right]);
    const { repeats } = findRepeats(records(['c', 'e'], 5), child);

    expect(child).toEqual({ through: undefined, digests: ['a', 'b', 'c'] });
    expect(repeats).toEqual(new Set(['5']));
  });
});

describe('findRepeatsByKey', () => {
  /** Records 101, 102, … each put under a key: [key, digest]. */
  const keyed = (entries: readonly [string, string][], from = 101) =>
    entries.map(([partitionKey, digest], index) => ({
      sequenceNumber: String(from + index),
      digest,
      partitionKey,
    }));

  it("judges each partition key's records against that key's newest alone, as a lane sees them", () => {
    const first = findRepeatsByKey(
      keyed([
        ['A', 'a1'],
        ['B', 'b1'],
        ['A', 'a2'],
      ]),
      'shard-1',
      () => ({}),
    );
    const known = (key: string) => ({ records: first.recent.get(key), through: key === 'A' ? '103' : '102' });

    // A copy of A's first record is a repeat; B putting bytes A put is not, nor is B's redelivery.
    const second = findRepeatsByKey(
      keyed(
        [
          ['A', 'a1'],
          ['B', 'a2'],
          ['A', 'a3'],
        ],
        104,
      ),
      'shard-1',
      known,
    );
    const redelivered = findRepeatsByKey(keyed([['B', 'b1']], 102), 'shard-1', known);

    expect(first.repeats).toEqual(new Set());
    expect(first.recent).toEqual(
      new Map([
        ['A', { shardId: 'shard-1', digests: ['a1', 'a2'] }],
        ['B', { shardId: 'shard-1', digests: ['b1'] }],
      ]),
    );
    expect(second.repeats).toEqual(new Set(['104']));
    expect(second.recent.get('A')).toEqual({ shardId: 'shard-1', digests: ['a1', 'a2', 'a3'] });
    expect(redelivered.repeats).toEqual(new Set());
  });

  it(`keeps the newest ${recentRecordsPerKey} records of a key, and none of another shard's`, () => {
    const many = Array.from({ length: recentRecordsPerKey + 1 }, (_, index): [string, string] => [
      'A',
      `a${index}`,
    ]);
    const { recent } = findRepeatsByKey(keyed(many), 'shard-1', () => ({}));

    const copies = findRepeatsByKey(
      keyed(
        [
          ['A', 'a1'],
          ['A', 'a0'],
        ],
        1000,
      ),
      'shard-1',
      () => ({
        records: recent.get('A'),
      }),
    );
    const onChild = findRepeatsByKey(keyed([['A', 'a1']], 1000), 'shard-2', () => ({
      records: recent.get('A'),
    }));

    expect(recent.get('A')?.digests).toHaveLength(recentRecordsPerKey);
    expect(copies.repeats).toEqual(new Set(['1000']));
    expect(onChild.repeats).toEqual(new Set());
    expect(onChild.recent.get('A')).toEqual({ shardId: 'shard-2', digests: ['a1'] });
  });
});
