import { describe, expect, it } from 'vitest';
import { pricingConfigSchema, ruleFor } from '../../../processors/config/pricingConfig';

const config = pricingConfigSchema.parse({
  pricing: { elasticity: -2, maxStepUp: 0.1 },
  categories: { ELEC: { elasticity: -3 } },
  skus: { 'ELEC-000007': { maxStepUp: 0.2 } },
});

describe('ruleFor', () => {
  it('gives SKUs of a category one shared rule, merged over the defaults', () => {
    const first = ruleFor(config, 'ELEC-000001');

    expect(first).toMatchObject({ elasticity: -3, maxStepUp: 0.1 });
    expect(ruleFor(config, 'ELEC-000002')).toBe(first);
    expect(ruleFor(config, 'TOYS-000001')).toBe(config.pricing);
  });

  it("puts a SKU's own overrides over its category's, in a rule of its own", () => {
    const own = ruleFor(config, 'ELEC-000007');

    expect(own).toMatchObject({ elasticity: -3, maxStepUp: 0.2 });
    expect(ruleFor(config, 'ELEC-000007')).toBe(own);
    expect(ruleFor(config, 'ELEC-000001').maxStepUp).toBe(0.1);
  });

  it('keeps the rules of two configs apart', () => {
    const other = pricingConfigSchema.parse({ categories: { ELEC: { elasticity: -5 } } });

    expect(ruleFor(other, 'ELEC-000001').elasticity).toBe(-5);
    expect(ruleFor(config, 'ELEC-000001').elasticity).toBe(-3);
  });

  it('gives a SKU named like a built-in property (constructor, __proto__) the rule its overrides say', () => {
    expect(ruleFor(config, 'constructor')).toBe(config.pricing);
    expect(ruleFor(config, '__proto__')).toBe(config.pricing);
    expect(ruleFor(config, 'toString-1')).toBe(config.pricing);
  });
});
