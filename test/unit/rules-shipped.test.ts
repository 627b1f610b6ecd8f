import { describe, expect, it } from 'vitest';
import { toCascadeItem } from '../../functions/core/normalize.ts';
import { createRulesTier, describeVerdict, loadRules } from '../../functions/core/rules.ts';
import { loadTaxonomy } from '../../functions/core/taxonomy.ts';

const taxonomy = loadTaxonomy();
const rules = loadRules(taxonomy);
const tier = createRulesTier(rules);

/** Project-written product names and the class the shipped rules must give them ('deferred': must not decide). */
const EXPECTED: [string, string | null][] = [
  // dairy & eggs
  ['Organic Whole Milk, 1 Gallon', 'food.dairy-eggs'],
  ['Unsweetened Vanilla Almond Milk 64 fl oz', 'food.dairy-eggs'],
  ['Plain Nonfat Greek Yogurt 32 oz', 'food.dairy-eggs'],
  ['Sharp Cheddar Cheese Block 8 oz', 'food.dairy-eggs'],
  ['Whipped Cream Cheese', 'food.dairy-eggs'],
  ['Unsalted Sweet Cream Butter', 'food.dairy-eggs'],
  ['Large Grade A Brown Eggs, 12 ct', 'food.dairy-eggs'],
  // frozen
  ['Vanilla Bean Ice Cream 48 oz', 'food.frozen'],
  ['Four Cheese Thin Crust Pizza', 'food.frozen'],
  ['Frozen Sweet Peas 12 oz', 'food.frozen'],
  ['Mango Sorbet', 'food.frozen'],
  // snacks & sweets
  ['Peanut Butter Cookies', 'food.snacks-sweets'],
  ['Sea Salt Kettle Potato Chips', 'food.snacks-sweets'],
  ['Chewy Oats & Honey Granola Bars, 12 ct', 'food.snacks-sweets'],
  ['Dark Chocolate Sea Salt Caramels', 'food.snacks-sweets'],
  ['Roasted Salted Cashews', 'food.snacks-sweets'],
  ['Butter Microwave Popcorn 3 pk', 'food.snacks-sweets'],
  // breakfast
  ['Honey Nut Toasted Oat Cereal', 'food.breakfast'],
  ['Old Fashioned Rolled Oatmeal', 'food.breakfast'],
  ['Buttermilk Pancake Mix', 'food.breakfast'],
  // pantry staples
  ['Extra Virgin Olive Oil 500 ml', 'food.pantry-staples'],
  ['Creamy Peanut Butter 16 oz', 'food.pantry-staples'],
  ['Penne Rigate Pasta', 'food.pantry-staples'],
  ['Traditional Marinara Pasta Sauce', 'food.pantry-staples'],
  ['Pure Maple Syrup', 'food.pantry-staples'],
  ['Clover Raw Honey', 'food.pantry-staples'],
  ['All Purpose Flour 5 lb', 'food.pantry-staples'],
  ['Ground Cinnamon Spice', 'food.pantry-staples'],
  // canned & packaged
  ['Low Sodium Black Beans 15 oz can', 'food.canned-packaged'],
  ['Chicken Noodle Soup', 'food.canned-packaged'],
  ['Organic Chicken Broth 32 oz', 'food.canned-packaged'],
  ['Chunk Light Tuna in Water', 'food.canned-packaged'],
  ['Stage 2 Baby Food Pears', 'food.canned-packaged'],
  ['Infant Formula with Iron Powder', 'food.canned-packaged'],
  ['Kosher Dill Pickles', 'food.canned-packaged'],
  // fresh
  ['Honeycrisp Apples 3 lb bag', 'food.fresh'],
  ['Boneless Skinless Chicken Breast', 'food.fresh'],
  ['Hot Dog Buns 8 ct', 'food.fresh'],
  ['Seeded Rye Bread', 'food.fresh'],
  ['Classic Hummus 10 oz', 'food.fresh'],
  // beverages
  ['Lemon Lime Sparkling Water 12 pk', 'food.beverages'],
  ['Medium Roast Ground Coffee', 'food.beverages'],
  ['Organic Green Tea Bags', 'food.beverages'],
  ['Cabernet Sauvignon Red Wine 750 ml', 'food.beverages'],
  ['Not From Concentrate Orange Juice', 'food.beverages'],
  // household
  ['Tide Original Liquid Laundry Detergent', 'non-food.household'],
  ['Select-A-Size Paper Towels 6 rolls', 'non-food.household'],
  ['Tall Kitchen Trash Bags 13 gal', 'non-food.household'],
  ['Lemon Dish Soap', 'non-food.household'],
  ['Lavender Scented Candle', 'non-food.household'],
  // personal care & health
  ['Moisturizing Shampoo 12 fl oz', 'non-food.personal-care-health'],
  ['Whitening Fluoride Toothpaste', 'non-food.personal-care-health'],
  ['Extra Strength Pain Reliever Caplets', 'non-food.personal-care-health'],
  ['Daily Multivitamin Tablets', 'non-food.personal-care-health'],
  // pet
  ['Adult Dog Food Chicken & Rice 30 lb', 'non-food.pet-supplies'],
  ['Clumping Cat Litter Unscented', 'non-food.pet-supplies'],
  // baby care
  ['Pampers Swaddlers Diapers Size 1', 'non-food.baby-care'],
  ['Sensitive Baby Wipes 3 pk', 'non-food.baby-care'],
  // general merchandise: Non-Food with no Level 2
  ["Men's Crew Neck T-Shirt", 'non-food'],
  ['Wireless Bluetooth Earbuds', 'non-food'],
  ['16 oz Claw Hammer', 'non-food'],
  ['Wooden Jigsaw Puzzle 500 pieces', 'non-food'],
  ['Synthetic Motor Oil 5W-30', 'non-food'],
  ['Three Seat Sofa', 'non-food'],
  // explicit unknown
  ['Gift Card $25', null],
  ['Test Item Do Not Ship', null],
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

  it("the tier's outcomes, shared between items, say what the rule set's verdict says", () => {
    const items = EXPECTED.map(([name]) => toCascadeItem({ name }));
    const first = tier.decide(items);
    const again = tier.decide(items);
    items.forEach((item, i) => {
      const verdict = rules.match(item);
      const out = first[i];
      expect(out.reason, item.name).toBe(describeVerdict(verdict));
      expect(out.kind, item.name).toBe(verdict.kind === 'decided' ? 'decided' : 'deferred');
      if (verdict.kind === 'decided' && out.kind === 'decided') {
        expect([out.classId, out.confidence, out.ruleId], item.name).toEqual([verdict.classId, verdict.confidence, verdict.match.rule.id]);
        // A lone decisive keyword or phrase: one outcome object for every item it decides.
        if (!verdict.agreeing.length && verdict.match.kind !== 'regex') expect(again[i], item.name).toBe(out);
      }
    });
  });
});
