/**
 * A run truncates each file it writes (output, rejects, the working CSV of another format) before it reads a
 * row, so none of them may be the input under another name: the catalog would be lost.
 */
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classifyFile } from '../../functions/adapters/local/classify-file.ts';
import { createLocalRuntime, type LocalRuntime } from '../../functions/adapters/local/runtime.ts';
import { UserError } from '../../functions/core/errors.ts';

const dir = mkdtempSync(join(tmpdir(), 'aisle-classify-paths-'));
const CATALOG = 'name,brand\nWhole Milk 1 gal,Acme\n';
let rt: LocalRuntime;

beforeAll(async () => {
  rt = await createLocalRuntime({ home: join(dir, 'home'), tiers: [], warn: () => undefined });
});
afterAll(async () => {
  await rt.close();
  rmSync(dir, { recursive: true, force: true });
});

function catalog(name: string): string {
  const path = join(dir, name);
  writeFileSync(path, CATALOG);
  return path;
}

describe('classifyFile refuses to write over its input', () => {
  it('an input named like the rejects file of the output', async () => {
    const input = catalog('cat.rejects.csv');
    const run = classifyFile(rt, { input, output: join(dir, 'cat.csv'), lake: 'off' });
    await expect(run).rejects.toThrow(UserError);
    await expect(run).rejects.toThrow(/must differ from the input file: .*cat\.rejects\.csv is the input/);
    expect(readFileSync(input, 'utf8')).toBe(CATALOG);
  });

  it('an output that is a link to the input', async () => {
    const input = catalog('linked.csv');
    const output = join(dir, 'link.csv');
    symlinkSync(input, output);
    await expect(classifyFile(rt, { input, output, lake: 'off' })).rejects.toThrow(/must differ from the input file/);
    expect(readFileSync(input, 'utf8')).toBe(CATALOG);
  });

  it('still writes beside the input when the names differ', async () => {
    const input = catalog('plain.csv');
    const summary = await classifyFile(rt, { input, output: join(dir, 'plain.out.csv'), lake: 'off' });
    expect(summary.rowsIn).toBe(1);
    expect(readFileSync(input, 'utf8')).toBe(CATALOG);
  });
});
