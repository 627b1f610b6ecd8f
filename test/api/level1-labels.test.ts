/** Issue 15 item 16: a Level-1-only label ("Non-Food" with no subcategory) is chosen in review, stored and served. */
import { afterEach, describe, expect, it } from 'vitest';
import { review } from '../../bin/commands/review.ts';
import { classList, numbered } from '../../functions/core/class-list.ts';
import { loadTaxonomy } from '../../functions/core/taxonomy.ts';
import { auth, closeTestApis, json, makeTestApi, type TestApi } from './fixtures.ts';

// biome-ignore lint/suspicious/noExplicitAny: response bodies, checked field by field
type Json = any;

afterEach(closeTestApis);

const classify = async (t: TestApi, name: string): Promise<Json> =>
  (await (await t.app.request('/v1/classify', { method: 'POST', headers: json(t.writeKey), body: JSON.stringify({ items: [{ name }] }) })).json())
    .items[0];

describe('Level-1-only labels', () => {
  it('lists every class in taxonomy order, numbered from 1, inner classes as "(no subcategory)"', () => {
    const list = classList(loadTaxonomy().classes);
    expect(list.map(numbered)).toEqual([
      '1. Food (no subcategory)',
      '2. Food > Beverages',
      '3. Food > Snacks & Sweets',
      '4. Food > Breakfast',
      '5. Food > Pantry Staples',
      '6. Food > Canned & Packaged Foods',
      '7. Food > Dairy & Eggs',
      '8. Food > Fresh Food',
      '9. Food > Frozen Foods',
      '10. Non-Food (no subcategory)',
      '11. Non-Food > Household',
      '12. Non-Food > Personal Care & Health',
      '13. Non-Food > Pet Supplies',
      '14. Non-Food > Baby Care',
    ]);
    expect(list[9]).toMatchObject({ id: 'non-food', label: 'Non-Food' });
  });

  it('accepts "Non-Food" with no subcategory in review: stored as the human label, served by the cache', async () => {
    const t = await makeTestApi();
    const guess = await classify(t, 'Blue Widget');
    expect(guess).toMatchObject({ status: 'needs_review', classId: 'non-food.household' });

    const accepted = await t.app.request(`/v1/review/${guess.key}/accept`, {
      method: 'POST',
      headers: json(t.writeKey),
      body: JSON.stringify({ classId: 'non-food' }),
    });
    expect(accepted.status).toBe(200);
    const level1Only = { classId: 'non-food', label: 'Non-Food', levels: { level1: 'Non-Food', level2: '' } };
    expect(await accepted.json()).toMatchObject({ decision: { ...level1Only, tier: 'human', status: 'ok' } });

    const item: Json = await (await t.app.request(`/v1/items/${guess.key}`, { headers: auth(t.writeKey) })).json();
    expect(item.current.decision).toMatchObject({ ...level1Only, tier: 'human' });
    expect(await classify(t, 'Blue Widget')).toMatchObject({ ...level1Only, tier: 'cache', status: 'ok' });

    // By label too, and back from Level 1 to a leaf: a label is never stuck at one depth.
    const food = await t.app.request(`/v1/items/${guess.key}/label`, {
      method: 'PUT',
      headers: json(t.writeKey),
      body: JSON.stringify({ classId: 'Food' }),
    });
    expect(await food.json()).toMatchObject({ decision: { classId: 'food', levels: { level1: 'Food', level2: '' } } });
    const leaf = await t.app.request(`/v1/items/${guess.key}/label`, {
      method: 'PUT',
      headers: json(t.writeKey),
      body: JSON.stringify({ classId: 'non-food.household' }),
    });
    expect(await leaf.json()).toMatchObject({ decision: { classId: 'non-food.household', levels: { level1: 'Non-Food', level2: 'Household' } } });
  });

  it('aisle review --label takes a class by number, "10" being Non-Food with no subcategory; --classes numbers them alike', async () => {
    const t = await makeTestApi();
    const guess = await classify(t, 'Green Gizmo');
    const lines: string[] = [];
    const cli = (...argv: string[]) =>
      review(argv, {
        store: t.rt.store,
        cache: t.rt.cache,
        taxonomy: t.rt.taxonomy,
        labelledBy: 'tester',
        llmTier: () => Promise.reject(new Error('not asked')),
        out: (l) => lines.push(l),
        err: (l) => lines.push(`ERR ${l}`),
      });

    expect(await cli('--classes')).toBe(0);
    expect(lines.map((l) => l.trim().replace(/\s{2,}.*/, ''))).toEqual(classList(loadTaxonomy().classes).map(numbered));
    lines.length = 0;
    expect(await cli()).toBe(0);
    expect(lines[1]).toContain('Green Gizmo');
    expect(lines[1]).toContain('11. Non-Food > Household (0.41)');

    lines.length = 0;
    expect(await cli('--label', guess.key, '15')).toBe(2);
    expect(lines[0]).toMatch(/^ERR aisle review: "15" is not a class/);
    expect(await cli('--label', '0123456789abcdef', '10')).toBe(1);
    lines.length = 0;
    expect(await cli('--label', guess.key, '10')).toBe(0);
    expect(lines).toEqual([`Labelled "Green Gizmo" (${guess.key}) as 10. Non-Food (no subcategory).`]);
    const item: Json = await (await t.app.request(`/v1/items/${guess.key}`, { headers: auth(t.writeKey) })).json();
    expect(item.current.decision).toMatchObject({ tier: 'human', classId: 'non-food', levels: { level1: 'Non-Food', level2: '' } });
    expect(await classify(t, 'Green Gizmo')).toMatchObject({ tier: 'cache', classId: 'non-food' });
    lines.length = 0;
    expect(await cli('--label', guess.key, 'Food')).toBe(1);
    expect(lines[0]).toContain('is not in review (human, ok)');
  });
});
