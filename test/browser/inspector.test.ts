import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classList, numbered } from '../../functions/core/class-list.ts';
import { loadTaxonomy } from '../../functions/core/taxonomy.ts';
import type { TestApi } from '../api/fixtures.ts';
import { toolAvailable } from '../support/tools.ts';
import { ARTIFACTS, classifyNames, type Inspector, startInspector, useKey } from './inspector-fixture.ts';

const hasChromium = toolAvailable('chromium', 'the web inspector browser tests');

describe.skipIf(!hasChromium)('web inspector in headless chromium', () => {
  let ins: Inspector;
  let t: TestApi;
  let server: Inspector['server'];
  let browser: Browser;

  beforeAll(async () => {
    ins = await startInspector();
    ({ t, server, browser } = ins);
  });
  afterAll(async () => {
    await ins?.close();
  });

  /** A fresh page with the key entered; fails the test on any request that leaves this server. */
  async function open(tab = ''): Promise<Page> {
    const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1200, height: 900 } });
    const page = await context.newPage();
    const external: string[] = [];
    page.on('request', (r) => {
      if (!r.url().startsWith(server.url) && !r.url().startsWith('blob:') && !r.url().startsWith('data:')) external.push(r.url());
    });
    page.on('pageerror', (e) => external.push(`page error: ${e.message}`));
    page.on('console', (m) => {
      if (/Content.Security.Policy/i.test(m.text())) external.push(`CSP: ${m.text()}`);
    });
    await page.goto(`${server.url}/${tab}`);
    await useKey(page, t.writeKey);
    (page as Page & { external: string[] }).external = external;
    return page;
  }
  const noExternal = (page: Page) => expect((page as Page & { external: string[] }).external).toEqual([]);

  it('classifies a typed product: label, tier, rule, bars, latency, and the trace in debug', async () => {
    const page = await open();
    await page.getByLabel('Product name').fill('Whole Milk 1 gal');
    await page.getByLabel(/Debug/).check();
    await page.getByRole('button', { name: 'Classify' }).click();
    const result = page.locator('#classify-result');
    await expect.poll(() => result.locator('h2').textContent()).toBe('Food > Dairy & Eggs');
    const text = await result.textContent();
    expect(text).toContain('rules');
    expect(text).toContain('kw.milk');
    expect(text).toMatch(/round trip/);
    const trace = await page.locator('#classify-debug').textContent();
    expect(trace).toContain('Calls made');
    expect(trace).toContain('POST /v1/classify?trace=1');
    await page.getByLabel('Product name').fill('Sea Salt Chips');
    await page.getByRole('button', { name: 'Classify' }).click();
    await expect.poll(() => result.locator('h2').textContent()).toBe('Food > Snacks & Sweets');
    expect(await result.locator('.bar').count()).toBe(2);
    await page.screenshot({ path: join(ARTIFACTS, 'inspector-classify.png'), fullPage: true });
    noExternal(page);
  });

  it('uploads a CSV, shows progress to done, and downloads the results and rejects', async () => {
    const page = await open('#jobs');
    await page
      .locator('#job-file')
      .setInputFiles({ name: 'catalog.csv', mimeType: 'text/csv', buffer: Buffer.from('name\nWhole Milk\n\nCola 12 pack\n""\nBlue Widget\n') });
    const row = page.locator('#jobs tbody tr').first();
    await expect.poll(() => row.locator('.job-status').textContent(), { timeout: 15_000 }).toBe('done');
    await page.screenshot({ path: join(ARTIFACTS, 'inspector-jobs.png'), fullPage: true });
    const [download] = await Promise.all([page.waitForEvent('download'), row.getByRole('button', { name: 'Results' }).click()]);
    const result = readFileSync((await download.path())!, 'utf8');
    expect(result).toContain('Whole Milk,Food,Dairy & Eggs,1,rules,ok,kw.milk,');
    expect(result).toContain('Cola 12 pack,Food,Beverages,1,rules,ok,kw.cola,');
    const [rejects] = await Promise.all([page.waitForEvent('download'), row.getByRole('button', { name: 'Rejects' }).click()]);
    expect(readFileSync((await rejects.path())!, 'utf8')).toMatch(/^line,reason,raw\n5,empty product name,/);
    noExternal(page);
  });

  it('labels review items from the keyboard and bulk-accepts the rest', async () => {
    const keys = await classifyNames(t, ['Gadget One', 'Gadget Two', 'Gadget Three']);
    const page = await open('#review');
    const list = page.getByRole('listbox', { name: 'Items to review' });
    await expect.poll(() => list.getByRole('option').count()).toBeGreaterThanOrEqual(3);
    await list.focus();
    const gadgetTwo = list.getByRole('option', { name: /Gadget Two/ });
    for (let i = 0; i < 10 && (await gadgetTwo.getAttribute('aria-selected')) !== 'true'; i++) await page.keyboard.press('j');
    expect(await gadgetTwo.getAttribute('aria-selected')).toBe('true');
    await page.keyboard.press('2'); // 1 is Food (no subcategory), 2 its first subcategory
    await expect.poll(() => gadgetTwo.textContent()).toContain('→ 2. Food > Beverages');
    await page.screenshot({ path: join(ARTIFACTS, 'inspector-review.png'), fullPage: true });
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('#review-status').textContent()).toBe('Labelled "Gadget Two" as Food > Beverages.');
    const item = (await (await t.app.request(`/v1/items/${keys[1]}`, { headers: { authorization: `Bearer ${t.writeKey}` } })).json()) as {
      current: { decision: { tier: string; classId: string } };
    };
    expect(item.current.decision).toMatchObject({ tier: 'human', classId: 'food.beverages' });

    const waiting = await list.getByRole('option').count();
    await page.getByRole('button', { name: 'Accept marked guesses' }).click();
    await expect.poll(() => page.locator('#review-status').textContent()).toBe('Nothing is marked: press x on an item to mark it.');
    expect(await list.getByRole('option').count()).toBe(waiting);
    await list.focus();
    for (let i = 0; i < waiting; i++) await page.keyboard.press('k');
    for (let i = 0; i < waiting; i++) {
      await page.keyboard.press('x');
      await page.keyboard.press('j');
    }
    await expect.poll(() => list.locator('.marked').count()).toBe(waiting);
    await page.getByRole('button', { name: 'Accept marked guesses' }).click();
    await expect.poll(() => page.locator('#review-status').textContent()).toBe(`Accepted ${waiting} guesses.`);
    await expect.poll(() => list.textContent()).toBe('Nothing waits for review.');
    noExternal(page);
  });

  it('shows champion and challenger with the confusion matrix', async () => {
    const page = await open('#models');
    await expect.poll(() => page.locator('#models .model').count()).toBe(2);
    expect(await page.locator('.confusion').count()).toBe(2);
    expect(await page.locator('.confusion').first().textContent()).toContain('Non-Food > Household');
    await page.screenshot({ path: join(ARTIFACTS, 'inspector-models.png'), fullPage: true });
    noExternal(page);
  });

  it('opens the history of a classified item from the recent decisions', async () => {
    const page = await open();
    await page.getByLabel('Product name').fill('Cola 12 pack');
    await page.getByRole('button', { name: 'Classify' }).click();
    await expect.poll(() => page.locator('#classify-result h2').textContent()).toBe('Food > Beverages');
    const key = await page.locator('#classify-result code').textContent();
    await page.getByRole('tab', { name: 'History' }).click();
    const recent = page.locator('#recent tbody tr');
    expect(await recent.first().textContent()).toBe(`Cola 12 packFood > Beveragesrulesok${key}`);
    await recent
      .first()
      .getByRole('button', { name: String(key) })
      .click();
    await expect.poll(() => page.locator('#item-detail h2').textContent()).toBe('Cola 12 pack');
    expect(await page.locator('#item-detail').textContent()).toMatch(/Normalized text: cola 12/);
    expect(await page.locator('#item-detail tbody tr').first().textContent()).toContain('Food > Beveragesrulesok100.0%keyword cola');
    noExternal(page);
  });

  it('charts the named insight queries: histogram, time series and bars over their table', async () => {
    const page = await open('#insights');
    const insights = page.locator('#insights');
    await page.getByRole('button', { name: 'confidence histogram' }).click();
    await expect.poll(() => insights.locator('h2').textContent()).toBe('confidence histogram');
    expect(await insights.locator('svg[aria-label="items per confidence bucket (histogram)"] rect').count()).toBe(10);
    await page.getByRole('button', { name: 'category by day' }).click();
    await expect.poll(() => insights.locator('h2').textContent()).toBe('category by day');
    expect(await insights.locator('svg[aria-label="items per category over dt (time series)"] path').count()).toBeGreaterThan(1);
    await page.getByLabel('Job (optional)').fill('job-b');
    await page.getByRole('button', { name: 'tier mix' }).click();
    await expect.poll(() => insights.locator('h2').textContent()).toBe('tier mix · job-b');
    const bars = insights.locator('svg[aria-label$="per row (bar chart)"] rect');
    expect(await bars.count()).toBe(await insights.locator('table tbody tr').count());
    expect(await bars.count()).toBeGreaterThan(0);
    await page.screenshot({ path: join(ARTIFACTS, 'inspector-insights.png'), fullPage: true });
    noExternal(page);
  });
  /** The classes as every tab must list them: numbered in taxonomy order, Level-1-only ones included. */
  const expected = classList(loadTaxonomy().classes).map(numbered);
  const texts = (page: Page, selector: string) => page.locator(selector).allTextContents();

  it('lists and numbers the classes alike on every tab: review picker, classify bars, insights legend, models matrix', async () => {
    const page = await open('#review');
    await expect.poll(() => texts(page, '#classes li')).toEqual(expected);
    expect(expected).toContain('1. Food (no subcategory)');
    expect(expected).toContain('10. Non-Food (no subcategory)');

    await page.getByRole('tab', { name: 'Classify' }).click();
    await page.getByLabel('Product name').fill('BBQ Potato Chips'); // not classified before: not from the cache, so both candidates
    await page.getByRole('button', { name: 'Classify' }).click();
    await expect.poll(() => page.locator('#classify-result .bar-label').count()).toBe(2);
    const bars = await texts(page, '#classify-result .bar-label');
    expect(bars).toEqual(['3. Food > Snacks & Sweets', '5. Food > Pantry Staples']);

    await page.getByRole('tab', { name: 'Insights' }).click();
    await expect.poll(() => page.locator('#insights .legend li').count()).toBeGreaterThan(1);
    const legend = await texts(page, '#insights .legend li');
    expect(legend.filter((l) => !expected.includes(l))).toEqual([]);
    expect(legend).toEqual([...legend].sort((a, b) => expected.indexOf(a) - expected.indexOf(b)));

    await page.getByRole('tab', { name: 'Models' }).click();
    await expect.poll(() => page.locator('.confusion').count()).toBe(2);
    const rows = await texts(page, '.confusion >> nth=0 >> tbody th[scope=row]');
    expect(rows).toContain('10. Non-Food (no subcategory)');
    expect(rows.filter((r) => !expected.includes(r))).toEqual([]);
    const columns = await texts(page, '.confusion >> nth=0 >> thead th[scope=col]');
    expect(columns).toEqual(rows.map((r) => r.split('.')[0]));
    noExternal(page);
  });

  it('labels a review item Level-1-only: "Non-Food (no subcategory)" is picked by its number and stored', async () => {
    const [key] = await classifyNames(t, ['Odd Contraption']);
    const page = await open('#review');
    const list = page.getByRole('listbox', { name: 'Items to review' });
    const item = list.getByRole('option', { name: /Odd Contraption/ });
    await expect.poll(() => item.count()).toBe(1);
    await item.click();
    await list.focus();
    await page.keyboard.press('1');
    await page.keyboard.press('0');
    await expect.poll(() => item.textContent()).toContain('→ 10. Non-Food (no subcategory)');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('#review-status').textContent()).toBe('Labelled "Odd Contraption" as Non-Food (no subcategory).');
    const stored = (await (await t.app.request(`/v1/items/${key}`, { headers: { authorization: `Bearer ${t.writeKey}` } })).json()) as {
      current: { decision: unknown };
    };
    expect(stored.current.decision).toMatchObject({ tier: 'human', classId: 'non-food', levels: { level1: 'Non-Food', level2: '' } });
    noExternal(page);
  });

  /** Marks a chart draws that take room on the page (a one-point path draws nothing). */
  const visibleMarks = (page: Page) =>
    page.locator('#insights svg').evaluateAll(
      (svgs) =>
        svgs
          .flatMap((s) => Array.from(s.querySelectorAll<SVGGraphicsElement>('path, circle, rect')))
          .filter((m) => {
            const box = m.getBBox();
            return box.width > 0 || box.height > 0;
          }).length,
    );

  it('opens the insights tab on a chart, not an empty picker', async () => {
    const page = await open('#insights');
    await expect.poll(() => page.locator('#insights svg').count()).toBe(1);
    expect(await page.locator('#insights h2').textContent()).toBe('category by day');
    expect(await visibleMarks(page)).toBeGreaterThan(0);
    noExternal(page);
  });

  it('draws category_by_day for a single day', async () => {
    const page = await open('#insights');
    await page.getByLabel('Job (optional)').fill('job-a');
    await page.getByRole('button', { name: 'category by day' }).click();
    await expect.poll(() => page.locator('#insights h2').textContent()).toBe('category by day · job-a');
    expect(await texts(page, '#insights tbody tr td:first-child').then((days) => [...new Set(days)])).toEqual(['2026-11-01']);
    expect(await visibleMarks(page)).toBeGreaterThanOrEqual(1);
    await page.screenshot({ path: join(ARTIFACTS, 'inspector-insights-one-day.png'), fullPage: true });
    noExternal(page);
  });

  it('plots top_uncertain by confidence, not by row number', async () => {
    const page = await open('#insights');
    await page.getByRole('button', { name: 'top uncertain' }).click();
    await expect.poll(() => page.locator('#insights h2').textContent()).toBe('top uncertain');
    const header = await texts(page, '#insights thead th');
    const confidences = await texts(page, `#insights tbody td:nth-child(${header.indexOf('confidence') + 1})`);
    expect(confidences.length).toBeGreaterThan(0);
    expect(await page.locator('#insights svg').getAttribute('aria-label')).toBe('confidence per row (bar chart)');
    const plotted = await texts(page, '#insights svg text:nth-child(3n)');
    expect(plotted).toEqual(confidences.slice(0, 40));
    noExternal(page);
  });
});
