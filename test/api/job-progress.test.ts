/**
 * Live job progress (issue 15 item 14): while a served job runs, GET /v1/jobs/:id shows rows in and out moving
 * between checkpoints. The job is what `aisle serve` runs (localService over a local runtime) with a tier that
 * takes a millisecond per 8 items, so a 40,000-row file takes seconds, well under one checkpoint (50,000).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { localService } from '../../bin/commands/serve.ts';
import { classifyFile } from '../../functions/adapters/local/classify-file.ts';
import { createLocalRuntime } from '../../functions/adapters/local/runtime.ts';
import { createApp } from '../../functions/api/app.ts';
import type { Tier } from '../../functions/core/types.ts';
import { keywordTier } from './fixtures.ts';

const ROWS = 40_000;
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const done of cleanups.splice(0)) await done();
});

/** The keyword tier, 1 ms per 8 items: about 5 s for the file when nothing else runs. */
const slowTier: Tier = {
  ...keywordTier,
  decide: async (items, ctx) => {
    await new Promise((ok) => setTimeout(ok, items.length / 8));
    return keywordTier.decide(items, ctx);
  },
};

/** A local runtime whose one tier is the slow keyword tier, closed after the test. */
async function slowRuntime() {
  const home = mkdtempSync(join(tmpdir(), 'aisle-progress-'));
  const rt = await createLocalRuntime({
    home,
    env: {},
    plugins: [{ name: 'rules', summary: 'slow keyword fake', load: async () => slowTier }],
    warn: () => undefined,
  });
  cleanups.push(async () => {
    await rt.close();
    rmSync(home, { recursive: true, force: true });
  });
  return { rt, home };
}

const catalog = () => `name\n${Array.from({ length: ROWS }, (_, i) => `${i % 2 ? 'Whole milk' : 'Cola'} ${i}`).join('\n')}\n`;

it('shows rowsIn growing at least every second while a served job runs', { timeout: 120_000 }, async () => {
  const { rt } = await slowRuntime();
  const service = localService(rt, { keys: null });
  cleanups.unshift(() => service.close());
  const app = createApp({ ...service.deps, rateLimit: null });
  const res = await app.request('/v1/jobs', { method: 'POST', headers: { 'content-type': 'text/csv' }, body: catalog() });
  expect(res.status).toBe(202);
  const { job } = (await res.json()) as { job: { id: string } };

  const seen: { at: number; status: string; rowsIn: number; classified: number; progress: number | null }[] = [];
  for (;;) {
    const j = (await (await app.request(`/v1/jobs/${job.id}`)).json()) as {
      status: string;
      rowsIn: number;
      classified: number;
      progress: number | null;
    };
    seen.push({ at: performance.now(), status: j.status, rowsIn: j.rowsIn, classified: j.classified, progress: j.progress });
    if (j.status === 'done' || j.status === 'failed') break;
    await new Promise((ok) => setTimeout(ok, 250));
  }
  expect(seen.at(-1)).toMatchObject({ status: 'done', rowsIn: ROWS, classified: ROWS });
  const running = seen.filter((s) => s.status === 'running');
  const firstRunning = running[0].at;
  const firstCounted = running.find((s) => s.rowsIn > 0);
  const trail = `rowsIn while running: ${running.map((s) => s.rowsIn).join(' ')}`;
  expect(firstCounted, trail).toBeDefined();
  expect(firstCounted!.at - firstRunning, trail).toBeLessThan(1500);
  // Rows in and out move during the run, not only at its end: several distinct values, each never going back.
  const values = [...new Set(running.map((s) => s.rowsIn))].filter((n) => n > 0);
  expect(values.length, trail).toBeGreaterThanOrEqual(3);
  expect(values).toEqual([...values].sort((a, b) => a - b));
  expect(Math.max(...running.map((s) => s.classified))).toBeGreaterThan(0);
  // The progress bar moves too: the share of the input read, below 1 until the job is done.
  const shares = running.filter((s) => s.rowsIn > 0).map((s) => s.progress);
  expect(
    shares.every((p) => p !== null && p > 0 && p < 1),
    `progress while running: ${shares.join(' ')}`,
  ).toBe(true);
  expect(shares).toEqual([...shares].sort((a, b) => a! - b!));
  expect(new Set(shares).size).toBeGreaterThanOrEqual(2);
  expect(seen.at(-1)).toMatchObject({ progress: 1 });
});

it('resumes from its checkpoint, not from the progress written after it', { timeout: 120_000 }, async () => {
  const { rt, home } = await slowRuntime();
  const input = join(home, 'catalog.csv');
  writeFileSync(input, catalog());
  const run = (stopAfter = Infinity) =>
    classifyFile(rt, {
      input,
      output: join(home, 'out.csv'),
      jobId: 'job-resume',
      checkpointEvery: 10_000,
      onProgress: (_, records) => {
        if (records > stopAfter) throw new Error('stopped');
      },
    });
  await expect(run(28_000)).rejects.toThrow('stopped');
  const stopped = (await rt.jobs.get('job-resume'))!;
  const checkpointed = stopped.checkpoint!.records;
  expect(checkpointed).toBeGreaterThanOrEqual(20_000);
  expect(stopped.rowsIn).toBeGreaterThan(checkpointed); // progress written after the checkpoint

  const summary = await run();
  expect(summary).toMatchObject({ resumedFrom: checkpointed, rowsIn: ROWS, classified: ROWS, rejected: 0 });
  expect(await rt.jobs.get('job-resume')).toMatchObject({ status: 'done', rowsIn: ROWS, classified: ROWS });
});
