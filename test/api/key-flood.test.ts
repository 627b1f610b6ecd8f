/**
 * Key floods (issue 15 item 10): a client presenting made-up keys is refused before the key store is read, on the
 * served app, counted by the client's real address (clients bind their own loopback addresses: 127.0.0.2 floods,
 * 127.0.0.1 is a legitimate caller).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { listen, nodeClientOf } from '../../bin/commands/serve.ts';
import { DuckDbKeyStore } from '../../functions/adapters/local/keys.ts';
import { newApiKey } from '../../functions/core/api-keys.ts';
import type { KeyStore } from '../../functions/ports.ts';
import { closeTestApis, makeTestApi } from './fixtures.ts';

const homes: string[] = [];
afterEach(async () => {
  await closeTestApis();
  for (const home of homes.splice(0)) rmSync(home, { recursive: true, force: true });
});

/** A key store file in a fresh folder, as `aisle serve` has it. */
function keyFile(): string {
  homes.push(mkdtempSync(join(tmpdir(), 'aisle-keys-')));
  return join(homes.at(-1)!, 'keys.duckdb');
}

/** GET `url` with `key`, from the local address `from`: status and Retry-After. */
function get(url: string, key: string, from: string): Promise<{ status: number; retryAfter?: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}/v1/taxonomy`, { localAddress: from, headers: { authorization: `Bearer ${key}` } }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode!, retryAfter: res.headers['retry-after'] }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** The key store file of a home, with its lookups counted (the real store underneath). */
function countedStore(path: string): { store: KeyStore; file: DuckDbKeyStore; gets: () => number } {
  const file = new DuckDbKeyStore(path);
  let gets = 0;
  const store: KeyStore = {
    put: (r) => file.put(r),
    list: () => file.list(),
    revoke: (id, at) => file.revoke(id, at),
    get: (id) => {
      gets++;
      return file.get(id);
    },
  };
  return { store, file, gets: () => gets };
}

const madeUpKey = () => newApiKey('made-up', 'write').key;

describe('failed authentications per client', () => {
  it('answers 429 without a store read after K failures from one address; a good key from another address still works', async () => {
    const keys = countedStore(keyFile());
    const good = newApiKey('legit', 'read');
    await keys.file.put(good.record);
    const K = 5;
    const t = await makeTestApi({ keys: keys.store, clientOf: nodeClientOf(), failedAuthLimit: { failures: K, windowSeconds: 60 } });
    const server = await listen(t.app, { host: '127.0.0.1', port: 0 });
    try {
      for (let i = 0; i < K; i++) expect((await get(server.url, madeUpKey(), '127.0.0.2')).status).toBe(401);
      expect(keys.gets()).toBe(K);

      const refused = await get(server.url, madeUpKey(), '127.0.0.2');
      expect(refused.status).toBe(429);
      expect(Number(refused.retryAfter)).toBeGreaterThan(0);
      expect((await get(server.url, 'not-a-key', '127.0.0.2')).status).toBe(429);
      expect(keys.gets()).toBe(K); // refused before the store

      expect((await get(server.url, good.key, '127.0.0.1')).status).toBe(200);
      expect(keys.gets()).toBe(K + 1);
    } finally {
      await server.close();
    }
  });

  it('never reads the store for a malformed key', async () => {
    const keys = countedStore(keyFile());
    const t = await makeTestApi({ keys: keys.store });
    for (const bad of ['not-a-key', 'aisle_zzzzzzzz_x', `${madeUpKey()}x`]) {
      expect((await t.app.request('/v1/taxonomy', { headers: { authorization: `Bearer ${bad}` } })).status).toBe(401);
    }
    expect(keys.gets()).toBe(0);
  });
});

describe('remembered key checks', () => {
  it('keep a good key through a flood of 10,000 refused ones (each kept apart, in bounded maps)', { timeout: 60_000 }, async () => {
    const keys = countedStore(keyFile());
    const good = newApiKey('legit', 'read');
    await keys.file.put(good.record);
    const t = await makeTestApi({ keys: keys.store, failedAuthLimit: null, keyCacheMs: 600_000 });
    const get = (key: string) => t.app.request('/v1/taxonomy', { headers: { authorization: `Bearer ${key}` } });
    expect((await get(good.key)).status).toBe(200);
    for (let i = 0; i < 10_001; i++) await get(madeUpKey());
    const before = keys.gets();
    expect((await get(good.key)).status).toBe(200);
    expect(keys.gets()).toBe(before); // still remembered: no store read
  });
});

describe('the local key store', () => {
  it('keeps its keys in memory and sees a key another process adds to the file', async () => {
    const path = keyFile();
    const server = new DuckDbKeyStore(path);
    const first = newApiKey('first', 'write');
    await server.put(first.record);
    expect((await server.get(first.record.id))?.name).toBe('first');

    const started = performance.now();
    for (let i = 0; i < 200; i++) await server.get(newApiKey('x', 'read').record.id);
    expect(performance.now() - started).toBeLessThan(1000); // the file is opened once, not 200 times (~15 ms each)

    const second = newApiKey('second', 'read');
    await new DuckDbKeyStore(path).put(second.record); // `aisle keys create` in another process
    expect((await server.get(second.record.id))?.name).toBe('second');
    await new DuckDbKeyStore(path).revoke(first.record.id, new Date().toISOString());
    expect((await server.get(first.record.id))?.revokedAt).toBeDefined();
  });
});
