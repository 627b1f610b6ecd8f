import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Cascade } from '../../functions/core/cascade.ts';
import { toCascadeItem } from '../../functions/core/normalize.ts';
import { createRulesTier, loadRules, type RuleInput, RuleSet, RulesError } from '../../functions/core/rules.ts';
import { loadTaxonomy } from '../../functions/core/taxonomy.ts';
import type { TierOutcome } from '../../functions/core/types.ts';

const taxonomy = loadTaxonomy();

function ruleSet(rules: RuleInput[]): RuleSet {
  return RuleSet.parse({ version: 't1', rules }, taxonomy, 'test rules');
}

function decide(rules: RuleSet, name: string, brand?: string): TierOutcome {
  return createRulesTier(rules).decide([toCascadeItem({ name, brand })])[0];
}

/** The class a rule set gives a name, 'deferred' when it does not decide. */
function classOf(rules: RuleSet, name: string, brand?: string): string | null {
  const out = decide(rules, name, brand);
  return out.kind === 'decided' ? out.classId : 'deferred';
}

function problemsOf(rules: unknown[]): string {
  try {
    RuleSet.parse({ version: 't1', rules }, taxonomy, 'test rules');
  } catch (err) {
    expect(err).toBeInstanceOf(RulesError);
    return (err as Error).message;
  }
  throw new Error('expected the rules to be refused');
}

describe('rules engine: matching and precedence', () => {
  const rules = ruleSet([
    { id: 'dairy.cream', target: 'food.dairy-eggs', priority: 50, keywords: ['cream'] },
    { id: 'frozen.ice-cream', target: 'food.frozen', priority: 50, phrases: ['ice cream'] },
    { id: 'pantry.butter', target: 'food.pantry-staples', priority: 50, phrases: ['peanut butter'] },
    { id: 'dairy.butter', target: 'food.dairy-eggs', priority: 50, keywords: ['butter'] },
    { id: 'snacks.cookie', target: 'food.snacks-sweets', priority: 60, keywords: ['cookie'] },
    { id: 'pet.dog', target: 'non-food.pet-supplies', priority: 75, keywords: ['dog'], exclude: ['hot dog'] },
    { id: 'fresh.buns', target: 'food.fresh', priority: 50, keywords: ['buns'], plurals: false },
    { id: 'fresh.apple', target: 'food.fresh', priority: 40, keywords: ['apple'] },
  ]);

  it('matches whole tokens only, and plurals of keywords', () => {
    expect(classOf(rules, 'Cream')).toBe('food.dairy-eggs');
    expect(classOf(rules, 'Creamy Soup')).toBe('deferred');
    expect(classOf(rules, 'Honeycrisp Apples')).toBe('food.fresh');
  });

  it('a phrase hides the keyword inside it (ice cream is not cream)', () => {
    expect(classOf(rules, 'Vanilla Ice Cream 1.5 qt')).toBe('food.frozen');
    expect(classOf(rules, 'Heavy Cream')).toBe('food.dairy-eggs');
    expect(classOf(rules, 'Creamy Peanut Butter')).toBe('food.pantry-staples');
  });

  it('the higher priority decides', () => {
    expect(classOf(rules, 'Peanut Butter Cookies')).toBe('food.snacks-sweets');
    expect(classOf(rules, 'Apple Cookies')).toBe('food.snacks-sweets');
  });

  it('exclude words drop a rule', () => {
    expect(classOf(rules, 'Dog Biscuits')).toBe('non-food.pet-supplies');
    expect(classOf(rules, 'Hot Dog Buns')).toBe('food.fresh');
    expect(classOf(rules, 'Hot Dog')).toBe('deferred');
  });

  it('matches are case, punctuation and unit insensitive (keywords normalized like items)', () => {
    const r = ruleSet([{ id: 'bev.jerrys', target: 'food.frozen', phrases: ["Ben & Jerry's"] }]);
    expect(classOf(r, 'BEN AND JERRYS Half Baked')).toBe('food.frozen');
    expect(classOf(r, "Ben & Jerry's Cookie Dough, 16 oz.")).toBe('food.frozen');
  });

  it('`at: end` rules match only the last word of the name, sizes aside', () => {
    const r = ruleSet([
      { id: 'dairy.milk', target: 'food.dairy-eggs', at: 'end', keywords: ['milk'] },
      { id: 'snacks.chocolate', target: 'food.snacks-sweets', at: 'end', keywords: ['chocolate'] },
    ]);
    expect(classOf(r, 'Chocolate Milk 64 fl oz')).toBe('food.dairy-eggs');
    expect(classOf(r, 'Milk Chocolate 3.5 oz')).toBe('food.snacks-sweets');
    expect(classOf(r, 'Milk Bath Soak')).toBe('deferred');
  });
});

