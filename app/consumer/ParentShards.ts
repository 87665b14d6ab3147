import {
  inheritedRecords,
  noRecentRecords,
  type RecentRecords,
} from '../../processors/events/repeatedRecords';
import type { ShardLineage } from '../stream/ShardLineage';
import { hashKeyOf } from '../stream/shardMap';
import type { ShardClock, StateStore } from './StateStore';
import type { DueSkus } from './types';

/**
 * What a shard takes over from the shards it came from after a reshard (a merge has two parents):
 * their clock and newest records' digests when it starts, and the idle SKUs they left due that
 * now hash into it. Without a lineage, a shard has no parents.
 */
export class ParentShards {
  constructor(
    private readonly states: StateStore,
    private readonly lineage: ShardLineage | undefined,
  ) {}

  /**
   * The latest of the parents' clocks, so the shard's watermark goes on from theirs (started
   * afresh, it would take events the parents had already passed as on time for the first
   * `allowedLateness` of event time); and their newest records' digests, since a producer's retry
   * can cross the reshard.
   */
  async inherited(shardId: string): Promise<{ clock: ShardClock; recent: RecentRecords }> {
    const family = await this.lineage?.familyOf(shardId);
    if (family === undefined || family.parents.length === 0) return { clock: {}, recent: noRecentRecords };
    const parents = await Promise.all(family.parents.map((parent) => this.states.loadShard(parent)));
    const latest = (times: (number | undefined)[]) => {
      const known = times.filter((time): time is number => typeof time === 'number'); // null: no tick yet
      return known.length === 0 ? undefined : Math.max(...known);
    };
    return {
      clock: {
        maxEventTime: latest(parents.map(({ clock }) => clock.maxEventTime)),
        nextTick: latest(parents.map(({ clock }) => clock.nextTick)),
      },
      recent: inheritedRecords(parents.map(({ recent }) => recent)),
    };
  }

  /**
   * The SKUs due at or before `upTo` that a parent left behind and that now hash into this shard,
   * and whether they are all of them (every parent had fewer than `limit` due).
   */
  async due(shardId: string, upTo: number, limit: number): Promise<DueSkus> {
    const family = await this.lineage?.familyOf(shardId);
    if (family === undefined || family.parents.length === 0) return { skus: [], complete: true };
    const pages = await Promise.all(family.parents.map((parent) => this.states.dueSkus(parent, upTo, limit)));
    const skus = pages.flat().filter((sku) => {
      const hash = hashKeyOf(sku);
      return hash >= family.startingHashKey && hash <= family.endingHashKey;
    });
    return { skus, complete: pages.every((page) => page.length < limit) };
  }
}
