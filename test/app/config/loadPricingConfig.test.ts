import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../app/config/ConfigError';
import { loadPricingConfig } from '../../../app/config/loadPricingConfig';
import { ruleFor } from '../../../processors/config/pricingConfig';

async function file(content: string): Promise<string> {
  const target = path.join(await mkdtemp(path.join(tmpdir(), 'pricing-')), 'pricing.json');
  await writeFile(target, content);
  return target;
}

describe('loadPricingConfig', () => {
  it('reads the example config and resolves category and SKU overrides over the defaults', async () => {
    const config = await loadPricingConfig(path.resolve('app/config/pricing.example.json'));

    expect(config.windows.long).toEqual({ size: 3_600_000, slide: 60_000 });
    expect(ruleFor(config, 'ELEC-000000')).toMatchObject({
      elasticity: -3,
      basePrice: 49999,
      maxStepDown: 0.05,
    });
    expect(ruleFor(config, 'FOOD-000001')).toMatchObject({
      targetCover: 86_400_000,
      maxMultiple: 1.3,
      elasticity: -2,
    });
    expect(ruleFor(config, 'TOYS-000001')).toBe(config.pricing);
  });

  it('fails fast naming the file and the path of the bad field', async () => {
    const bad = await file(JSON.stringify({ categories: { ELEC: { elasticity: -0.5 } } }));
    await expect(loadPricingConfig(bad)).rejects.toThrow(ConfigError);
    await expect(loadPricingConfig(bad)).rejects.toThrow(/pricing\.json: categories\.ELEC\.elasticity: /);
  });

  it.each([
    [
      { windows: { short: { size: '5m', slide: '7m' }, long: { size: '1h', slide: '1m' } } },
      /windows\.short/,
    ],
    [{ allowedLateness: '30 seconds' }, /allowedLateness: must be a whole number with a unit/],
    [{ pricing: { rounding: { step: 10, ending: 10 } } }, /pricing\.rounding: ending must be less than step/],
  ])('refuses windows, durations and rounding that make no sense (%#)', async (content, message) => {
    await expect(loadPricingConfig(await file(JSON.stringify(content)))).rejects.toThrow(message);
  });

  it.each(['skus', 'categories'])(
    'refuses %s overrides for a key named __proto__, which a parsed record would drop',
    async (section) => {
      // Written as text: JSON.parse keeps "__proto__" as an own key, an object literal would not.
      const text = `{"${section}": {"__proto__": {"basePrice": 1999}, "ELEC-1": {"basePrice": 999}}}`;
      await expect(loadPricingConfig(await file(text))).rejects.toThrow(
        new RegExp(`pricing\\.json: ${section}\\.__proto__: is refused`),
      );
    },
  );

  it('says when the file is not JSON', async () => {
    await expect(loadPricingConfig(await file('{ windows: '))).rejects.toThrow(/is not valid JSON/);
  });
});