describe('rules engine: decisiveness', () => {
  const rules = ruleSet([
    { id: 'dairy.yogurt', target: 'food.dairy-eggs', priority: 50, keywords: ['yogurt'] },
    { id: 'snacks.raisins', target: 'food.snacks-sweets', priority: 50, keywords: ['raisins'], plurals: false },
    { id: 'dairy.greek', target: 'food.dairy-eggs', priority: 50, keywords: ['greek'] },
    { id: 'frozen.bars', target: 'food.frozen', priority: 40, keywords: ['bars'] },
  ]);

  it('agreeing rules at the top priority decide together', () => {
    const out = decide(rules, 'Greek Yogurt');
    expect(out.kind).toBe('decided');
    if (out.kind !== 'decided') return;
    expect(out.classId).toBe('food.dairy-eggs');
    expect(out.reason).toContain('agreeing');
  });

  it('a conflict at the top priority defers with the classes as candidates and names the rules', () => {
    const out = decide(rules, 'Yogurt Covered Raisins');
    expect(out.kind).toBe('deferred');
    if (out.kind !== 'deferred') return;
    expect(out.candidates?.map((c) => c.classId).sort()).toEqual(['food.dairy-eggs', 'food.snacks-sweets']);
    expect(out.reason).toContain('dairy.yogurt');
    expect(out.reason).toContain('snacks.raisins');
    expect(out.reason).toMatch(/conflict/);
    for (const c of out.candidates ?? []) expect(c.score).toBeLessThan(0.5);
  });

  it('a strictly higher priority is decisive over a lower conflicting one', () => {
    expect(classOf(rules, 'Yogurt Bars')).toBe('food.dairy-eggs');
  });

  it('no match defers without candidates', () => {
    const out = decide(rules, 'Mystery Object');
    expect(out).toMatchObject({ kind: 'deferred', reason: 'no rule matched' });
  });

  it('a conflict defers in the cascade to review with the candidates kept', async () => {
    const cascade = new Cascade({ taxonomy, tiers: [createRulesTier(rules)] });
    const [d] = await cascade.classify([toCascadeItem({ name: 'Yogurt Covered Raisins' })]);
    expect(d.tier).toBe('review');
    expect(d.status).toBe('needs_review');
    expect(['food.dairy-eggs', 'food.snacks-sweets']).toContain(d.classId);
    expect(d.trace?.steps[0]).toMatchObject({ tier: 'rules', outcome: 'deferred' });
  });
});

