/**
 * The S3 path (ingest → classify chunks → finalize) reads the whole catalog corpus as `aisle classify` does (issue
 * 20 item 2: "the same on the S3 path, with the same tests"): every file, Parquet and xlsx included, dropped in an
 * S3 inbox (s3rver), with the options it needs as object metadata (`x-amz-meta-aisle-encoding`, `-name-column`);
 * the output is written in the input's delimiter.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3BlobStore } from '../../functions/adapters/aws/s3.ts';
import { createLocalRuntime, type LocalRuntime } from '../../functions/adapters/local/runtime.ts';
import { toObjectMetadata } from '../../functions/core/input/read-options.ts';
import { classifyMessage } from '../../functions/pipeline/classify-message.ts';
import { finalizeStep } from '../../functions/pipeline/finalize.ts';
import { ingestObject } from '../../functions/pipeline/ingest.ts';
import { cascadeFactory, jobIdFor, outboxKeys } from '../../functions/pipeline/queued.ts';
import { type CorpusFile, writeCorpus } from '../fixtures/files/corpus.ts';
import { type Emulator, startS3rver } from '../support/emulators.ts';
import { memoryQueuedJob } from '../support/memory-jobs.ts';

describe('the S3 ingest reads catalog files as the local runtime does', { timeout: 240_000 }, () => {
  let dir: string;
  let rt: LocalRuntime;
  let s3: Emulator;
  let corpus: CorpusFile[];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'aisle-s3-files-'));
    rt = await createLocalRuntime({ home: join(dir, 'home'), tiers: ['rules'], warn: () => undefined });
    s3 = await startS3rver(['inbox']);
    corpus = await writeCorpus(dir);
  });
  afterAll(async () => {
    await rt?.close();
    await s3?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** The file as an S3 object (its options as metadata) through ingest → classify → finalize, with in-memory queues and jobs. */
  async function runJob(f: CorpusFile) {
    const lake = join(dir, `lake-${basename(f.file)}`);
    const { deps, jobs, classifyQueue, finalizeQueue } = memoryQueuedJob(rt, dir, lake);
    deps.bucket = (name) => new S3BlobStore(s3.clients.s3, name);
    const key = `inbox/${basename(f.file)}`;
    const Metadata = toObjectMetadata({ encoding: f.encoding, name_column: f.nameColumn });
    const put = await s3.clients.s3.send(new PutObjectCommand({ Bucket: 'inbox', Key: key, Body: readFileSync(f.file), Metadata }));
    await ingestObject(deps, { bucket: 'inbox', key, etag: put.ETag! });
    const cascade = cascadeFactory(deps);
    for (const msg of classifyQueue) await classifyMessage(deps, cascade, msg);
    for (const m of finalizeQueue) await finalizeStep(deps, m); // the job's message, then its segments and compose
    return { job: (await jobs.get(jobIdFor('inbox', key, put.ETag!)))!, lake, key };
  }

  it('every file: the job is done, rows in = classified + rejected, names exactly as in the input, its delimiter kept', async () => {
    expect(corpus.length).toBeGreaterThanOrEqual(30);
    // The kinds the S3 path once refused or could not be told how to read are all in.
    for (const kind of [/\.parquet$/, /parquet-no-extension\.bin$/, /\.xlsx$/]) expect(corpus.some((f) => kind.test(f.file))).toBe(true);
    expect(corpus.some((f) => f.encoding)).toBe(true);
    expect(corpus.some((f) => f.nameColumn)).toBe(true);
    expect(corpus.some((f) => f.delimiter !== ',')).toBe(true);
    const failures: string[] = [];
    for (const f of corpus) {
      const { job, lake, key } = await runJob(f);
      if (job.status !== 'done') {
        failures.push(`${key}: ${job.status} ${job.error ?? ''}`);
        continue;
      }
      const text = readFileSync(join(lake, outboxKeys(job.id).result), 'utf8');
      let rows: string[][];
      try {
        rows = parse(text, { relax_column_count: true, delimiter: f.delimiter });
      } catch (err) {
        failures.push(`${key}: the output is not "${f.delimiter}"-separated: ${(err as Error).message}`);
        continue;
      }
      const header = rows.shift()!;
      const names = rows.map((r) => r[header.indexOf(f.nameHeader)]);
      const problems = [
        job.rowsIn !== f.rows && `rows in ${job.rowsIn}, the file has ${f.rows}`,
        job.classified + job.rejected !== job.rowsIn && 'counts do not reconcile',
        !header.includes('tier') && `header ${JSON.stringify(header)} (not split on "${f.delimiter}")`,
        JSON.stringify(names) !== JSON.stringify(f.names) && `names ${JSON.stringify(names)}`,
        text.includes('\uFFFD') && 'U+FFFD in the output',
      ].filter(Boolean);
      if (problems.length) failures.push(`${key}: ${problems.join('; ')}`);
    }
    expect(failures).toEqual([]);
  });
});
