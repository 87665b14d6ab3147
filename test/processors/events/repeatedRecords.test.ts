import { describe, expect, it } from 'vitest';
import {
  findRepeats,
  inheritedRecords,
  noRecentRecords,
  recentRecordsKept,
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