describe('rules engine: explanations, unknown, brands, regex', () => {
  const rules = ruleSet([
    { id: 'dairy.milk', target: 'food.dairy-eggs', keywords: ['milk'], priority: 50 },
    { id: 'unknown.gift-card', target: 'unknown', priority: 95, phrases: ['gift card'] },
    { id: 'household.tide', target: 'non-food.household', priority: 60, brands: ['Tide'] },
    { id: 'baby.pampers', target: 'non-food.baby-care', priority: 60, brands: ['Pampers', 'Pampers Pure'] },
    { id: 'bev.abv', target: 'food.beverages', priority: 55, regex: '\\b\\d+(\\.\\d+)?% (abv|alc)\\b' },
    { id: 'pantry.gallon', target: 'food.pantry-staples', priority: 20, regex: 'gal(lon)?\\b' },
  ]);

  it('every decision names its rule id and the matched text', () => {
    const out = decide(rules, 'Organic Whole Milk');
    expect(out).toMatchObject({ kind: 'decided', classId: 'food.dairy-eggs', ruleId: 'dairy.milk', status: 'ok' });
    if (out.kind === 'decided') {
      expect(out.reason).toBe("rule dairy.milk matched 'milk'");
      expect(out.confidence).toBeGreaterThan(0.9);
      expect(out.confidence).toBeLessThan(1);
      expect(out.modelVersion).toBe('rules@t1');
    }
  });

  it('an explicit Unknown decides "no class" with status needs_review, never a guess', () => {
    const out = decide(rules, 'Milk Gift Card $50');
    expect(out).toMatchObject({ kind: 'decided', classId: null, status: 'needs_review', ruleId: 'unknown.gift-card' });
    if (out.kind === 'decided') expect(out.reason).toContain("matched 'gift card'");
  });

  it('an explicit Unknown reaches the cascade as classId null, needs_review', async () => {
    const cascade = new Cascade({ taxonomy, tiers: [createRulesTier(rules)] });
    const [d] = await cascade.classify([toCascadeItem({ name: 'Gift Card' })]);
    expect(d).toMatchObject({ classId: null, tier: 'rules', status: 'needs_review', ruleId: 'unknown.gift-card' });
  });

  it('brands match the brand field or the start of the name, not the middle', () => {
    expect(decide(rules, 'Original Liquid Laundry 92 oz', 'Tide')).toMatchObject({ classId: 'non-food.household', ruleId: 'household.tide' });
    expect(decide(rules, 'Tide Pods Spring Meadow')).toMatchObject({ classId: 'non-food.household', ruleId: 'household.tide' });
    expect(classOf(rules, 'Rising Tide Ale')).toBe('deferred');
    const out = decide(rules, 'Pampers Pure Diapers Size 3');
    expect(out).toMatchObject({ classId: 'non-food.baby-care' });
    if (out.kind === 'decided') expect(out.reason).toContain('(brand)');
  });

  it('regex rules match the normalized text and report what they matched', () => {
    const out = decide(rules, 'Hazy IPA 6.5% ABV');
    expect(out).toMatchObject({ kind: 'decided', classId: 'food.beverages', ruleId: 'bev.abv' });
    if (out.kind === 'decided') expect(out.reason).toBe("rule bev.abv matched '6.5% abv'");
    expect(decide(rules, 'Distilled Water 1 Gallon')).toMatchObject({ ruleId: 'pantry.gallon' });
  });
});

