import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shopperDirOf } from '../../functions/shoppers/insights.ts';
import { shopperInsightNames } from '../../functions/shoppers/registry.ts';
import { writeShopperTables } from '../support/shopper-fixture.ts';
import { toolAvailable } from '../support/tools.ts';
import { ARTIFACTS, type Inspector, startInspector, useKey } from './inspector-fixture.ts';

const hasChromium = toolAvailable('chromium', 'the web inspector browser tests');

/** The Shoppers tab over a generated log processed into the default tenant's shopper tables. */
describe.skipIf(!hasChromium)('inspector Shoppers tab in headless chromium', () => {
  let ins: Inspector;

  beforeAll(async () => {
    ins = await startInspector((t) =>
      writeShopperTables(join(t.home, 'gen'), shopperDirOf(t.home, 'default'), { events: 6000, shoppers: 400, seed: 3 }),
    );
  }, 120_000);
  afterAll(async () => {
    await ins?.close();
  });

  async function open(): Promise<Page> {
    const page = await (await ins.browser.newContext({ viewport: { width: 1200, height: 900 } })).newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('request', (r) => {
      if (!r.url().startsWith(ins.server.url) && !r.url().startsWith('data:')) errors.push(`external request ${r.url()}`);
    });
    await page.goto(`${ins.server.url}/#shoppers`);
    await useKey(page, ins.t.writeKey);
    (page as Page & { errors: string[] }).errors = errors;
    return page;
  }

  it('shows a chart for every named insight, columns over time for seasonality, the planted pair on top by lift', async () => {
    const page = await open();
    const names = shopperInsightNames();
    const sections = page.locator('#shoppers section.insight');
    await expect.poll(() => sections.count(), { timeout: 30_000 }).toBe(names.length);
    expect(await sections.evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.insight))).toEqual(names);
    for (const name of names) expect(await page.locator(`section[data-insight="${name}"] svg rect`).count(), name).toBeGreaterThan(0);
    const months = page.locator('section[data-insight="seasonality_by_month"] svg[aria-label$="(column chart)"] rect');
    expect(await months.count()).toBe(12);
    const firstRule = await page.locator('section[data-insight="frequent_category_sets"] svg rect title').first().textContent();
    expect(['Snacks & Sweets', 'Beverages', 'Pet Supplies', 'Household'].filter((w) => firstRule?.includes(w))).toHaveLength(2);
    await page.screenshot({ path: join(ARTIFACTS, 'inspector-shoppers.png'), fullPage: true });
    expect((page as Page & { errors: string[] }).errors).toEqual([]);
  });

  it('reruns with the parameters of the form, and shows a bad one as the API answers it', async () => {
    const page = await open();
    const bars = page.locator('section[data-insight="top_purchased_categories"] svg rect');
    await expect.poll(() => bars.count(), { timeout: 30_000 }).toBe(10);
    await page.getByLabel('Top', { exact: true }).fill('3');
    await page.getByRole('button', { name: 'Run' }).click();
    await expect.poll(() => bars.count(), { timeout: 30_000 }).toBe(3);
    await page.getByLabel('Minimum support', { exact: true }).fill('7');
    await page.getByRole('button', { name: 'Run' }).click();
    await expect.poll(() => page.locator('#shoppers [role=alert]').textContent(), { timeout: 30_000 }).toContain('query.min_support');
  });
});
