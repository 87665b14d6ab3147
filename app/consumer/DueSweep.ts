import type { PricingConfig } from '../../processors/config/pricingConfig';
import { sweepSkus } from '../../processors/pipeline/priceSkus';
import { firstTickAfter } from '../../processors/window/watermark';
import { planWindows } from '../../processors/window/windowPlan';
import type { ParentShards } from './ParentShards';
import type { StateStore, StoredSku } from './StateStore';
import type { Batch, ConsumerMetrics, DueSkus } from './types';
import type { WarmSkus } from './WarmSkus';

export interface DueSweepDeps {
  readonly config: PricingConfig;
  readonly states: StateStore;
  readonly parents: ParentShards;
  readonly metrics: ConsumerMetrics;
  readonly warm: WarmSkus | undefined;
  /** Idle SKUs brought up to the clock per batch (see ConsumerDeps.sweepLimit). */
  readonly limit: number;
  /** The stored records of these SKUs, as the handler reads them (those its container holds, the rest from DynamoDB). */
  readonly loadSkus: (
    shardId: string,
    skus: readonly string[],
  ) => Promise<{ loaded: Map<string, StoredSku> }>;
}

/**
 * Brings a shard's idle SKUs up to its clock: after pricing a batch, the SKUs the due index lists
 * as due by the last tick the batch fired, that no event of the batch touched, are read and swept
 * (`sweepSkus`), so their prices decay when they stop selling. With a lineage, the idle SKUs a
 * parent shard left that hash into the shard are swept too.
 */
export class DueSweep {
  private readonly interval: number;

  constructor(private readonly deps: DueSweepDeps) {
    this.interval = planWindows(deps.config).intervalMs;
  }

  /**
   * Sends the sweep's due-index query with the batch's reads instead of after pricing, so the
   * batch that fires a tick waits one round trip less, for the tick that `newest`, an event time
   * of the batch (its last event's, see `latestEventTime`), takes the shard's clock to. The clock
   * cannot end before that tick (nor before the tick last swept); should it end past it (a newer
   * event earlier in the batch, a stored clock ahead of these events), the sweep queries again.
   * Undefined when nothing is to be queried: no events, or no tick since the last sweep.
   */
  early(shardId: string, newest: number | undefined): Batch['early'] {
    if (newest === undefined) return undefined;
    const swept = this.deps.warm?.sweptThrough(shardId);
    const upTo = Math.max(
      firstTickAfter(newest - this.deps.config.allowedLateness, this.interval) - this.interval,
      swept ?? Number.NEGATIVE_INFINITY,
    );
    if (upTo === swept) return undefined;
    const due = this.queryDue(shardId, upTo);
    due.catch(() => {}); // awaited by the sweep if it is for the right tick, else not needed
    return { upTo, due };
  }

  /** The batch with the outputs of the SKUs it swept, and the tick through which it swept them all. */
  async sweep(batch: Batch): Promise<Batch> {
    const { state, shardId } = batch;
    if (Number.isNaN(state.watermark.nextTick)) return batch;
    const upTo = state.watermark.nextTick - this.interval;
    // No tick since this container's last complete sweep: the index holds nothing due for the shard.
    if (this.deps.warm?.sweptThrough(shardId) === upTo) return { ...batch, sweptThrough: upTo };
    const found = batch.early?.upTo === upTo ? await batch.early.due : await this.queryDue(shardId, upTo);
    const sweptThrough = found.complete ? upTo : undefined;
    const due = found.skus.filter((sku) => !state.skus.has(sku) && !batch.loaded.has(sku));
    if (due.length === 0) return { ...batch, sweptThrough };
    const { loaded } = await this.deps.loadSkus(shardId, due);
    for (const [sku, stored] of loaded) batch.loaded.set(sku, stored);
    const outputs = sweepSkus(this.deps.config, state, due, (sku) => loaded.get(sku)?.record);
    this.deps.metrics.addMetric('SkusSwept', 'Count', due.length);
    return { ...batch, outputs: [...batch.outputs, ...outputs], sweptThrough, swept: new Set(due) };
  }

  /** The shard's SKUs due at or before `upTo`, with those its parents left it after a reshard. */
  private async queryDue(shardId: string, upTo: number): Promise<DueSkus> {
    const { limit } = this.deps;
    const [own, inherited] = await Promise.all([
      this.deps.states.dueSkus(shardId, upTo, limit),
      this.deps.parents.due(shardId, upTo, limit),
    ]);
    this.deps.metrics.addMetric('DueIndexQueries', 'Count', 1);
    return {
      skus: [...new Set([...own, ...inherited.skus])],
      complete: own.length < limit && inherited.complete,
    };
  }
}
