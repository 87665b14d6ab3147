import { readFile } from 'node:fs/promises';
import { type PricingConfig, pricingConfigSchema } from '../../processors/config/pricingConfig';
import { ConfigError } from './ConfigError';
import { parseSettings } from './parseSettings';

/**
 * Reads and validates a pricing config file (JSON). Any field may be left out for its default; a
 * bad one fails fast with a ConfigError naming the file and the field's path
 * (`pricing.json: categories.ELEC.elasticity: …`).
 */
export async function loadPricingConfig(path: string | undefined): Promise<PricingConfig> {
  if (path === undefined) return pricingConfigSchema.parse({});
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new ConfigError(path, `cannot read the pricing config: ${(error as Error).message}`, {
      cause: error,
    });
  }
  return parsePricingConfig(path, text);
}

/** Validates a pricing config file's text; errors as for `loadPricingConfig`. */
export function parsePricingConfig(path: string, text: string): PricingConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(path, `is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
  try {
    return parseSettings(pricingConfigSchema, raw);
  } catch (error) {
    if (error instanceof ConfigError)
      throw new ConfigError(`${path}: ${error.field}`, error.message.slice(error.field.length + 2));
    throw error;
  }
}