describe('rules validation', () => {
  it('refuses a target that is not in the taxonomy, naming the rule', () => {
    expect(problemsOf([{ id: 'x.bad', target: 'food.sweets', keywords: ['candy'] }])).toMatch(/rule x\.bad: target "food\.sweets" is not a class/);
  });

  it('refuses a regex that does not compile', () => {
    expect(problemsOf([{ id: 'x.re', target: 'food', regex: '(unclosed' }])).toMatch(/rule x\.re: regex .* does not compile/);
  });

  it('refuses a regex that matches the empty string', () => {
    expect(problemsOf([{ id: 'x.empty', target: 'food', regex: 'a*' }])).toMatch(/rule x\.empty: regex .* matches the empty string/);
  });

  it('refuses duplicate rule ids', () => {
    const msg = problemsOf([
      { id: 'x.dup', target: 'food', keywords: ['a1'] },
      { id: 'x.dup', target: 'food', keywords: ['b1'] },
    ]);
    expect(msg).toMatch(/rule x\.dup: duplicate rule id/);
  });

  it('refuses an empty keyword list and a rule with nothing to match', () => {
    expect(problemsOf([{ id: 'x.kw', target: 'food', keywords: [] }])).toMatch(/rule x\.kw: keywords: must list at least one entry/);
    expect(problemsOf([{ id: 'x.none', target: 'food' }])).toMatch(/rule x\.none: .*needs at least one of keywords, phrases, brands or regex/);
    expect(problemsOf([{ id: 'x.blank', target: 'food', keywords: ['!!'] }])).toMatch(/rule x\.blank: keyword "!!" is empty once normalized/);
  });

  it('refuses unknown fields and bad priorities, and lists every problem at once', () => {
    const msg = problemsOf([
      { id: 'x.typo', target: 'food', keyword: ['milk'] },
      { id: 'x.prio', target: 'food', keywords: ['milk'], priority: 500 },
    ]);
    expect(msg).toContain('rule x.typo');
    expect(msg).toContain('rule x.prio: priority');
    expect(msg).toMatch(/3 problem/);
    expect(msg).toContain('Unrecognized key: "keyword"');
  });

  it('refuses a file without version or rules', () => {
    expect(() => RuleSet.parse({ rules: [] }, taxonomy, 'f.json')).toThrow(/f\.json is not a valid rules file[\s\S]*version/);
  });

  it('loadRules reports unreadable files and broken JSON with the path', () => {
    const dir = mkdtempSync(join(tmpdir(), 'aisle-rules-'));
    const broken = join(dir, 'broken.json');
    writeFileSync(broken, '{ "version": "1", rules: [ }');
    expect(() => loadRules(taxonomy, broken)).toThrow(/broken\.json is not valid JSON/);
    expect(() => loadRules(taxonomy, join(dir, 'missing.json'))).toThrow(/cannot read rules .*missing\.json/);
  });
});

describe('rules file conveniences', () => {
  it('exclude sets are shared by name, and an unknown set is refused', () => {
    const rules = RuleSet.parse(
      {
        version: 't1',
        excludeSets: { 'not-food': ['shampoo', 'lotion'] },
        rules: [{ id: 'dairy.milk', target: 'food.dairy-eggs', keywords: ['milk'], exclude: ['@not-food', 'bath'] }],
      },
      taxonomy,
    );
    expect(classOf(rules, 'Oat Milk')).toBe('food.dairy-eggs');
    expect(classOf(rules, 'Milk Shampoo')).toBe('deferred');
    expect(classOf(rules, 'Milk Bath')).toBe('deferred');
    expect(problemsOf([{ id: 'x.set', target: 'food', keywords: ['milk'], exclude: ['@nope'] }])).toMatch(
      /rule x\.set: exclude set "@nope" is not defined/,
    );
  });

  it('a keyword of several words matches as a phrase', () => {
    const rules = ruleSet([{ id: 'frozen.ice-cream', target: 'food.frozen', keywords: ['ice cream'] }]);
    expect(decide(rules, 'Mint Ice Cream')).toMatchObject({ classId: 'food.frozen', reason: "rule frozen.ice-cream matched 'ice cream'" });
    expect(classOf(rules, 'Ice Cold Cream')).toBe('deferred');
  });

  it('sizes and package words after the head noun do not hide it from `at: end` rules', () => {
    const rules = ruleSet([{ id: 'canned.beans', target: 'food.canned-packaged', at: 'end', phrases: ['black beans'] }]);
    expect(classOf(rules, 'Low Sodium Black Beans 15 oz can')).toBe('food.canned-packaged');
    expect(classOf(rules, 'Black Beans and Rice')).toBe('deferred');
  });

  it('lists words that always conflict', () => {
    const rules = ruleSet([
      { id: 'a.naan', target: 'food.fresh', keywords: ['naan'] },
      { id: 'b.naan', target: 'food.canned-packaged', keywords: ['naan'] },
      { id: 'c.naan', target: 'food.fresh', keywords: ['naan'], priority: 60 },
    ]);
    const overlaps = rules.overlaps();
    expect(overlaps.some((o) => o.includes("'naan'") && o.includes('a.naan') && o.includes('b.naan') && o.includes('priority 50'))).toBe(true);
    expect(overlaps.some((o) => o.includes('c.naan'))).toBe(false);
  });
});
