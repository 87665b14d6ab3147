import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError } from '../../app/config/ConfigError';
import { parseBenchFlags } from '../../bench/benchFlags';

const schema = z.object({
  rate: z.coerce.number().positive().default(1000),
  httpBatch: z.coerce.number().int().min(1).default(500),
  path: z.enum(['core', 'raw']).optional(),
});

const failure = (args: string[]): ConfigError => {
  try {
    parseBenchFlags(schema, args);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error(`${args.join(' ')} was accepted`);
};

describe('parseBenchFlags', () => {
  it("gives the schema's defaults for flags not given, and the values of those given", () => {
    expect(parseBenchFlags(schema, [])).toEqual({ rate: 1000, httpBatch: 500 });
    expect(parseBenchFlags(schema, ['--rate', '2.5', '--http-batch', '25', '--path', 'raw'])).toEqual({
      rate: 2.5,
      httpBatch: 25,
      path: 'raw',
    });
  });

  it('refuses a bad value, naming the flag as typed', () => {
    expect(failure(['--rate', 'fast']).message).toMatch(/^rate \(--rate\): .*NaN/);
    expect(failure(['--http-batch', '2.5']).message).toMatch(/^httpBatch \(--http-batch\): .*expected int/);
    expect(failure(['--path', 'naive']).message).toMatch(/^path \(--path\): /);
  });

  it('refuses a flag the bench does not have, and one given without its value', () => {
    expect(failure(['--rat', '5']).message).toContain("'--rat'");
    expect(failure(['--rate']).message).toContain("'--rate");
  });
});
