import { describe, expect, it } from 'vitest';
import { durationSchema } from '../../../processors/config/duration';

describe('durationSchema', () => {
  it('reads whole numbers with a unit, and plain milliseconds', () => {
    expect(['500ms', '30s', '5m', '1h', '2d', 250].map((text) => durationSchema.parse(text))).toEqual([
      500, 30_000, 300_000, 3_600_000, 172_800_000, 250,
    ]);
  });

  it('refuses fractions, missing units and negative numbers', () => {
    for (const bad of ['1.5m', '30', 'm', -1, '5 m'])
      expect(durationSchema.safeParse(bad).success).toBe(false);
  });
});
