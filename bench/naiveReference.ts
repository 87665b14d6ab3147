/**
 * The naive RxJS reference the core is measured against: groupBy SKU, and per SKU a list of the
 * events still inside the longest window (what bufferTime/windowTime-style operators keep),
 * summed afresh at every pricing tick. Same ticks, same statistics, same pricing function as the
 * core, so its prices must match; only the window representation differs (O(events) memory and
 * O(events in window) per tick, against O(panes)).
 */
import { filter, groupBy, map, mergeMap, type OperatorFunction, pipe, scan } from 'rxjs';
import { type PricingConfig, ruleFor } from '../processors/config/pricingConfig';
import type { DecodedEvent } from '../processors/events/decodedEvent';
import { decidePrice, initialPriceState, type PriceState } from '../processors/pricing/decidePrice';
import type { CoreOutput } from '../processors/window/outputs';
import { applyInventory } from '../processors/window/stockLevel';
import { planWindows, type WindowGeometry, type WindowPlan } from '../processors/window/windowPlan';
import { windowStats } from '../processors/window/windowStats';
import { type SkuMessage, stampWatermark } from './stampWatermark';

interface NaiveState {
  readonly sku: string;
  /** Each event still inside a window, with the units it took out of stock when it was applied. */
  events: { readonly decoded: DecodedEvent; readonly depleted: number }[];
  basePrice: number | undefined;
  firstEventTime: number;
  onHand: number | undefined;
  onHandTime: number;
  price: PriceState;
  output: CoreOutput | undefined;
}

function sumWindow(state: NaiveState, window: WindowGeometry, at: number) {
  const end = Math.floor(at / window.slideMs) * window.slideMs;
  const from = end - window.sizeMs;
  let units = 0;
  let orders = 0;
  let depleted = 0;
  for (const { decoded, depleted: taken } of state.events) {
    if (decoded.eventTime < from || decoded.eventTime >= end) continue;
    const { event } = decoded;
    if (event.type === 'order') {
      for (const line of event.lines) units += line.quantity;
      orders += 1;
    }
    depleted += taken;
  }
  const spanMs = Math.max(1000, Math.min(window.sizeMs, end - state.firstEventTime));
  return { units, orders, depleted, spanMs, from };
}

function step(state: NaiveState, message: SkuMessage, config: PricingConfig, plan: WindowPlan): NaiveState {
  state.output = undefined;
  if (message.kind === 'event') {
    const { event, eventTime } = message.event;
    state.firstEventTime = Math.min(state.firstEventTime, eventTime);
    if (event.type === 'order') {
      state.basePrice ??= event.lines[0]?.unitPrice;
      state.events.push({ decoded: message.event, depleted: 0 });
    } else {
      state.events.push({ decoded: message.event, depleted: applyInventory(state, event, eventTime) });
    }
  } else if (message.kind === 'tick' && state.basePrice !== undefined) {
    const short = sumWindow(state, plan.short, message.at);
    const long = sumWindow(state, plan.long, message.at);
    state.events = state.events.filter(({ decoded }) => decoded.eventTime >= Math.min(short.from, long.from));
    const stats = windowStats(short, long, state.onHand);
    const decision = decidePrice(ruleFor(config, state.sku), state.basePrice, stats, state.price, message.at);
    state.price = decision.state;
    if (decision.changed) {
      state.output = {
        kind: 'price',
        sku: state.sku,
        price: decision.price,
        previousPrice: decision.previousPrice,
        asOf: message.at,
        reason: decision.reason,
        limitedBy: decision.limitedBy,
        demandFactor: decision.demandFactor,
        inventoryFactor: decision.inventoryFactor,
        stats,
      };
    }
  }
  return state;
}

export function naivePriceSkus(config: PricingConfig): OperatorFunction<DecodedEvent, CoreOutput> {
  const plan = planWindows(config);
  return pipe(
    stampWatermark(plan),
    groupBy((message) => message.sku, {
      duration: (group) => group.pipe(filter((message) => message.kind === 'evict')),
    }),
    mergeMap((group) =>
      group.pipe(
        scan((state, message) => step(state, message, config, plan), {
          sku: group.key,
          events: [],
          basePrice: ruleFor(config, group.key).basePrice,
          firstEventTime: Number.POSITIVE_INFINITY,
          onHand: undefined,
          onHandTime: Number.NEGATIVE_INFINITY,
          price: initialPriceState,
          output: undefined,
        } as NaiveState),
        map((state) => state.output),
        filter((output): output is CoreOutput => output !== undefined),
      ),
    ),
  );
}
