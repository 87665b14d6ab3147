import type { DeadLetter } from '../../processors/events/decodedEvent';
import type { KeyRecords, RecentRecords } from '../../processors/events/repeatedRecords';
import type { CoreState } from '../../processors/pipeline/priceSkus';
import type { CoreOutput } from '../../processors/window/outputs';
import type { StoredSku } from './StateStore';

/** The metrics the consumer reports; Powertools' Metrics fits, and so does a local counter. */
export interface ConsumerMetrics {
  addMetric(name: string, unit: 'Count' | 'Milliseconds', value: number): void;
}

/** SKUs due for a sweep, and whether they are all of them (none left out by the limit). */
export interface DueSkus {
  readonly skus: readonly string[];
  readonly complete: boolean;
}

/** What a batch produced, as it moves through the consumer's stages. */
export interface Batch {
  readonly shardId: string;
  readonly state: CoreState;
  readonly loaded: Map<string, StoredSku>;
  readonly outputs: CoreOutput[];
  /** Kinesis records in the batch (an aggregated record holds many events). */
  readonly records: number;
  readonly events: number;
  /** Records a producer put again, and the shard's newest records after this batch, to store. */
  readonly repeatedRecords: number;
  readonly recent: RecentRecords | undefined;
  /** With `repeats: 'key'`: the newest records of each partition key the batch read, to store with its SKU. */
  readonly keyRecent: ReadonlyMap<string, KeyRecords>;
  readonly deadLetters: readonly DeadLetter[];
  readonly cacheBehind: boolean;
  readonly oldestArrival: number;
  /** Wall-clock ms the batch was handed to the handler, for the stage metrics. */
  readonly startedAt: number;
  /** The due-index query sent with the batch's reads, for the tick it was sent for (see DueSweep.early). */
  readonly early: { readonly upTo: number; readonly due: Promise<DueSkus> } | undefined;
  /** The tick through which this batch leaves no SKU of the shard due, once stored; see WarmSkus. */
  readonly sweptThrough?: number | undefined;
  /** The SKUs its sweep brought up to the clock (no event of the batch touched them). */
  readonly swept?: ReadonlySet<string>;
}
