/**
 * The inspector's Ask tab in headless chromium: a product question shows the items retrieved (a key opens the
 * item's history) and says no model answered; an analytics question shows the query used and its rows. The
 * server's model is an address nothing listens on, so "unavailable" is what it must say.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toolAvailable } from '../support/tools.ts';
import { classifyNames, type Inspector, startInspector, useKey } from './inspector-fixture.ts';

const hasChromium = toolAvailable('chromium', 'the web inspector browser tests');

describe.skipIf(!hasChromium)('the Ask tab', () => {
  let ins: Inspector;
  let keys: string[];
  const previousHost = process.env.OLLAMA_HOST;

  beforeAll(async () => {
    process.env.OLLAMA_HOST = 'http://127.0.0.1:9';
    ins = await startInspector(async (t) => {
      keys = await classifyNames(t, ['Gluten Free Pretzel Chips', 'Whole Milk 1 gal', 'Dish Soap']);
    });
  });
  afterAll(async () => {
    await ins?.close();
    if (previousHost === undefined) delete process.env.OLLAMA_HOST;
    else process.env.OLLAMA_HOST = previousHost;
  });

  it('shows the retrieved items of a product question, and the query and rows of an analytics one', async () => {
    const page = await (await ins.browser.newContext()).newPage();
    await page.goto(`${ins.server.url}/#ask`);
    await useKey(page, ins.t.writeKey);
    await page.getByLabel('Question').fill('which gluten-free snacks do we carry?');
    await page.getByRole('button', { name: 'Ask', exact: true }).click();
    const result = page.locator('#ask-result');
    await expect.poll(() => result.locator('table.ask-items tbody tr').count()).toBeGreaterThan(0);
    expect(await result.locator('tbody tr').first().textContent()).toContain('Gluten Free Pretzel Chips');
    expect(await result.locator('[data-generation]').getAttribute('data-generation')).toBe('unavailable');
    await result.locator(`button[data-key="${keys[0]}"]`).click();
    await expect.poll(() => page.locator('#item-detail h2').textContent()).toBe('Gluten Free Pretzel Chips');

    await page.getByRole('tab', { name: 'Ask' }).click();
    await page.getByLabel('Question').fill('what share of items went to review?');
    await page.getByRole('button', { name: 'Ask', exact: true }).click();
    await expect.poll(() => result.locator('code').first().textContent()).toBe('review_rate');
    expect(await result.locator('table tbody tr').count()).toBeGreaterThan(0);
  });
});
