/**
 * One input through both drivers of the pipeline: the local runtime (classifyFile: one process, DuckDB, the
 * lake export in SQL) and the queued job the AWS handlers run (ingest → classify chunks → finalize, here over
 * folder blobs and in-memory queues and job counts). Both must write the same output, the same rejects and the
 * same lake rows.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ClassifySummary, classifyFile } from '../../functions/adapters/local/classify-file.ts';
import { createLocalRuntime, type LocalRuntime } from '../../functions/adapters/local/runtime.ts';
import { classifyMessage } from '../../functions/pipeline/classify-message.ts';
import { finalizeStep } from '../../functions/pipeline/finalize.ts';
import { ingestObject } from '../../functions/pipeline/ingest.ts';
import { cascadeFactory, jobIdFor, outboxKeys } from '../../functions/pipeline/queued.ts';
import type { JobRecord } from '../../functions/ports.ts';
import { memoryQueuedJob } from '../support/memory-jobs.ts';

describe('the local runtime and the queued (AWS) job drive one pipeline', { timeout: 60_000 }, () => {
  let home: string;
  let rt: LocalRuntime;
  let local: ClassifySummary;
  let queuedJob: JobRecord;
  let lakeBucket: string;
  const inputText = () => {
    const names = [
      'Whole Milk 1 gal',
      'Cheddar Cheese 8 oz',
      'Paper Towels 6 ct',
      '"Dog Food, Chicken 20 lb"',
      'Mystery Widget',
      'Orange Juice 52 fl oz',
      // Spreadsheet formulas (issue 15 item 7): neutralised in both outputs, as they went in in both lakes.
      '"=HYPERLINK(""http://x"",""y"")"',
      '-2+3',
    ];
    const lines = ['order_id,product_name,order_date,age_band,Gender,sku'];
    for (let i = 0; i < 450; i++)
      lines.push(
        `o${Math.floor(i / 3)},${names[i % names.length]},2026-0${1 + (i % 3)}-1${i % 9},${i % 2 ? '25-34' : ''},${i % 2 ? 'f' : 'm'},S${i}`,
      );
    lines.splice(100, 0, '=1+1,,2026-01-01,,,bad-row-empty-name');
    return lines.join('\n') + '\n';
  };

  beforeAll(async () => {
    home = mkdtempSync(join(tmpdir(), 'aisle-one-pipeline-'));
    const inbox = join(home, 'inbox');
    lakeBucket = join(home, 'lake-bucket');
    mkdirSync(inbox);
    writeFileSync(join(inbox, 'orders.csv'), inputText());
    rt = await createLocalRuntime({ home: join(home, 'aisle'), tiers: ['rules'], warn: () => undefined });
    local = await classifyFile(rt, { input: join(inbox, 'orders.csv'), output: join(home, 'orders.out.csv'), jobId: 'local-1', lake: 'now' });

    const { deps, jobs, classifyQueue, finalizeQueue } = memoryQueuedJob(rt, inbox, lakeBucket);
    await ingestObject(deps, { bucket: 'inbox', key: 'orders.csv', etag: 'e1' });
    const cascade = cascadeFactory(deps);
    // Out of order, as SQS may deliver them.
    for (const msg of classifyQueue.reverse()) await classifyMessage(deps, cascade, msg);
    expect(finalizeQueue).toHaveLength(1);
    // The job's message, then the segments and the compose it leads to (appended to the queue as they are sent).
    for (const msg of finalizeQueue) await finalizeStep(deps, msg);
    queuedJob = (await jobs.get(jobIdFor('inbox', 'orders.csv', 'e1')))!;
  });
  afterAll(async () => {
    await rt?.close();
    rmSync(home, { recursive: true, force: true });
  });

  it('counts the same rows: rows in = classified + rejected', () => {
    expect(queuedJob.status).toBe('done');
    expect(local.rowsIn).toBe(451);
    const counts = ({
      rowsIn,
      classified,
      rejected,
      needsReview,
      tierCounts,
    }: Pick<JobRecord, 'rowsIn' | 'classified' | 'rejected' | 'needsReview' | 'tierCounts'>) => ({
      rowsIn,
      classified,
      rejected,
      needsReview,
      tierCounts,
    });
    expect(counts(queuedJob)).toEqual(counts(local));
    expect(local.rejected).toBe(1);
  });

  it('writes the same output and rejects, byte for byte', () => {
    const keys = outboxKeys(queuedJob.id);
    expect(readFileSync(join(lakeBucket, keys.result), 'utf8')).toBe(readFileSync(local.output, 'utf8'));
    expect(readFileSync(join(lakeBucket, keys.rejects), 'utf8')).toBe(readFileSync(local.rejects, 'utf8'));
    expect(readFileSync(local.output, 'utf8')).toContain(`,"'=HYPERLINK(""http://x"",""y"")",`);
    expect(readFileSync(local.output, 'utf8')).toContain(`,'-2+3,`);
    expect(readFileSync(local.rejects, 'utf8')).toContain(`,"'=1+1,,2026-01-01,,,bad-row-empty-name"\n`);
  });

  it('puts the same rows in the lake (the SQL export and toLakeRow read one mapping)', async () => {
    expect(local.lake).not.toBe('off');
    const lakeKey = (local.lake as { key: string }).key;
    const rows = (file: string) =>
      rt.db.query(`SELECT * EXCLUDE (job_id, decided_at) FROM read_parquet('${file}', hive_partitioning = false) ORDER BY row_no`);
    const fromLocal = await rows(join(rt.home, 'lake', lakeKey));
    const fromQueued = await rows(join(lakeBucket, lakeKey.replace('job=local-1', `job=${queuedJob.id}`)));
    expect(fromLocal).toHaveLength(450);
    expect(fromQueued).toEqual(fromLocal);
    expect(fromLocal.filter((r) => r.product_name === '=HYPERLINK("http://x","y")')).toHaveLength(56); // every 8th of 450 rows
    expect(fromLocal.filter((r) => r.basket_id === 'o1' && r.age_band === null && r.event_date === '2026-02-14')).toHaveLength(1);
  });
});
