import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listen } from '../../bin/commands/serve.ts';
import { makeTestApi, type TestApi } from '../api/fixtures.ts';
import { writeFixtureLake } from '../support/lake-fixture.ts';
import { toolAvailable } from '../support/tools.ts';

const ARTIFACTS = join(import.meta.dirname, '../../test-artifacts');
const hasChromium = toolAvailable('chromium', 'the web inspector phone-width test');
const PHONE = { width: 390, height: 844 };

/** How far the page scrolls sideways, and the elements that reach past the right edge of the viewport. */
const overflow = (page: Page) =>
  page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    const past = Array.from(document.querySelectorAll('body *'))
      .filter((e) => (e as HTMLElement).offsetParent !== null && e.getBoundingClientRect().right > width + 0.5)
      // Inside a container that scrolls (or clips) sideways on its own is fine: the page does not.
      .filter((e) => {
        for (let a = e.parentElement; a && a !== document.body; a = a.parentElement)
          if (getComputedStyle(a).overflowX !== 'visible') return a.getBoundingClientRect().right > width + 0.5;
        return true;
      })
      .map(
        (e) =>
          `${e.tagName.toLowerCase()}${e.id ? `#${e.id}` : ''}${e.className && typeof e.className === 'string' ? `.${e.className.split(' ')[0]}` : ''}`,
      );
    return { scrollWidth: document.documentElement.scrollWidth, width, past: [...new Set(past)].slice(0, 12) };
  });

describe.skipIf(!hasChromium)('web inspector at a phone width (390 px)', () => {
  let t: TestApi;
  let server: Awaited<ReturnType<typeof listen>>;
  let browser: Browser;

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    t = await makeTestApi();
    writeFixtureLake(join(t.home, 'lake'), [
      { id: 'job-a', dt: '2026-11-01', rows: 120, at: '2026-11-01T10:00:00.000Z' },
      { id: 'job-b', dt: '2026-11-02', rows: 80, at: '2026-11-02T10:00:00.000Z' },
    ]);
    await t.app.request('/v1/classify', {
      method: 'POST',
      headers: { authorization: `Bearer ${t.writeKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ items: [{ name: 'A Rather Long Product Name For A Gadget With Many Words' }, { name: 'Whole Milk 1 gal' }] }),
    });
    server = await listen(t.app, { host: '127.0.0.1', port: 0 });
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await t?.close();
  });

  it('no tab scrolls sideways: classify, history, jobs, review, models, insights', async () => {
    const context = await browser.newContext({ viewport: PHONE, deviceScaleFactor: 1 });
    const page = await context.newPage();
    await page.goto(`${server.url}/`);
    await page.waitForSelector('body[data-ready=true]');
    await page.getByLabel('API key').fill(t.writeKey);
    await page.getByRole('button', { name: 'Use key' }).click();
    await expect.poll(() => page.locator('#key-status').textContent()).toBe('Key accepted.');
    const seen: Record<string, Awaited<ReturnType<typeof overflow>>> = {};
    const check = async (tab: string) => {
      await page.screenshot({ path: join(ARTIFACTS, `inspector-phone-${tab.toLowerCase()}.png`), fullPage: true });
      seen[tab] = await overflow(page);
    };

    await page.getByLabel('Product name').fill('Sea Salt Chips');
    await page.getByLabel(/Debug/).check();
    await page.getByRole('button', { name: 'Classify' }).click();
    await expect.poll(() => page.locator('#classify-result h2').textContent()).toBe('Food > Snacks & Sweets');
    await check('Classify');

    await page.getByRole('tab', { name: 'History' }).click();
    await expect.poll(() => page.locator('#recent tbody tr').count()).toBeGreaterThan(0);
    await page.locator('#recent tbody tr').first().getByRole('button').click();
    await expect.poll(() => page.locator('#item-detail h2').count()).toBe(1);
    await check('History');

    await page.getByRole('tab', { name: 'Jobs' }).click();
    await check('Jobs');

    await page.getByRole('tab', { name: 'Review' }).click();
    await expect.poll(() => page.getByRole('listbox', { name: 'Items to review' }).getByRole('option').count()).toBeGreaterThan(0);
    await check('Review');

    await page.getByRole('tab', { name: 'Models' }).click();
    await expect.poll(() => page.locator('#models .model').count()).toBe(2);
    await check('Models');

    await page.getByRole('tab', { name: 'Insights' }).click();
    await page.getByRole('button', { name: 'tier mix' }).click();
    await expect.poll(() => page.locator('#insights h2').textContent()).toBe('tier mix');
    await check('Insights');

    const fits = { scrollWidth: PHONE.width, width: PHONE.width, past: [] };
    expect(Object.keys(seen)).toHaveLength(6);
    expect(seen).toEqual(Object.fromEntries(Object.keys(seen).map((tab) => [tab, fits])));
    await context.close();
  });
});
