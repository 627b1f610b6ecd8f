/** What both browser suites start from: a test API with a two-job lake, served locally, and headless chromium. */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { expect } from 'vitest';
import { listen } from '../../bin/commands/serve.ts';
import { makeTestApi, type TestApi } from '../api/fixtures.ts';
import { writeFixtureLake } from '../support/lake-fixture.ts';

export const ARTIFACTS = join(import.meta.dirname, '../../test-artifacts');

export interface Inspector {
  t: TestApi;
  server: Awaited<ReturnType<typeof listen>>;
  browser: Browser;
  close(): Promise<void>;
}

/** Classifies `names` through the API with the write key; the item keys, in order. */
export async function classifyNames(t: TestApi, names: string[]): Promise<string[]> {
  const res = await t.app.request('/v1/classify', {
    method: 'POST',
    headers: { authorization: `Bearer ${t.writeKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ items: names.map((name) => ({ name })) }),
  });
  return ((await res.json()) as { items: { key: string }[] }).items.map((i) => i.key);
}

/** `prepare` runs against the API before the server starts (e.g. to classify items the pages then show). */
export async function startInspector(prepare?: (t: TestApi) => unknown): Promise<Inspector> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const t = await makeTestApi();
  writeFixtureLake(join(t.home, 'lake'), [
    { id: 'job-a', dt: '2026-11-01', rows: 120, at: '2026-11-01T10:00:00.000Z' },
    { id: 'job-b', dt: '2026-11-02', rows: 80, at: '2026-11-02T10:00:00.000Z' },
  ]);
  await prepare?.(t);
  const server = await listen(t.app, { host: '127.0.0.1', port: 0 });
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  return {
    t,
    server,
    browser,
    async close() {
      await browser.close();
      await server.close();
      await t.close();
    },
  };
}

/** Enters the write key on an opened inspector page and waits until the page accepts it. */
export async function useKey(page: Page, key: string): Promise<void> {
  await page.waitForSelector('body[data-ready=true]');
  await page.getByLabel('API key').fill(key);
  await page.getByRole('button', { name: 'Use key' }).click();
  await expect.poll(() => page.locator('#key-status').textContent()).toBe('Key accepted.');
}
