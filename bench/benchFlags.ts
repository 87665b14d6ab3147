import { parseArgs } from 'node:util';
import type { z } from 'zod';
import { kebab, parseFlags } from '../app/cli/parseFlags';
import { ConfigError } from '../app/config/ConfigError';

/**
 * A benchmark's flags, every one a `--kebab-case` string on the command line, validated with
 * `schema` (whose defaults are the bench's): an unknown flag or a bad value throws a ConfigError
 * naming it, such as `rate (--rate): Invalid input: expected number, received NaN`, instead of a
 * bench running on NaN.
 */
export function parseBenchFlags<S extends z.ZodObject>(schema: S, args: readonly string[]): z.output<S> {
  const keys = new Map(Object.keys(schema.shape).map((key) => [kebab(key), key]));
  let values: Record<string, string | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...args],
      options: Object.fromEntries([...keys.keys()].map((flag) => [flag, { type: 'string' as const }])),
    }) as { values: Record<string, string | undefined> });
  } catch (error) {
    // parseArgs says which flag: "Unknown option '--rat'", "Option '--rate <value>' argument missing".
    throw new ConfigError('flags', (error as Error).message, { cause: error });
  }
  return parseFlags(
    schema,
    Object.fromEntries(Object.entries(values).map(([flag, value]) => [keys.get(flag), value])),
  );
}

/** `parseBenchFlags` over this process's arguments; a bad flag stops it with exit code 2 and the message. */
export function benchFlags<S extends z.ZodObject>(schema: S): z.output<S> {
  try {
    return parseBenchFlags(schema, process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`bench: invalid ${error.message}\n`);
    process.exit(2);
  }
}
