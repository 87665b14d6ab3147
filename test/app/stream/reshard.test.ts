import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { describe, expect, it } from 'vitest';
import { nextReshardStep, type ReshardStep, reshard } from '../../../app/stream/reshard';
import type { OpenShard } from '../../../app/stream/shardMap';

const keySpace = 2n ** 128n;
let nextId = 0;
const shard = (startingHashKey: bigint, endingHashKey: bigint): OpenShard => ({
  shardId: `shardId-${String(nextId++).padStart(12, '0')}`,
  startingHashKey,
  endingHashKey,
  explicitHashKey: String(startingHashKey),
});

/** The open shards after a step, as Kinesis leaves them. */
function apply(open: readonly OpenShard[], step: ReshardStep): OpenShard[] {
  if (step.kind === 'split') {
    const { shard: parent, at } = step;
    return [
      ...open.filter((each) => each !== parent),
      shard(parent.startingHashKey, at - 1n),
      shard(at, parent.endingHashKey),
    ];
  }
  const [low, high] = step.shards;
  return [
    ...open.filter((each) => each !== low && each !== high),
    shard(low.startingHashKey, high.endingHashKey),
  ];
}

/** Runs the steps to the target; returns the open shards' widths in hash order, and the steps taken. */
function reshardTo(open: OpenShard[], target: number) {
  let shards = open;
  let steps = 0;
  for (
    let step = nextReshardStep(shards, target);
    step !== undefined;
    step = nextReshardStep(shards, target)
  ) {
    shards = apply(shards, step);
    steps += 1;
  }
  const sorted = shards.sort((a, b) => (a.startingHashKey < b.startingHashKey ? -1 : 1));
  sorted.forEach((each, index) => {
    if (index > 0) expect(each.startingHashKey).toBe((sorted[index - 1] as OpenShard).endingHashKey + 1n);
  });
  expect(sorted[0]?.startingHashKey).toBe(0n);
  expect(sorted.at(-1)?.endingHashKey).toBe(keySpace - 1n);
  return {
    widths: sorted.map((each) => each.endingHashKey - each.startingHashKey + 1n),
    steps,
    shards: sorted,
  };
}

describe('nextReshardStep', () => {
  it('splits one shard into even quarters in three steps, and merges them back into halves in two', () => {
    const four = reshardTo([shard(0n, keySpace - 1n)], 4);
    expect(four.steps).toBe(3);
    expect(four.widths).toEqual([1n, 1n, 1n, 1n].map(() => keySpace / 4n));

    const two = reshardTo(four.shards, 2);
    expect(two.steps).toBe(2);
    expect(two.widths).toEqual([keySpace / 2n, keySpace / 2n]);
  });

  it('splits the widest shard first, so a count between powers of two leaves no shard over twice another', () => {
    const { widths } = reshardTo([shard(0n, keySpace - 1n)], 6);
    expect(widths).toHaveLength(6);
    const [narrowest, widest] = [
      widths.reduce((a, b) => (a < b ? a : b)),
      widths.reduce((a, b) => (a > b ? a : b)),
    ];
    expect(widest).toBeLessThanOrEqual(2n * narrowest);
    expect(reshardTo([shard(0n, keySpace - 1n)], 1).steps).toBe(0);
  });

  it('merges only adjacent shards, the narrowest pair first', () => {
    const half = keySpace / 2n;
    const quarter = keySpace / 4n;
    const open = [
      shard(0n, half - 1n),
      shard(half, half + quarter - 1n),
      shard(half + quarter, keySpace - 1n),
    ];
    const step = nextReshardStep(open, 2);
    expect(step?.kind).toBe('merge');
    expect(step?.kind === 'merge' && step.shards.map((each) => each.startingHashKey)).toEqual([
      half,
      half + quarter,
    ]);
    expect(nextReshardStep(open, 3)).toBeUndefined();
  });
});

describe('reshard', () => {
  it('refuses an on-demand stream before asking for any split or merge', async () => {
    const sent: string[] = [];
    // One function's error path: the emulators make provisioned streams only.
    const kinesis = {
      send: async (command: object) => {
        sent.push(command.constructor.name);
        return { StreamDescriptionSummary: { StreamModeDetails: { StreamMode: 'ON_DEMAND' } } };
      },
    } as unknown as KinesisClient;

    await expect(reshard(kinesis, 'orders', 4)).rejects.toThrow(
      'orders is an on-demand stream: Kinesis scales its shards itself',
    );
    expect(sent).toEqual(['DescribeStreamSummaryCommand']);
  });
});
