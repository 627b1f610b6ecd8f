/** A retailer's own category (issue 20 item 4) is shown in the trace and decides nothing by itself. */
import { describe, expect, it } from 'vitest';
import { Cascade, SOURCE_HINT } from '../../functions/core/cascade.ts';
import { cascadeItemOf, resolveColumns } from '../../functions/core/csv.ts';
import { loadTaxonomy } from '../../functions/core/taxonomy.ts';
import type { Tier } from '../../functions/core/types.ts';

const milkRule: Tier = {
  name: 'rules',
  cacheable: false,
  decide: (items) =>
    items.map((i) => (i.text.includes('milk') ? { kind: 'decided', classId: 'food.dairy-eggs', confidence: 0.95 } : { kind: 'deferred' })),
};

describe('source category hint', () => {
  it('opens the trace of items that have one; the tiers decide as without it', async () => {
    const columns = resolveColumns(['Product Name', 'Department']);
    const rows = [
      ['Whole Milk 1 gal', 'Household'], // the retailer's category is wrong: the confident rule stands
      ['Mystery Thing', 'Dairy'],
      ['Whole Milk 1 gal', ''],
    ];
    const cascade = new Cascade({ taxonomy: loadTaxonomy(), tiers: [milkRule] });
    const [milk, mystery, plain] = await cascade.classify(rows.map((r) => cascadeItemOf(r, columns)));
    expect(milk.trace!.steps[0]).toEqual({ tier: SOURCE_HINT, outcome: 'skipped', reason: 'source category "Household" (a hint, not a decision)' });
    expect(milk).toMatchObject({ tier: 'rules', classId: 'food.dairy-eggs' });
    expect(mystery).toMatchObject({ tier: 'review', status: 'needs_review' });
    expect(mystery.trace!.steps[0].reason).toContain('"Dairy"');
    expect(plain.trace!.steps.map((s) => s.tier)).not.toContain(SOURCE_HINT);
  });
});
