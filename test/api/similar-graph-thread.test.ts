/**
 * `aisle serve`'s readiness reports the similar index's graph thread: ok while it runs (or is started again after
 * a death), not ok, naming why, once it died on start more times than it is restarted (an optional dependency:
 * the server stays ready, similar products below 10,000 items a tenant answer without the graphs).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { vectorGraphWorkerScript } from '../../bin/commands/serve.ts';
import { GraphThread } from '../../functions/adapters/local/vector-index-ann.ts';
import { closeTestApis, makeTestApi } from './fixtures.ts';

// biome-ignore lint/suspicious/noExplicitAny: response bodies, checked field by field
type Json = any;

afterEach(closeTestApis);

describe('readiness of the similar index', () => {
  it('is ok while the graph thread runs', async () => {
    const graphThread = new GraphThread(await vectorGraphWorkerScript());
    try {
      const t = await makeTestApi({}, { graphThread });
      const res = await t.app.request('/ready');
      expect(res.status).toBe(200);
      expect(((await res.json()) as Json).checks['similar index']).toMatchObject({ ok: true, required: false });
    } finally {
      await graphThread.close();
    }
  });

  it('names why once the graph thread is given up on, and the server stays ready', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aisle-graph-ready-'));
    const script = join(dir, 'dies-on-start.mjs');
    writeFileSync(script, "throw new Error('cannot start');\n");
    const graphThread = new GraphThread(script, () => undefined);
    try {
      const t = await makeTestApi({}, { graphThread });
      await vi.waitFor(
        async () => {
          const res = await t.app.request('/ready');
          expect(res.status).toBe(200);
          expect((await res.json()) as Json).toMatchObject({
            ready: true,
            degraded: ['similar index'],
            checks: {
              'similar index': { ok: false, required: false, error: expect.stringMatching(/died 4 times in a row \(last: Error: cannot start\)/) },
            },
          });
        },
        { timeout: 15_000, interval: 100 },
      );
    } finally {
      await graphThread.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);
});
