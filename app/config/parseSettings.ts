import type { z } from 'zod';
import { ConfigError } from './ConfigError';

/**
 * Validates raw settings against a schema, or throws a ConfigError naming the first bad field as
 * the user wrote it (`labels` maps a schema key to its env var and flag, such as
 * `PRICESTREAM_SHARDS / --shards`).
 */
export function parseSettings<S extends z.ZodType>(
  schema: S,
  raw: unknown,
  labels: Readonly<Record<string, string>> = {},
): z.output<S> {
  const result = schema.safeParse(raw);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const key = issue?.path.map(String).join('.') || '(settings)';
  const top = String(issue?.path[0] ?? '');
  const label = labels[top] ? `${key} (${labels[top]})` : key;
  throw new ConfigError(label, issue?.message ?? 'is invalid');
}
