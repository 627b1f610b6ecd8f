/**
 * Builds the inspector's three files from this folder: index.html and app.css as they are, app.js bundled from
 * main.ts by esbuild. Node code (the browser tsconfig leaves it out). Run as a script, it writes them into a
 * folder: `node --import tsx functions/api/ui/build.ts <dir>` (the API's Lambda bundle, lib/stack.ts).
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const INSPECTOR_FILES = ['index.html', 'app.css', 'app.js'] as const;
export type InspectorFiles = Record<(typeof INSPECTOR_FILES)[number], string>;

export async function buildInspector(): Promise<InspectorFiles> {
  const { build } = await import('esbuild'); // on use only: a Lambda bundle has no esbuild, and is given the built files
  const source = (name: string) => fileURLToPath(new URL(name, import.meta.url));
  const bundle = await build({ entryPoints: [source('main.ts')], bundle: true, format: 'esm', target: 'es2022', write: false, logLevel: 'silent' });
  const [html, css] = await Promise.all(['index.html', 'app.css'].map((name) => readFile(source(name), 'utf8')));
  return { 'index.html': html, 'app.css': css, 'app.js': bundle.outputFiles[0].text };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const dir = process.argv[2];
  if (!dir) throw new Error('usage: node --import tsx functions/api/ui/build.ts <folder>');
  await mkdir(dir, { recursive: true });
  for (const [name, text] of Object.entries(await buildInspector())) await writeFile(join(dir, name), text);
}
