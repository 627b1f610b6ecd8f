#!/usr/bin/env node
// npm bin entry. The CLI runs from a bundle of its TypeScript sources (bundles.mjs: built on first use and
// when a source changes), which starts ~0.15 s sooner than compiling through tsx; where no bundle can be
// written (a read-only node_modules), tsx runs the sources as they are.
import { bundleFor } from './bundles.mjs';

const bundle = await bundleFor({ name: 'cli', entry: 'bin/aisle.ts', packages: 'external' }).catch(() => undefined);
if (bundle) {
  // Stack traces name the TypeScript sources, as they do under tsx.
  process.setSourceMapsEnabled(true);
  await import(bundle);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('./aisle.ts');
}
