import { z } from 'zod';

const units = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const pattern = /^(\d+)(ms|s|m|h|d)$/;

/**
 * A duration in config or flags: a whole number with a unit (`500ms`, `30s`, `5m`, `1h`, `2d`)
 * or a number of milliseconds. Parses to whole milliseconds.
 */
export const durationSchema = z.union(
  [
    z.int().nonnegative(),
    z
      .string()
      .regex(pattern)
      .transform((text) => {
        const [, amount, unit] = pattern.exec(text) as unknown as [string, string, keyof typeof units];
        return Number(amount) * units[unit];
      }),
  ],
  { error: 'must be a whole number with a unit: ms, s, m, h or d (such as 30s or 5m), or milliseconds' },
);
