/**
 * POST /v1/models/retrain while the server holds the DuckDB store (issue 15 item 15): the real `aisle train`
 * runs as the server's child on the labelled items the server exported, its progress shows on the run, it
 * promotes the challenger; a run that cannot train fails with the trainer's own reason.
 */
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { LocalRetrainer } from '../../functions/adapters/local/retrainer.ts';
import { createApp } from '../../functions/api/app.ts';
import { spanishCatalog, storeAsReviewed } from '../fixtures/spanish-catalog.ts';
import { auth, closeTestApis, makeTestApi, type TestApi } from './fixtures.ts';

afterEach(closeTestApis);

const AISLE = fileURLToPath(new URL('../../bin/aisle.mjs', import.meta.url));
type Json = Record<string, unknown>;

/** Half the Spanish catalog in the store: every third item decided by the LLM, the others labelled by a person. */
async function labelItems(t: TestApi): Promise<number> {
  const rows = spanishCatalog().filter((_, i) => i % 2 === 0);
  await storeAsReviewed(t.rt.store, t.rt.taxonomy, rows);
  return rows.length;
}

/** The served app with the real trainer (without the starter catalog: a few hundred rows train in seconds). */
function withTrainer(t: TestApi, ...options: string[]) {
  const retrainer = new LocalRetrainer({ home: t.home, store: t.rt.store, command: [process.execPath, AISLE, 'train', '--no-starter', ...options] });
  return createApp({ ...t.deps, retrainer });
}

/** Starts a run and polls it to its end; returns the run and every progress line seen on the way. */
async function retrain(app: ReturnType<typeof createApp>, key: string) {
  const res = await app.request('/v1/models/retrain', { method: 'POST', headers: auth(key) });
  expect(res.status).toBe(202);
  const started = (await res.json()) as Json;
  expect(started).toMatchObject({ status: 'running', id: expect.stringMatching(/^train-/) });
  expect(res.headers.get('location')).toBe(`/v1/models/retrain/${started.id}`);
  const seen = new Set<string>();
  let run = started;
  while (run.status === 'running') {
    await new Promise((r) => setTimeout(r, 100));
    run = (await (await app.request(`/v1/models/retrain/${started.id}`, { headers: auth(key) })).json()) as Json;
    if (run.progress) seen.add(String(run.progress));
  }
  return { run, progress: [...seen] };
}

describe('retraining while the server runs (real aisle train)', { timeout: 300_000 }, () => {
  it('trains on the labelled items the server exports, shows progress, and promotes the challenger', async () => {
    const t = await makeTestApi();
    const labelled = await labelItems(t);
    const app = withTrainer(t, '--holdout', '0.3', '--version', 'live-1');
    const { run, progress } = await retrain(app, t.writeKey);
    expect(run.error).toBeUndefined();
    expect(run.status).toBe('succeeded');
    expect(progress.some((p) => p.startsWith(`exported ${labelled} labelled items`))).toBe(true);
    expect(progress.some((p) => /epoch \d+\/\d+/.test(p))).toBe(true);
    expect(run.progress).toMatch(/model folder: /);
    const models = (await (await app.request('/v1/models', { headers: auth(t.writeKey) })).json()) as { champion: { version: string } };
    expect(models.champion.version).toBe('live-1');
    // The server's store is still its own and answers.
    expect((await app.request('/v1/review', { headers: auth(t.writeKey) })).status).toBe(200);
    expect((await app.request('/v1/models/retrain/train-nope', { headers: auth(t.writeKey) })).status).toBe(404);
    expect((await app.request('/v1/models/retrain', { method: 'POST', headers: auth(t.readKey) })).status).toBe(403);
  });

  it("fails a run that has nothing to hold out with the trainer's own reason", async () => {
    const t = await makeTestApi();
    const { run } = await retrain(withTrainer(t), t.writeKey);
    expect(run.status).toBe('failed');
    expect(run.error).toBe('aisle train exited with 1: no held-out rows: label items in the inspector (human labels) or pass --data FILE.csv');
  });
});
