import type { PricingConfig } from '../config/pricingConfig';

/** One window's geometry in panes. */
export interface WindowGeometry {
  readonly sizeMs: number;
  readonly slideMs: number;
  readonly sizePanes: number;
}

/**
 * The geometry every SKU shares, derived once from the config: the pane (gcd of every size, slide
 * and the pricing interval), each window in panes, and the ring capacity. The ring must reach from
 * the oldest pane the long window may still subtract to the newest pane an event may fill:
 * long size + long slide + interval + allowed lateness.
 */
export interface WindowPlan {
  readonly paneMs: number;
  readonly intervalMs: number;
  readonly allowedLatenessMs: number;
  readonly short: WindowGeometry;
  readonly long: WindowGeometry;
  readonly capacity: number;
}

export function planWindows(config: PricingConfig): WindowPlan {
  const { short, long } = config.windows;
  const intervalMs = config.interval ?? short.slide;
  const paneMs = [short.size, short.slide, long.size, long.slide, intervalMs].reduce(gcd);
  const geometry = (window: { size: number; slide: number }): WindowGeometry => ({
    sizeMs: window.size,
    slideMs: window.slide,
    sizePanes: window.size / paneMs,
  });
  const span = long.size + long.slide + intervalMs + config.allowedLateness;
  return {
    paneMs,
    intervalMs,
    allowedLatenessMs: config.allowedLateness,
    short: geometry(short),
    long: geometry(long),
    capacity: Math.ceil(span / paneMs) + 2,
  };
}

function gcd(a: number, b: number): number {
  let x = a;
  let y = b;
  while (y !== 0) [x, y] = [y, x % y];
  return x;
}
