import { chmodSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DuckDbKeyStore } from '../../functions/adapters/local/keys.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const home = () => {
  const d = mkdtempSync(join(tmpdir(), 'aisle-keys-'));
  dirs.push(d);
  return d;
};
const record = (id: string) => ({
  id,
  name: `key ${id}`,
  role: 'write' as const,
  tenant: 'default',
  hash: `hash-${id}`,
  createdAt: '2026-12-06T00:00:00.000Z',
});
const mode = (path: string) => statSync(path).mode & 0o777;

describe('DuckDbKeyStore file', () => {
  it('creates the key store readable by its owner only (0600), and tightens an existing one', async () => {
    const dir = home();
    const path = join(dir, 'keys.duckdb');
    const store = new DuckDbKeyStore(path);
    await store.put(record('k1'));
    expect(mode(path)).toBe(0o600);
    expect(await store.get('k1')).toMatchObject({ name: 'key k1' });
    expect(readdirSync(dir)).toEqual(['keys.duckdb']);

    chmodSync(path, 0o644);
    const again = new DuckDbKeyStore(path);
    expect((await again.list()).map((r) => r.id)).toEqual(['k1']);
    expect(mode(path)).toBe(0o600);
  });
});
