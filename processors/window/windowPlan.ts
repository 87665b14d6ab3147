import type { PricingConfig } from '../config/pricingConfig';

/**
 * One window's geometry. Its pane is gcd(size, slide), so the window is a whole number of panes
 * and every window end falls on a pane boundary; its ring holds `capacity` panes: enough to reach
 * from the oldest pane a tick may still subtract to the newest pane an on-time event may fill
 * (size + slide + pricing interval + allowed lateness).
 */
export interface WindowGeometry {
  readonly sizeMs: number;
  readonly slideMs: number;
  readonly paneMs: number;
  readonly sizePanes: number;
  readonly capacity: number;
}

/** The geometry every SKU of a partition shares, derived once from the config. */
export interface WindowPlan {
  readonly intervalMs: number;
  readonly allowedLatenessMs: number;
  readonly short: WindowGeometry;
  readonly long: WindowGeometry;
}

export function planWindows(config: PricingConfig): WindowPlan {
  const intervalMs = config.interval ?? config.windows.short.slide;
  const geometry = ({ size, slide }: { size: number; slide: number }): WindowGeometry => {
    const paneMs = gcd(size, slide);
    return {
      sizeMs: size,
      slideMs: slide,
      paneMs,
      sizePanes: size / paneMs,
      capacity: Math.ceil((size + slide + intervalMs + config.allowedLateness) / paneMs) + 2,
    };
  };
  return {
    intervalMs,
    allowedLatenessMs: config.allowedLateness,
    short: geometry(config.windows.short),
    long: geometry(config.windows.long),
  };
}

function gcd(a: number, b: number): number {
  let x = a;
  let y = b;
  while (y !== 0) [x, y] = [y, x % y];
  return x;
}
