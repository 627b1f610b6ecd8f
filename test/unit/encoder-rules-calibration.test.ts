import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Cascade } from '../../functions/core/cascade.ts';
import { createEncoderTier } from '../../functions/core/encoder-tier.ts';
import { toCascadeItem } from '../../functions/core/normalize.ts';
import { createRulesTier, loadRules, RuleSet } from '../../functions/core/rules.ts';
import { loadTaxonomy } from '../../functions/core/taxonomy.ts';
import { OnnxEncoder } from '../../functions/model/encoder.ts';
import { calibrateRules } from '../../functions/model/rules-calibration.ts';
import { trainEncoder } from '../../functions/model/train.ts';
import { groceryRows } from '../fixtures/grocery.ts';

const taxonomy = loadTaxonomy();
const classIds = ['food.dairy-eggs', 'food.beverages'];
const rules = RuleSet.parse(
  {
    version: 't1',
    rules: [
      { id: 'kw.milk', target: 'food.dairy-eggs', keywords: ['milk'] },
      { id: 'kw.juice', target: 'food.beverages', keywords: ['juice'] },
      { id: 'kw.gift', target: 'unknown', keywords: ['gift'] },
    ],
  },
  taxonomy,
  'test rules',
);

describe('calibrateRules', () => {
  it("counts each rule's decisions on the training rows only and calibrates on the validation rows", () => {
    const train = [
      { text: 'whole milk', classId: 'food.dairy-eggs' },
      { text: 'milk chocolate drink', classId: 'food.beverages' },
      { text: 'skim milk', classId: 'food.dairy-eggs' },
      { text: 'orange juice', classId: 'food.beverages' },
      { text: 'gift basket', classId: 'food.beverages' },
      { text: 'cheddar', classId: 'food.dairy-eggs' },
    ];
    // Rule decisions on validation rows must not be counted: this one is wrong and would lower kw.milk.
    const validation = [
      ...Array.from({ length: 40 }, () => ({ text: 'oat milk', classId: 'food.beverages', probs: [0.2, 0.8] })),
      ...Array.from({ length: 40 }, () => ({ text: 'yogurt', classId: 'food.dairy-eggs', probs: [0.9, 0.1] })),
    ];
    const cal = calibrateRules(rules, train, validation, classIds, 0.97);
    expect(cal.rulesVersion).toBe('t1');
    expect(cal.hits).toEqual({ 'kw.gift': [1, 0], 'kw.juice': [1, 1], 'kw.milk': [3, 2] });
    expect(cal.pooledPrecision).toBeCloseTo(3 / 5, 12);
    // The evidence weight is the one of the grid that best fits the validation slice's ruled rows, which here
    // always contradict the rule: the smallest.
    expect(cal.weight).toBe(0.25);
    // No-rule rows: 40 correct "yogurt" predictions at 0.9 → dairy accepted from 0.9.
    expect(cal.unruled.perClass['food.dairy-eggs']).toBe(0.9);
  });
});

describe('trainEncoder with the rules', () => {
  it('writes the calibration to metrics.json, the encoder serves it, and the cascade has the encoder review the rules', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'aisle-rules-cal-'));
    try {
      const shipped = loadRules(taxonomy);
      const rows = groceryRows(40);
      const { metrics } = await trainEncoder(rows, {
        taxonomy,
        outDir: join(dir, 'm'),
        seed: 4,
        rules: shipped,
        bag: { ngramBuckets: 20_000, pairBuckets: 5_000, dim: 24, epochs: 10 },
      });
      const cal = metrics.rules!;
      expect(cal.rulesVersion).toBe(shipped.version);
      const counted = Object.values(cal.hits).reduce((n, [hits]) => n + hits, 0);
      const decidedAll = rows.filter((r) => shipped.match(toCascadeItem({ name: r.text })).kind === 'decided').length;
      // Counted on the training rows: all the rules decide there, none of the validation slice's.
      expect(counted).toBeGreaterThan(0);
      expect(counted).toBeLessThanOrEqual(decidedAll);
      expect(counted).toBeGreaterThanOrEqual(decidedAll - metrics.validationRows);
      expect(cal.pooledPrecision).toBeGreaterThan(0.5);
      expect([0.25, 0.5, 0.75, 1, 1.5, 2]).toContain(cal.weight);

      const encoder = await OnnxEncoder.load(join(dir, 'm'), { threads: 1 });
      try {
        expect(encoder.ruleCalibration).toEqual(cal);
        const tier = createEncoderTier(encoder, { taxonomy });
        expect(tier.reviews).toBe('rules');
        const [milk] = await new Cascade({ taxonomy, tiers: [createRulesTier(shipped), tier] }).classify([
          toCascadeItem({ name: 'Whole Milk 1 gal' }),
        ]);
        expect(milk.trace!.steps.map((s) => s.tier).slice(0, 2)).toEqual(['rules', 'encoder']);
      } finally {
        await encoder.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
