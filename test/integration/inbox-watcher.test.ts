import {
  appendFileSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SAMPLE_CSV } from '../../bin/commands/classify.ts';
import { type LocalService, localService } from '../../bin/commands/serve.ts';
import { InboxWatcher } from '../../functions/adapters/local/inbox-watcher.ts';
import { createLocalRuntime, type LocalRuntime } from '../../functions/adapters/local/runtime.ts';
import type { JobRecord } from '../../functions/ports.ts';

/** The shipped sample: 100 data rows, 4 of them rejects (see the classify e2e test). */
const SAMPLE = { rowsIn: 100, classified: 96, rejected: 4 };
const lines = (path: string) => readFileSync(path, 'utf8').split('\n').filter(Boolean);
const records = (path: string) => parse(readFileSync(path), { relax_column_count: true }) as string[][];

describe('inbox watcher (real jobs service, DuckDB store, CSV pipeline)', { timeout: 60_000 }, () => {
  let home: string;
  let inbox: string;
  let rt: LocalRuntime;
  let service: LocalService;
  let watcher: InboxWatcher | undefined;
  let log: string[];

  beforeEach(async () => {
    home = mkdtempSync(join(tmpdir(), 'aisle-inbox-'));
    inbox = join(home, 'inbox');
    mkdirSync(inbox);
    rt = await createLocalRuntime({ home, tiers: ['cache', 'rules'], env: {}, warn: () => undefined });
    service = localService(rt, { keys: null });
    log = [];
  });
  afterEach(async () => {
    await watcher?.close();
    watcher = undefined;
    await service.close();
    await rt.close();
    rmSync(home, { recursive: true, force: true });
  });

  const start = async (settleMs = 150) => {
    watcher = new InboxWatcher({ dir: inbox, jobs: service.jobs, settleMs, rescanMs: 300, log: (line) => log.push(line) });
    await watcher.start();
    return watcher;
  };
  /** Waits for n more scans of the folder (not for a time: a loaded machine scans late). */
  const rescans = async (w: InboxWatcher, n: number) => {
    const from = w.scans;
    await expect.poll(() => w.scans, { timeout: 10_000 }).toBeGreaterThanOrEqual(from + n);
  };
  const jobs = async () => (await service.jobs.list({ limit: 100 })).items;
  const finished = async (n: number) => {
    await expect.poll(async () => (await jobs()).filter((j) => j.status === 'done' || j.status === 'failed').length, { timeout: 30_000 }).toBe(n);
    await expect.poll(() => log.filter((l) => / (done|failed): /.test(l)).length, { timeout: 10_000 }).toBe(n);
    return jobs();
  };
  /** A done job's output and rejects reconcile with its counts and with the input. */
  const expectReconciled = (job: JobRecord, expected: { rowsIn: number; classified: number; rejected: number }) => {
    expect(job).toMatchObject({ status: 'done', totalKnown: true, ...expected });
    expect(job.classified + job.rejected).toBe(job.rowsIn);
    expect(job.output).toBe(join(service.outbox, `${job.id}.csv`));
    expect(records(job.output!)).toHaveLength(1 + job.classified);
    expect(records(job.rejects!)).toHaveLength(1 + job.rejected);
  };

  it('takes a CSV already there at start-up and one dropped later, each once; moves them to done/', async () => {
    copyFileSync(SAMPLE_CSV, join(inbox, 'early.csv'));
    const w = await start();
    // Written under a dot-name and renamed into place, as the docs advise.
    copyFileSync(SAMPLE_CSV, join(inbox, '.late.csv'));
    renameSync(join(inbox, '.late.csv'), join(inbox, 'late.csv'));

    const done = await finished(2);
    for (const job of done) expectReconciled(job, SAMPLE);
    expect(done.map((j) => j.input).sort()).toEqual(
      done.map((j) => join(w.done, `${j.id}-${j.input.endsWith('early.csv') ? 'early' : 'late'}.csv`)).sort(),
    );
    expect(readdirSync(w.done).sort()).toEqual(done.map((j) => j.input.split('/').pop()).sort());
    expect(readdirSync(inbox).sort()).toEqual(['done', 'failed', 'processing']);
    expect(readdirSync(w.processing)).toEqual([]);
    expect(log.filter((l) => /→ job j-/.test(l))).toHaveLength(2);
    expect(log.find((l) => l.includes('(early.csv) done'))).toMatch(
      /100 rows in = 96 classified \+ 4 rejected .*→ .*outbox.*; input moved to done\//,
    );

    // Rescans find nothing more to take.
    await rescans(w, 2);
    expect(await jobs()).toHaveLength(2);
  });

  it('waits until a file stops growing before taking it', async () => {
    const w = await start(1500);
    const [header, ...rows] = lines(SAMPLE_CSV);
    const path = join(inbox, 'slow.csv');
    writeFileSync(path, `${header}\n${rows.slice(0, 10).join('\n')}\n`);
    // Grows once the watcher has seen it, well inside the 1.5 s the file must stay unchanged.
    await expect.poll(() => w.settlingOn('slow.csv')).toBe(true);
    appendFileSync(path, `${rows.slice(10).join('\n')}\n`);
    const [job] = await finished(1);
    expectReconciled(job, SAMPLE);
  });

  it('leaves other files with one log line each, and skips in-progress names until renamed', async () => {
    writeFileSync(join(inbox, 'notes.txt'), 'not a catalog');
    copyFileSync(SAMPLE_CSV, join(inbox, 'catalog.csv.part'));
    const w = await start();
    await rescans(w, 2); // neither file is taken
    expect(await jobs()).toHaveLength(0);
    expect(log).toEqual(['inbox: ignoring notes.txt: not a .csv file']);
    renameSync(join(inbox, 'catalog.csv.part'), join(inbox, 'catalog.csv'));
    const [job] = await finished(1);
    expectReconciled(job, SAMPLE);
    expect(existsSync(join(inbox, 'notes.txt'))).toBe(true);
    expect(log.filter((l) => l.includes('notes.txt'))).toHaveLength(1);
  });

  it('moves a file whose job fails to failed/ with the reason beside it', async () => {
    const w = await start();
    writeFileSync(join(inbox, 'empty.csv'), '');
    const [job] = await finished(1);
    expect(job).toMatchObject({ status: 'failed', error: expect.stringContaining('empty') });
    const moved = join(w.failed, `${job.id}-empty.csv`);
    expect(job.input).toBe(moved);
    expect(readFileSync(`${moved}.error.txt`, 'utf8')).toBe(`${job.error}\n`);
    expect(log.at(-1)).toMatch(/^inbox: job j-\S+ \(empty\.csv\) failed: .*empty.*; input moved to failed\//);
  });

  it('runs again a file a stopped server left in processing/', async () => {
    const processing = join(inbox, 'processing');
    mkdirSync(processing);
    copyFileSync(SAMPLE_CSV, join(processing, 'j-20261122T080000-abc123-left.csv'));
    const w = await start();
    const [job] = await finished(1);
    expect(job.id).toBe('j-20261122T080000-abc123');
    expectReconciled(job, SAMPLE);
    expect(job.input).toBe(join(w.done, 'j-20261122T080000-abc123-left.csv'));
    expect(log[0]).toBe('inbox: left.csv → job j-20261122T080000-abc123 (again: the server stopped before it finished)');
  });
});
