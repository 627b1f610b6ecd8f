/**
 * How to read an S3 job and write its output travels with the inbox object as its metadata (issue 20, the S3 path):
 * an API upload's options are signed into the presigned PUT, a file dropped in the inbox carries them as
 * `x-amz-meta-aisle-*`, and a bad one fails the job with its reason (moto_server).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoJobStore } from '../../functions/adapters/aws/dynamo-jobs.ts';
import { S3JobsService } from '../../functions/adapters/aws/jobs-service.ts';
import { S3BlobStore } from '../../functions/adapters/aws/s3.ts';
import { createLocalRuntime, type LocalRuntime } from '../../functions/adapters/local/runtime.ts';
import { classifyMessage } from '../../functions/pipeline/classify-message.ts';
import { finalizeStep } from '../../functions/pipeline/finalize.ts';
import { ingestObject } from '../../functions/pipeline/ingest.ts';
import { cascadeFactory, jobOfObject, outboxKeys } from '../../functions/pipeline/queued.ts';
import { createTable, type Emulator, motoMissing, skipReason, startMoto } from '../support/emulators.ts';
import { memoryQueuedJob } from '../support/memory-jobs.ts';

const skip = skipReason(motoMissing());

describe.skipIf(!!skip)('S3 job options as object metadata (moto_server)', { timeout: 120_000 }, () => {
  let moto: Emulator;
  let rt: LocalRuntime;
  let dir: string;
  const table = 'aisle-upload-options';

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'aisle-s3-options-'));
    rt = await createLocalRuntime({ home: join(dir, 'home'), tiers: ['rules'], warn: () => undefined });
    moto = await startMoto();
    for (const b of ['inbox', 'lake']) await moto.clients.s3.send(new CreateBucketCommand({ Bucket: b }));
    await createTable(moto.options, table, false);
  });
  afterAll(async () => {
    await rt?.close();
    await moto?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** The inbox object through ingest → classify → finalize (in-memory queues and jobs; the inbox is moto's S3). */
  async function runJob(key: string) {
    const lake = join(dir, `lake-${key.replace(/\W+/g, '-')}`);
    const { deps, jobs, classifyQueue, finalizeQueue } = memoryQueuedJob(rt, dir, lake);
    deps.bucket = (name) => new S3BlobStore(moto.clients.s3, name);
    const head = await moto.clients.s3.send(new HeadObjectCommand({ Bucket: 'inbox', Key: key }));
    await ingestObject(deps, { bucket: 'inbox', key, etag: head.ETag! });
    const cascade = cascadeFactory(deps);
    for (const msg of classifyQueue) await classifyMessage(deps, cascade, msg);
    for (const m of finalizeQueue) await finalizeStep(deps, m); // the job's message, then its segments and compose
    const { tenant, jobId } = jobOfObject('inbox', key, head.ETag!);
    const job = (await jobs.forTenant(tenant).get(jobId))!;
    const out = job.status === 'done' ? readFileSync(join(lake, outboxKeys(jobId).result), 'utf8') : '';
    return { job, out };
  }

  it("an API upload's options are signed into the PUT and reach ingest and finalize: named column, tab output, BOM", async () => {
    const service = new S3JobsService({
      s3: moto.clients.s3,
      jobs: new DynamoJobStore(moto.clients.dynamo, table),
      inboxBucket: 'inbox',
      lakeBucket: 'lake',
    }).forTenant('default');
    const upload = await service.createUpload('Katalog.csv', { name_column: 'Kurztext für Kassenbon', out_format: 'tsv', bom: true });
    // Non-ASCII travels percent-encoded: metadata is carried in HTTP headers.
    expect(upload.headers['x-amz-meta-aisle-name-column']).toBe('Kurztext%20f%C3%BCr%20Kassenbon');
    expect(new URL(upload.url).searchParams.get('X-Amz-SignedHeaders')).toContain('x-amz-meta-aisle-name-column');
    const csv = 'Artikel;Kurztext für Kassenbon;Notiz\n1;Whole Milk 1 L;a\n2;Bananas 1 kg;b\n';
    const put = await fetch(upload.url, { method: 'PUT', headers: upload.headers, body: csv });
    expect(put.status).toBe(200);

    const { job, out } = await runJob(`inbox/uploads/default/${upload.jobId}/Katalog.csv`);
    expect(job.error).toBeUndefined();
    expect(job.status).toBe('done');
    expect(job.rowsIn).toBe(2);
    expect(out.startsWith('\uFEFFArtikel\tKurztext für Kassenbon\tNotiz\t')).toBe(true);
    expect(out.split('\n')[1].split('\t').slice(0, 3)).toEqual(['1', 'Whole Milk 1 L', 'a']);
  });

  it('a file dropped in the inbox: its metadata names the column and encoding; the output keeps its semicolons', async () => {
    const body = Buffer.from('Nr;Bon-Text;Preis\n1;Cr\xe8me fra\xeeche 200 g;1,99\n', 'latin1');
    const Metadata = { 'aisle-name-column': 'Bon-Text', 'aisle-encoding': 'windows-1252' };
    await moto.clients.s3.send(new PutObjectCommand({ Bucket: 'inbox', Key: 'inbox/drop.csv', Body: body, Metadata }));
    const { job, out } = await runJob('inbox/drop.csv');
    expect(job.status).toBe('done');
    expect(out.split('\n')[0].startsWith('Nr;Bon-Text;Preis;')).toBe(true);
    expect(out.split('\n')[1].startsWith('1;Crème fraîche 200 g;1,99;')).toBe(true);
  });

  it('a bad option fails the job with what is wrong, before a row is read', async () => {
    const body = 'product_name\nWhole Milk\n';
    for (const [key, Metadata, reason] of [
      ['inbox/bad-format.csv', { 'aisle-out-format': 'xlsx' }, /out_format/],
      ['inbox/typo.csv', { 'aisle-name-colum': 'product_name' }, /name_colum/],
      ['inbox/no-such-column.csv', { 'aisle-name-column': 'Titel' }, /--name-column "Titel": the file has no such column/],
    ] as const) {
      await moto.clients.s3.send(new PutObjectCommand({ Bucket: 'inbox', Key: key, Body: body, Metadata }));
      const { job } = await runJob(key);
      expect(job.status, key).toBe('failed');
      expect(job.error, key).toMatch(reason);
    }
  });
});
