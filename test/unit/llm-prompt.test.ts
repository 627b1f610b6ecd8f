import { describe, expect, it } from 'vitest';
import { type FewShotExample, LlmPrompt, selectFewShot } from '../../functions/core/llm-prompt.ts';
import { loadTaxonomy } from '../../functions/core/taxonomy.ts';

const taxonomy = loadTaxonomy();

describe('llm prompt', () => {
  it('builds the system prompt from the taxonomy: every leaf id, label and description', () => {
    const p = new LlmPrompt(taxonomy);
    for (const leaf of taxonomy.leaves) {
      expect(p.system).toContain(`- ${leaf.id} (${leaf.label}): ${leaf.description}`);
    }
    expect(p.allowed).toEqual([...taxonomy.leaves.map((c) => c.id), 'unknown']);
  });

  it('takes few-shot examples from data: human labels first, then catalog, then rules; deduplicated, capped per class', () => {
    const examples: FewShotExample[] = [
      { text: 'milk', classId: 'food.dairy-eggs', source: 'rules' },
      { text: 'Organic 2% Milk', classId: 'food.dairy-eggs', source: 'catalog' },
      { text: 'greek  yogurt', classId: 'food.dairy-eggs', source: 'human' },
      { text: 'organic 2% milk', classId: 'food.dairy-eggs', source: 'human' },
      { text: 'cheddar', classId: 'food.dairy-eggs', source: 'rules' },
      { text: 'moon rock', classId: 'food.moon', source: 'human' },
    ];
    const chosen = selectFewShot(taxonomy, examples, 3)
      .get('food.dairy-eggs')!
      .map((e) => e.text);
    expect(chosen).toEqual(['greek yogurt', 'organic 2% milk', 'milk']);
    const p = new LlmPrompt(taxonomy, examples, 3);
    expect(p.system).toContain('Examples: "greek yogurt"; "organic 2% milk"; "milk"');
    expect(p.system).not.toContain('moon rock');
  });

  it('numbers several products per request and gives encoder candidates as hints', () => {
    const p = new LlmPrompt(taxonomy);
    const user = p.userMessage([
      {
        text: 'whole milk 1gal',
        name: 'Whole Milk 1 gal',
        hints: [
          { classId: 'food.dairy-eggs', score: 0.61 },
          { classId: 'bogus', score: 0.3 },
        ],
      },
      { text: 'dish soap', name: 'dish soap', hints: [] },
    ]);
    expect(user).toContain('Classify these 2 products.');
    expect(user).toContain('1. Whole Milk 1 gal [whole milk 1gal]\n   hints: food.dairy-eggs 0.61\n2. dish soap');
    expect(user).not.toContain('bogus');
  });

  it('constrains the answer with a JSON schema: one required entry per product number, ids as an enum', () => {
    const f = new LlmPrompt(taxonomy).format(3) as {
      required: string[];
      properties: Record<string, { properties: { classId: { enum: string[] } } }>;
    };
    expect(f.required).toEqual(['1', '2', '3']);
    expect(f.properties['2'].properties.classId.enum).toContain('non-food.household');
    expect(f.properties['2'].properties.classId.enum).toContain('unknown');
    expect(f.properties['2'].properties.classId.enum).not.toContain('food');
  });

  it('validates replies: malformed JSON, missing entries and off-taxonomy ids are problems, "unknown" is no label', () => {
    const p = new LlmPrompt(taxonomy);
    const bad = p.parse('{"1": {"classId": "food.fresh"', 2);
    expect(bad.answers).toEqual([undefined, undefined]);
    expect(bad.problems.get(0)).toMatch(/not valid JSON/);
    expect(p.parse('[1,2]', 1).problems.get(0)).toMatch(/not a JSON object/);

    const mixed = p.parse(
      JSON.stringify({
        1: { classId: 'food.fresh', confidence: 0.8 },
        3: { classId: 'food.moon-cheese', confidence: 1 },
        4: { classId: 'unknown', confidence: 0.2 },
        5: 'x',
      }),
      5,
    );
    expect(mixed.answers[0]).toEqual({ classId: 'food.fresh', confidence: 0.8 });
    expect(mixed.problems.get(1)).toMatch(/no answer/);
    expect(mixed.problems.get(2)).toMatch(/not a class id/);
    expect(mixed.answers[3]).toEqual({ classId: null, confidence: 0.2 });
    expect(mixed.problems.get(4)).toMatch(/classId/);
    expect(mixed.problems.has(0)).toBe(false);
  });

  it('corrective messages renumber the bad items and say what was wrong', () => {
    const p = new LlmPrompt(taxonomy);
    const [, user] = p.correctionMessages([{ text: 'widget', name: 'widget', hints: [] }], ['no answer for this product']);
    expect(user.content).toMatch(/product 1: no answer for this product/);
    expect(user.content).toContain('1. widget');
  });
});

describe('few-shot sources', async () => {
  const { examplesFromCatalog, examplesFromRules } = await import('../../functions/tiers/few-shot.ts');
  it('reads phrases before keywords from a rules file, for classes the taxonomy knows', () => {
    const rules = {
      rules: [
        { id: 'kw.milk', target: 'food.dairy-eggs', keywords: ['milk'], phrases: ['whole milk'] },
        { id: 'x', classId: 'nope', keywords: ['zz'] },
        { id: 're', class: 'Food > Beverages', regex: 'cola$' },
      ],
    };
    expect(examplesFromRules(rules, taxonomy).map((e) => [e.text, e.classId])).toEqual([
      ['whole milk', 'food.dairy-eggs'],
      ['milk', 'food.dairy-eggs'],
    ]);
  });
  it('reads a catalog CSV by class id or by level names', () => {
    const csv = 'name,level1,level2\nBar Soap,Non-Food,Personal Care & Health\nOdd,Food,Nope\n';
    expect(examplesFromCatalog(csv, taxonomy)).toEqual([{ text: 'Bar Soap', classId: 'non-food.personal-care-health', source: 'catalog' }]);
    expect(examplesFromCatalog('name,class_id\nCola,food.beverages\n', taxonomy)[0].classId).toBe('food.beverages');
  });
});

describe('llmWasSkipped', async () => {
  const { llmWasSkipped } = await import('../../functions/core/llm-tier.ts');
  const rec = (decision: object) =>
    ({ decision: { key: 'k', classId: null, confidence: 0, taxonomyVersion: 'v', ...decision }, input: { name: 'x' }, text: 'x', at: '' }) as never;
  const step = (tier: string, outcome: string) => ({ tier, outcome });
  it('tells LLM failures and skips from decisions', () => {
    expect(llmWasSkipped(rec({ tier: 'review', status: 'needs_review', trace: { steps: [step('llm', 'error'), step('review', 'decided')] } }))).toBe(
      true,
    );
    expect(
      llmWasSkipped(rec({ tier: 'review', status: 'needs_review', trace: { steps: [step('rules', 'deferred'), step('review', 'decided')] } })),
    ).toBe(true);
    expect(llmWasSkipped(rec({ tier: 'llm', status: 'needs_review', trace: { steps: [step('llm', 'decided')] } }))).toBe(false);
    expect(llmWasSkipped(rec({ tier: 'rules', status: 'needs_review', trace: { steps: [step('rules', 'decided')] } }))).toBe(false);
    expect(llmWasSkipped(rec({ tier: 'review', status: 'needs_review', trace: { steps: [step('llm', 'error'), step('llm', 'decided')] } }))).toBe(
      false,
    );
    expect(llmWasSkipped(rec({ tier: 'llm', status: 'ok', trace: { steps: [step('llm', 'decided')] } }))).toBe(false);
  });
});
