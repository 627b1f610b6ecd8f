import { afterEach, describe, expect, it } from 'vitest';
import { SCRIPT_NAMES } from '../fixtures/scripts.ts';
import { closeTestApis, json, makeTestApi, type TestApi } from './fixtures.ts';

// biome-ignore lint/suspicious/noExplicitAny: response bodies, checked field by field
type Json = any;

afterEach(closeTestApis);

const post = (t: TestApi, items: unknown[]) =>
  t.app.request('/v1/classify', { method: 'POST', headers: json(t.writeKey), body: JSON.stringify({ items }) });

/** The 200 names of ten scripts, classified 100 a call: one decision each, in order. */
async function classifyAll(t: TestApi): Promise<Json[]> {
  const out: Json[] = [];
  for (let i = 0; i < SCRIPT_NAMES.length; i += 100) {
    const res = await post(
      t,
      SCRIPT_NAMES.slice(i, i + 100).map((name) => ({ name })),
    );
    expect(res.status).toBe(200);
    out.push(...((await res.json()) as Json).items);
  }
  return out;
}

describe('item identity on the API', () => {
  it('labels one of 200 names in 10 scripts and no other', async () => {
    const t = await makeTestApi();
    const first = await classifyAll(t);
    expect(new Set(first.map((d) => d.key)).size).toBe(200);
    const labelled = first[57];
    const res = await t.app.request(`/v1/items/${labelled.key}/label`, {
      method: 'PUT',
      headers: json(t.writeKey),
      body: JSON.stringify({ classId: 'food.beverages' }),
    });
    expect(res.status).toBe(200);

    const again = await classifyAll(t);
    expect(again[57]).toMatchObject({ key: labelled.key, tier: 'cache', classId: 'food.beverages' });
    expect(again[57].reason).toContain('human');
    const others = again.filter((_, i) => i !== 57);
    expect(others.filter((d) => d.classId === 'food.beverages' || /human/.test(d.reason ?? ''))).toEqual([]);
    expect(others.map((d) => d.key)).toEqual(first.filter((_, i) => i !== 57).map((d) => d.key));
  });

  it('refuses a name with no letter or digit with the reason, and takes the names of every script', async () => {
    const t = await makeTestApi();
    for (const name of ['!!!', '🍎🍎']) {
      const res = await post(t, [{ name: 'Whole Milk' }, { name }]);
      expect(res.status).toBe(400);
      expect(((await res.json()) as Json).error.details).toEqual([
        { path: 'items.1.name', message: 'no letter or digit in the product name (only punctuation, symbols or emoji)' },
      ]);
    }
    const blank = await post(t, [{ name: '   ' }]);
    expect(((await blank.json()) as Json).error.details[0].message).toBe('empty product name');
    const res = await post(t, [{ name: 'Молоко' }, { name: '牛奶' }, { name: 'I ❤️ NY' }]);
    expect(res.status).toBe(200);
  });
});
