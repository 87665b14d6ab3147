import { compareSequenceNumbers } from './position';

/**
 * Digests of a shard's newest Kinesis records, by which a record a producer put twice is known.
 * A producer that retries a PutRecords request after a failure it cannot read (a timeout, a
 * dropped connection, a 5xx after the records landed) puts records already in the stream again,
 * byte for byte: the same KPL aggregate, or the same plain event. Kinesis gives the copy a new
 * sequence number, so the positions that make redeliveries harmless do not catch it.
 */
export interface RecentRecords {
  /** Sequence number of the newest record the digests cover; records up to it were seen before. */
  readonly through: string | undefined;
  /** Digests of the newest records, oldest first, at most `recentRecordsKept`. */
  readonly digests: readonly string[];
}

/**
 * How many of a shard's newest records are remembered: 64 digests of 11 characters keep the
 * shard's item under 1 KB, one write unit. A producer's retry follows its first attempt within a
 * request or two of that shard, and an aggregating producer puts at most a few records a second
 * per shard.
 */
export const recentRecordsKept = 64;

export const noRecentRecords: RecentRecords = { through: undefined, digests: [] };

/** A record's sequence number and the digest of its bytes (see `decodeRecords`). */
export interface RecordDigest {
  readonly sequenceNumber: string;
  readonly digest: string;
}

/**
 * Which of a batch's records (in stream order) repeat a record among the shard's newest, or an
 * earlier one of the batch, and the shard's newest records after the batch. A record at or before
 * `recent.through` is a redelivery (a retried batch, a replay), not a repeat: it was judged when
 * first read, and the positions its events left on their SKUs tell whether they were applied.
 * A pure function of the shard's records: a replay judges every record as the first run did.
 */
export function findRepeats(
  records: readonly RecordDigest[],
  recent: RecentRecords,
  kept = recentRecordsKept,
): { repeats: Set<string>; recent: RecentRecords } {
  const repeats = new Set<string>();
  const digests = [...recent.digests];
  const seen = new Set(digests);
  let through = recent.through;
  for (const { sequenceNumber, digest } of records) {
    if (through !== undefined && compareSequenceNumbers(sequenceNumber, through) <= 0) continue;
    through = sequenceNumber;
    if (seen.has(digest)) {
      repeats.add(sequenceNumber);
      continue;
    }
    digests.push(digest);
    seen.add(digest);
    if (digests.length > kept) seen.delete(digests.shift() as string);
  }
  return { repeats, recent: { through, digests } };
}

/**
 * How many of the newest records put under one partition key on a shard are remembered, with the
 * key's SKU (see `findRepeatsByKey`): a producer aggregating per SKU puts a few records a second
 * under a hot SKU, and its retry follows within a request or two.
 */
export const recentRecordsPerKey = 16;

/** The digests of the newest records put under one partition key on one shard. */
export interface KeyRecords {
  readonly shardId: string;
  readonly digests: readonly string[];
}

/** A record's digest (see `RecordDigest`) and the partition key it was put under. */
export interface KeyedDigest extends RecordDigest {
  readonly partitionKey: string;
}

/**
 * `findRepeats` for lanes. With a parallelization factor above 1 a shard's records are split
 * between concurrent batches by partition key, so no batch sees the shard's newest records, but
 * each sees every record of its keys, in order. Here each key is judged on its own: against the
 * newest records put under it on this shard (`recentOf(key).records`), records at or before
 * `recentOf(key).through` being redeliveries. Returns the repeats and, for each key of the batch,
 * its newest records after it.
 */
export function findRepeatsByKey(
  records: readonly KeyedDigest[],
  shardId: string,
  recentOf: (partitionKey: string) => {
    readonly records?: KeyRecords | undefined;
    readonly through?: string;
  },
): { repeats: Set<string>; recent: Map<string, KeyRecords> } {
  const byKey = new Map<string, KeyedDigest[]>();
  for (const record of records) {
    const keyRecords = byKey.get(record.partitionKey) ?? [];
    byKey.set(record.partitionKey, keyRecords);
    keyRecords.push(record);
  }
  const repeats = new Set<string>();
  const recent = new Map<string, KeyRecords>();
  for (const [key, keyRecords] of byKey) {
    const known = recentOf(key);
    const digests = known.records?.shardId === shardId ? known.records.digests : [];
    const judged = findRepeats(keyRecords, { through: known.through, digests }, recentRecordsPerKey);
    for (const sequenceNumber of judged.repeats) repeats.add(sequenceNumber);
    recent.set(key, { shardId, digests: judged.recent.digests });
  }
  return { repeats, recent };
}

/** The newest records of a shard's parents, for a child's first batch: a retry may cross a reshard. */
export function inheritedRecords(parents: readonly RecentRecords[]): RecentRecords {
  const digests = [...new Set(parents.flatMap((parent) => parent.digests))];
  return { through: undefined, digests: digests.slice(-recentRecordsKept) };
}
