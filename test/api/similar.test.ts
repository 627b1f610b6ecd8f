/**
 * Similar products and recommendations through the API as `aisle serve` wires them: items classified through
 * POST /v1/classify and items of a finished job are found; each tenant finds only its own; a read-only key may
 * search; bought-together pairs from the shopper pipeline's output lead an item's recommendations.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterEach, describe, expect, it } from 'vitest';
import { newApiKey } from '../../functions/core/api-keys.ts';
import { toCascadeItem } from '../../functions/core/normalize.ts';
import { auth, closeTestApis, json, makeTestApi, type TestApi } from './fixtures.ts';

// biome-ignore lint/suspicious/noExplicitAny: response bodies, checked field by field
type Json = any;

afterEach(closeTestApis);

const keyOf = (name: string) => toCascadeItem({ name }).key;

async function classify(t: TestApi, key: string, names: string[]) {
  const res = await t.app.request('/v1/classify', {
    method: 'POST',
    headers: json(key),
    body: JSON.stringify({ items: names.map((name) => ({ name })) }),
  });
  expect(res.status).toBe(200);
}

describe('similar products through the API', () => {
  it('finds items like an item and like a text, with scores, filtered by category', async () => {
    const t = await makeTestApi();
    await classify(t, t.writeKey, [
      'Organic Whole Milk',
      'Chocolate Milk 1 qt',
      'Sea Salt Potato Chips',
      'Kettle Chips Jalapeno',
      'Cola Classic 12 pack',
    ]);
    const res = await t.app.request(`/v1/items/${keyOf('Organic Whole Milk')}/similar?k=2`, { headers: auth(t.readKey) });
    expect(res.status).toBe(200);
    const body: Json = await res.json();
    expect(body.item).toMatchObject({
      key: keyOf('Organic Whole Milk'),
      name: 'Organic Whole Milk',
      classId: 'food.dairy-eggs',
      label: 'Food > Dairy & Eggs',
    });
    expect(body.similar).toHaveLength(2);
    expect(body.similar[0]).toMatchObject({ key: keyOf('Chocolate Milk 1 qt'), name: 'Chocolate Milk 1 qt' });
    expect(body.similar[0].score).toBeGreaterThan(body.similar[1].score);

    // A read-only key may search by text (it reads, it changes nothing).
    const text: Json = await (
      await t.app.request('/v1/similar', { method: 'POST', headers: json(t.readKey), body: JSON.stringify({ text: 'potato chips', k: 2 }) })
    ).json();
    expect(text.similar.map((s: Json) => s.name).sort()).toEqual(['Kettle Chips Jalapeno', 'Sea Salt Potato Chips']);
    const filtered: Json = await (
      await t.app.request('/v1/similar', {
        method: 'POST',
        headers: json(t.readKey),
        body: JSON.stringify({ text: 'milk', k: 10, category: 'food.snacks-sweets' }),
      })
    ).json();
    expect(filtered.similar.length).toBeGreaterThan(0);
    expect(filtered.similar.every((s: Json) => s.classId === 'food.snacks-sweets')).toBe(true);

    const unknown = await t.app.request('/v1/items/00000000000000ff/similar', { headers: auth(t.readKey) });
    expect(unknown.status).toBe(404);
    const badCategory = await t.app.request('/v1/similar', {
      method: 'POST',
      headers: json(t.readKey),
      body: JSON.stringify({ text: 'milk', category: 'no-such' }),
    });
    expect(badCategory.status).toBe(400);
  });

  it("keeps tenants apart: another tenant's key finds none of the owner's items", async () => {
    const t = await makeTestApi();
    await classify(t, t.writeKey, ['Zorblax Whole Milk', 'Zorblax Oat Milk']);
    const other = newApiKey('acme', 'write', { tenant: 'acme' });
    await t.keys.put(other.record);
    await classify(t, other.key, ['Acme Skim Milk']);
    const theirs = await t.app.request(`/v1/items/${keyOf('Zorblax Whole Milk')}/similar`, { headers: auth(other.key) });
    expect(theirs.status).toBe(404);
    const found: Json = await (
      await t.app.request('/v1/similar', { method: 'POST', headers: json(other.key), body: JSON.stringify({ text: 'Zorblax milk' }) })
    ).json();
    expect(found.similar.map((s: Json) => s.name)).toEqual(['Acme Skim Milk']);
    const recommend = await t.app.request(`/v1/items/${keyOf('Zorblax Whole Milk')}/recommend`, { headers: auth(other.key) });
    expect(recommend.status).toBe(404);
  });

  it('indexes the items of a finished job', async () => {
    const t = await makeTestApi();
    const form = new FormData();
    form.append('file', new Blob(['name\nGouda Cheese Wedge\nCheddar Cheese Block\nDish Soap Lemon\n'], { type: 'text/csv' }), 'cheese.csv');
    expect((await t.app.request('/v1/jobs', { method: 'POST', headers: auth(t.writeKey), body: form })).status).toBe(202);
    await t.service.jobs.idle();
    const body: Json = await (await t.app.request(`/v1/items/${keyOf('Gouda Cheese Wedge')}/similar?k=1`, { headers: auth(t.readKey) })).json();
    expect(body.similar[0].name).toBe('Cheddar Cheese Block');
  });

  it('recommends what is bought together first, and similar items for an item without history', async () => {
    const t = await makeTestApi();
    await classify(t, t.writeKey, ['Tortilla Chips', 'Salsa Medium', 'Corn Chips', 'Whole Milk', 'Oat Milk']);
    // The shopper pipeline's output for the default tenant ($AISLE_HOME/shoppers/events.parquet): chips and salsa
    // together in 4 of 12 purchase sessions and never apart: lift 12 · 4 / (4 · 4) = 3.
    const dir = join(t.home, 'shoppers');
    mkdirSync(dir, { recursive: true });
    const db = await DuckDBInstance.create(':memory:');
    const c = await db.connect();
    await c.run(`COPY (SELECT * FROM (VALUES
      ('s1', 'purchase', 'Tortilla Chips'), ('s1', 'purchase', 'Salsa Medium'),
      ('s2', 'purchase', 'Tortilla Chips'), ('s2', 'purchase', 'Salsa Medium'),
      ('s3', 'purchase', 'Tortilla Chips'), ('s3', 'purchase', 'Salsa Medium'),
      ('s4', 'purchase', 'Tortilla Chips'), ('s4', 'purchase', 'Salsa Medium'),
      ('s5', 'purchase', 'Whole Milk'), ('s6', 'purchase', 'Oat Milk'), ('s7', 'view', 'Salsa Medium')
    ) AS e(session_id, event, product_name)
    UNION ALL SELECT 'm' || i, 'purchase', 'Whole Milk' FROM range(6) r(i)) TO '${join(dir, 'events.parquet')}' (FORMAT PARQUET)`);
    c.closeSync();

    const chips: Json = await (await t.app.request(`/v1/items/${keyOf('Tortilla Chips')}/recommend?k=3`, { headers: auth(t.readKey) })).json();
    expect(chips.recommendations[0]).toMatchObject({ key: keyOf('Salsa Medium'), name: 'Salsa Medium', sessions: 4, lift: 3 });
    expect(chips.recommendations[0].sources).toContain('bought_together');
    const milk: Json = await (await t.app.request(`/v1/items/${keyOf('Whole Milk')}/recommend?k=1`, { headers: auth(t.readKey) })).json();
    expect(milk.recommendations[0]).toMatchObject({ name: 'Oat Milk', sources: ['similar'] });
  });
});
