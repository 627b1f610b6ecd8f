/**
 * The S3 path (ingest → classify chunks → finalize, over folder blobs and in-memory queues) reads the catalog
 * corpus as `aisle classify` does: every file but Parquet and those needing a named column (issue 20 item 2:
 * "the same on the S3 path, with the same tests").
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalRuntime, type LocalRuntime } from '../../functions/adapters/local/runtime.ts';
import { classifyMessage } from '../../functions/pipeline/classify-message.ts';
import { finalizeJob } from '../../functions/pipeline/finalize.ts';
import { ingestObject } from '../../functions/pipeline/ingest.ts';
import { cascadeFactory, jobIdFor, outboxKeys } from '../../functions/pipeline/queued.ts';
import { type CorpusFile, writeCorpus } from '../fixtures/files/corpus.ts';
import { memoryQueuedJob } from '../support/memory-jobs.ts';

describe('the S3 ingest reads catalog files as the local runtime does', { timeout: 180_000 }, () => {
  let dir: string;
  let rt: LocalRuntime;
  let corpus: CorpusFile[];
  let workbooks: CorpusFile[];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'aisle-s3-files-'));
    rt = await createLocalRuntime({ home: join(dir, 'home'), tiers: ['rules'], warn: () => undefined });
    const all = await writeCorpus(dir);
    // Parquet and xlsx readers are local-only (they would put DuckDB and exceljs in the Lambda bundle): refused below.
    corpus = all.filter((f) => !f.encoding && !f.nameColumn && !/parquet|\.bin$|\.xlsx$/.test(f.file));
    workbooks = all.filter((f) => f.file.endsWith('.xlsx'));
  });
  afterAll(async () => {
    await rt?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** The file as an S3 object through ingest → classify → finalize, with in-memory queues and jobs. */
  async function runJob(f: CorpusFile) {
    const lake = join(dir, `lake-${basename(f.file)}`);
    const { deps, jobs, classifyQueue, finalizeQueue } = memoryQueuedJob(rt, dirname(f.file), lake);
    const key = basename(f.file);
    await ingestObject(deps, { bucket: 'inbox', key, etag: 'e1' });
    const cascade = cascadeFactory(deps);
    for (const msg of classifyQueue) await classifyMessage(deps, cascade, msg);
    for (const m of finalizeQueue) await finalizeJob(deps, m.tenant, m.jobId);
    return { job: (await jobs.get(jobIdFor('inbox', key, 'e1')))!, lake, key };
  }

  it('every file: the job is done, rows in = classified + rejected, names exactly as in the input', async () => {
    expect(corpus.length).toBeGreaterThanOrEqual(25);
    const failures: string[] = [];
    for (const f of corpus) {
      const { job, lake, key } = await runJob(f);
      if (job.status !== 'done') {
        failures.push(`${key}: ${job.status} ${job.error ?? ''}`);
        continue;
      }
      const text = readFileSync(join(lake, outboxKeys(job.id).result), 'utf8');
      const rows: string[][] = parse(text, { relax_column_count: true });
      const header = rows.shift()!;
      const names = rows.map((r) => r[header.indexOf(f.nameHeader)]);
      const problems = [
        job.rowsIn !== f.rows && `rows in ${job.rowsIn}, the file has ${f.rows}`,
        job.classified + job.rejected !== job.rowsIn && 'counts do not reconcile',
        JSON.stringify(names) !== JSON.stringify(f.names) && `names ${JSON.stringify(names)}`,
        text.includes('\uFFFD') && 'U+FFFD in the output',
      ].filter(Boolean);
      if (problems.length) failures.push(`${key}: ${problems.join('; ')}`);
    }
    expect(failures).toEqual([]);
  });

  it('a workbook fails its job with what to do instead (xlsx is read by aisle classify only)', async () => {
    expect(workbooks.length).toBeGreaterThan(0);
    for (const f of workbooks) {
      const { job } = await runJob(f);
      expect(job.status).toBe('failed');
      expect(job.error).toMatch(/save the sheet as "CSV UTF-8"/);
    }
  });
});
