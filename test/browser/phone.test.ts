import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toolAvailable } from '../support/tools.ts';
import { ARTIFACTS, classifyNames, type Inspector, startInspector, useKey } from './inspector-fixture.ts';

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
  let ins: Inspector;

  beforeAll(async () => {
    ins = await startInspector((t) => classifyNames(t, ['A Rather Long Product Name For A Gadget With Many Words', 'Whole Milk 1 gal']));
  });
  afterAll(async () => {
    await ins?.close();
  });

  it('no tab scrolls sideways: classify, history, jobs, review, models, insights', async () => {
    const { t, server, browser } = ins;
    const context = await browser.newContext({ viewport: PHONE, deviceScaleFactor: 1 });
    const page = await context.newPage();
    await page.goto(`${server.url}/`);
    await useKey(page, t.writeKey);
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
