import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { ApiApp } from '../types.ts';
import { buildInspector, INSPECTOR_FILES, type InspectorFiles } from '../ui/build.ts';

/**
 * The built inspector beside a Lambda bundle (written there when it is bundled: lib/stack.ts). Nowhere else: a
 * checkout builds it from functions/api/ui on the first request and keeps it in memory.
 */
const SHIPPED = new URL('./inspector/', import.meta.url);

async function readShipped(): Promise<InspectorFiles> {
  const texts = await Promise.all(INSPECTOR_FILES.map((name) => readFile(new URL(name, SHIPPED), 'utf8')));
  return Object.fromEntries(INSPECTOR_FILES.map((name, i) => [name, texts[i]])) as InspectorFiles;
}

/** The web inspector: one page and two assets, from this server only (no CDN); the script is a separate URL, CSP-friendly. */
export function uiRoutes(app: ApiApp) {
  let files: Promise<InspectorFiles> | undefined;
  const file = async (name: keyof InspectorFiles) => (await (files ??= existsSync(SHIPPED) ? readShipped() : buildInspector()))[name];
  const noStore = { 'Cache-Control': 'no-cache' };
  app.get('/', async (c) => c.html(await file('index.html'), 200, noStore));
  app.get('/ui', (c) => c.redirect('/', 301));
  app.get('/ui/app.js', async (c) => c.body(await file('app.js'), 200, { 'Content-Type': 'text/javascript; charset=utf-8', ...noStore }));
  app.get('/ui/app.css', async (c) => c.body(await file('app.css'), 200, { 'Content-Type': 'text/css; charset=utf-8', ...noStore }));
}
