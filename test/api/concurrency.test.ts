import { afterEach, describe, expect, it } from 'vitest';
import { auth, closeTestApis, json, makeTestApi, type TestApi } from './fixtures.ts';

// biome-ignore lint/suspicious/noExplicitAny: response bodies, checked field by field
type Json = any;

afterEach(closeTestApis);

const classify = (t: TestApi, name: string) =>
  t.app.request('/v1/classify', { method: 'POST', headers: json(t.writeKey), body: JSON.stringify({ items: [{ name }] }) });

/** Every row the store holds for an item: its current decision and its history. */
async function rowsOf(t: TestApi, key: string): Promise<Json[]> {
  const res = await t.app.request(`/v1/items/${key}`, { headers: auth(t.writeKey) });
  expect(res.status).toBe(200);
  const item: Json = await res.json();
  return [item.current, ...item.history];
}

describe('concurrent calls for the same item (local DuckDB store)', () => {
  // Sea Salt Chips: a cacheable encoder decision; Whole Milk: a rules decision (never cached); Widget: review.
  for (const name of ['Sea Salt Chips', 'Whole Milk', 'Widget A']) {
    it(`two concurrent classifies of "${name}" write one history row, not two`, async () => {
      const t = await makeTestApi();
      const answers = await Promise.all([classify(t, name), classify(t, name)]);
      const bodies: Json[] = await Promise.all(answers.map((r) => r.json()));
      expect(answers.map((r) => r.status)).toEqual([200, 200]);
      const key = bodies[0].items[0].key;
      expect(bodies[1].items[0].key).toBe(key);
      expect((await rowsOf(t, key)).map((r) => r.decision.tier)).toHaveLength(1);
      // A third call afterwards adds nothing either.
      expect((await classify(t, name)).status).toBe(200);
      expect(await rowsOf(t, key)).toHaveLength(1);
    });
  }

  it('many concurrent classifies of the same items write each decision once', async () => {
    const t = await makeTestApi();
    const names = ['Sea Salt Chips', 'Whole Milk', 'Widget A', 'Cola Zero'];
    const calls = Array.from({ length: 8 }, () =>
      t.app.request('/v1/classify', { method: 'POST', headers: json(t.writeKey), body: JSON.stringify({ items: names.map((name) => ({ name })) }) }),
    );
    const bodies: Json[] = await Promise.all((await Promise.all(calls)).map((r) => r.json()));
    for (const item of bodies[0].items) expect(await rowsOf(t, item.key)).toHaveLength(1);
  });

  it('the same name twice in one call writes one history row', async () => {
    const t = await makeTestApi();
    const res = await t.app.request('/v1/classify', {
      method: 'POST',
      headers: json(t.writeKey),
      body: JSON.stringify({ items: [{ name: 'Whole Milk' }, { name: 'Whole Milk' }] }),
    });
    const body: Json = await res.json();
    expect(await rowsOf(t, body.items[0].key)).toHaveLength(1);
  });

  it('two concurrent labels of an item with the same class write one human row', async () => {
    const t = await makeTestApi();
    const key = ((await (await classify(t, 'Widget A')).json()) as Json).items[0].key;
    const label = () =>
      t.app.request(`/v1/items/${key}/label`, { method: 'PUT', headers: json(t.writeKey), body: JSON.stringify({ classId: 'food.pantry-staples' }) });
    const answers = await Promise.all([label(), label()]);
    expect(answers.map((r) => r.status)).toEqual([200, 200]);
    expect((await rowsOf(t, key)).map((r) => r.decision.tier)).toEqual(['human', 'review']);
  });
});
