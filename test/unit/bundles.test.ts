import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { bundleFor } from '../../bin/bundles.mjs';

const ROOT = resolve(import.meta.dirname, '../..');
// Under the checkout (bundles are of its sources), in a folder git ignores.
const dir = join(ROOT, 'test-artifacts', `bundles-${process.pid}`);
const name = `test-bundle-${process.pid}`;

describe('bundles of the TypeScript sources', () => {
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
    rmSync(join(ROOT, 'node_modules/.cache/aisle', `${name}.json`), { force: true });
  });

  it('keeps each source its own import.meta, reuses a bundle while its sources stand, and builds anew when one changes', async () => {
    mkdirSync(dir, { recursive: true });
    const helper = join(dir, 'helper.ts');
    const entry = join(dir, 'entry.ts');
    writeFileSync(helper, 'export const where: string = import.meta.url;\nexport const version = 1;\n');
    writeFileSync(entry, "export { where, version } from './helper.ts';\nexport const entryDir: string = import.meta.dirname;\n");
    const relativeEntry = entry.slice(ROOT.length + 1);

    const first = await bundleFor({ name, entry: relativeEntry, packages: 'external' });
    expect(first).toMatch(new RegExp(`node_modules/\\.cache/aisle/${name}-[0-9a-f]{16}/entry\\.mjs$`));
    const loaded = await import(pathToFileURL(first).href);
    expect(loaded.where).toBe(pathToFileURL(helper).href);
    expect(loaded.entryDir).toBe(dir);
    expect(loaded.version).toBe(1);
    expect(await bundleFor({ name, entry: relativeEntry, packages: 'external' })).toBe(first);

    // A change in an imported file (not the entry) is seen too.
    writeFileSync(helper, 'export const where: string = import.meta.url;\nexport const version = 2;\n');
    const second = await bundleFor({ name, entry: relativeEntry, packages: 'external' });
    expect(second).not.toBe(first);
    expect((await import(pathToFileURL(second).href)).version).toBe(2);
    for (const built of [first, second]) rmSync(resolve(built, '..'), { recursive: true, force: true });
  });
});
