import type { z } from 'zod';
import { parseSettings } from '../config/parseSettings';

/** Validates a command's flags with a schema; a bad one fails fast naming the flag (`--rate`). */
export function parseFlags<S extends z.ZodObject>(schema: S, flags: Record<string, unknown>): z.output<S> {
  const labels = Object.fromEntries(Object.keys(schema.shape).map((key) => [key, `--${kebab(key)}`]));
  return parseSettings(schema, flags, labels);
}

/** A schema key as the flag a user types: `httpBatch` is `--http-batch` without its dashes. */
export function kebab(name: string): string {
  return name.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`);
}
