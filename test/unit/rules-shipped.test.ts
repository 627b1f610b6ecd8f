import { describe, expect, it } from 'vitest';
import { toCascadeItem } from '../../functions/core/normalize.ts';
import { createRulesTier, loadRules } from '../../functions/core/rules.ts';
import { loadTaxonomy } from '../../functions/core/taxonomy.ts';

const taxonomy = loadTaxonomy();
const rules = loadRules(taxonomy);
const tier = createRulesTier(rules);

/** Project-written product names and the class the shipped rules must give them ('deferred': must not decide). */
const EXPECTED: [string, string | null][] = [
  ['Organic Whole Milk, 1 Gallon', 'food.dairy-eggs'],
  ['Vanilla Bean Ice Cream 48 oz', 'food.frozen'],
  ['Peanut Butter Cookies', 'food.snacks-sweets'],
  ['Adult Dog Food Chicken & Rice 30 lb', 'non-food.pet-supplies'],
  ['Hot Dog Buns 8 ct', 'food.fresh'],
  ['Tide Original Liquid Laundry Detergent', 'non-food.household'],
  ['Gift Card $25', null],
  ['Whipped Cream Cheese', 'food.dairy-eggs'],
  ['Stage 2 Baby Food Pears', 'food.canned-packaged'],
  ['Pampers Swaddlers Diapers Size 1', 'non-food.baby-care'],
  ["Men's Crew Neck T-Shirt", 'non-food'],
];

describe('shipped rules (models/rules.json)', () => {
  it('load, and cover every leaf of the taxonomy and the non-food node', () => {
    const targets = new Set(rules.rules.map((r) => r.classId));
    for (const leaf of taxonomy.leaves) expect(targets, leaf.id).toContain(leaf.id);
    expect(targets).toContain('non-food');
    expect(targets).toContain(null);
  });

  it.each(EXPECTED)('%s → %s', (name, expected) => {
    const out = tier.decide([toCascadeItem({ name })])[0];
    if (expected === 'deferred') {
      expect(out.kind).toBe('deferred');
      return;
    }
    expect(out.kind, out.reason).toBe('decided');
    if (out.kind === 'decided') expect(out.classId, out.reason).toBe(expected);
  });
});
