import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toolAvailable } from '../support/tools.ts';
import { classifyNames, type Inspector, startInspector, useKey } from './inspector-fixture.ts';

const hasChromium = toolAvailable('chromium', 'the inspector bidirectional-control test');
/** Reads "Gadget owT" with the override, so it could pass for another product. */
const NAME = 'Gadget \u202eowT\u202c';

describe.skipIf(!hasChromium)('web inspector: bidirectional controls in a name', () => {
  let ins: Inspector;

  beforeAll(async () => {
    ins = await startInspector((t) => classifyNames(t, [NAME]));
  });
  afterAll(async () => {
    await ins?.close();
  });

  it('shows them as markers in the review row, while the API keeps the name byte for byte', async () => {
    const page = await (await ins.browser.newContext()).newPage();
    await page.goto(`${ins.server.url}/#review`);
    await useKey(page, ins.t.writeKey);
    const row = page.getByRole('listbox', { name: 'Items to review' }).getByRole('option').first();
    await expect.poll(() => row.locator('strong').textContent()).toBe('Gadget <U+202E>owT<U+202C>');
    const res = await ins.t.app.request('/v1/review', { headers: { authorization: `Bearer ${ins.t.writeKey}` } });
    const body = (await res.json()) as { items: { input: { name: string } }[] };
    expect(body.items.map((i) => i.input.name)).toEqual([NAME]);
  });
});
