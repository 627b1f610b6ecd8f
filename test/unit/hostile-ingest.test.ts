/**
 * The S3 ingest (functions/pipeline/ingest.ts) given files a retailer should not send but will: each ends as a job
 * whose counts reconcile, or a job failed with its reason, never an ingest that throws and is retried forever.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { createGzip, gzipSync } from 'node:zlib';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalRuntime } from '../../functions/adapters/local/runtime.ts';
import { ingestObject, MAX_MESSAGE_BYTES } from '../../functions/pipeline/ingest.ts';
import { jobIdFor, outboxKeys } from '../../functions/pipeline/queued.ts';
import { memoryQueuedJob } from '../support/memory-jobs.ts';

describe('the S3 ingest, given hostile files', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'aisle-hostile-ingest-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** Ingests `bytes` as inbox/<name>: the job, the classify messages sent, and the rejects file. */
  async function ingest(name: string, bytes: Buffer) {
    const inbox = join(dir, 'inbox');
    const lake = join(dir, `lake-${name}`);
    mkdirSync(join(inbox, 'inbox'), { recursive: true });
    writeFileSync(join(inbox, 'inbox', name), bytes);
    // Ingest reads and queues only: no taxonomy or tier is used.
    const { deps, jobs, classifyQueue } = memoryQueuedJob({} as LocalRuntime, inbox, lake);
    const obj = { bucket: 'inbox', key: `inbox/${name}`, etag: name };
    await ingestObject(deps, obj);
    const job = (await jobs.get(jobIdFor(obj.bucket, obj.key, obj.etag)))!;
    const rejects = readFileSync(join(lake, outboxKeys(job.id).rejects), 'utf8');
    return { job, sent: classifyQueue.flatMap((m) => m.rows), rejects };
  }

  it('rejects a row too big for a classify message with its reason, and reads on', async () => {
    const huge = 'x'.repeat(MAX_MESSAGE_BYTES + 1);
    const { job, sent, rejects } = await ingest('huge-row.csv', Buffer.from(`name,description\nMilk,short\nBread,${huge}\nEggs,short\n`));
    expect(sent.map((r) => r[0])).toEqual(['Milk', 'Eggs']);
    expect(job).toMatchObject({ rowsIn: 3, rejected: 1, totalKnown: true });
    expect(rejects.split('\n')[1]).toMatch(/^3,"the row is 2\d{5} bytes: a queued job's row must fit in one classify message \(204,800 bytes/);
  });

  it('fails the job of a truncated gzip with its reason (after some rows were sent), rather than retrying it', async () => {
    const rows = Array.from({ length: 20_000 }, (_, i) => `${i},Milk ${i} ${(i * 7919) % 10007}`).join('\n');
    const gz = gzipSync(Buffer.from(`sku,name\n${rows}\n`));
    const { job, sent } = await ingest('cut.csv.gz', gz.subarray(0, Math.floor(gz.length * 0.8)));
    expect(job).toMatchObject({ status: 'failed', error: expect.stringMatching(/^the gzip file is damaged: unexpected end of file/) });
    expect(job.totalKnown).toBe(false);
    expect(sent.length).toBeGreaterThan(0);
  });

  it.each([
    ['a CSV', 'big.csv', (text: string) => Buffer.from(text), false],
    ['a gzip of UTF-16', 'big.tsv.gz', (text: string) => iconv.encode(text.replace(/,/g, '\t'), 'utf-16le'), true],
  ] as const)('streams %s: rows are sent on before the object has been read to its end', async (_, name, encode, gzip) => {
    const ROWS = 200_000;
    const PER_PIECE = 1000;
    let produced = 0;
    let producedAtFirstSend: number | undefined;
    async function* pieces() {
      for (let p = 0; p < ROWS / PER_PIECE; p++) {
        produced++;
        let text = p === 0 ? 'sku,name\n' : '';
        for (let i = 0; i < PER_PIECE; i++) text += `${p * PER_PIECE + i},Milk ${i}\n`;
        yield encode(text);
      }
    }
    const body = () => {
      const plain = Readable.from(pieces());
      return gzip ? plain.pipe(createGzip()) : plain;
    };
    const { deps, jobs } = memoryQueuedJob({} as LocalRuntime, dir, join(dir, `lake-${name}`));
    // An object read as S3 streams one: its size is not needed but for Parquet.
    deps.bucket = () => ({ ...deps.lake, head: async () => ({ size: 0, metadata: {} }), get: async () => body() });
    let sent = 0;
    deps.classifyQueue = {
      send: async (messages) => {
        producedAtFirstSend ??= produced;
        sent += messages.reduce((n, m) => n + m.rows.length, 0);
      },
    };
    await ingestObject(deps, { bucket: 'inbox', key: `inbox/${name}`, etag: name });
    expect(sent).toBe(ROWS);
    expect((await jobs.get(jobIdFor('inbox', `inbox/${name}`, name)))!.rowsIn).toBe(ROWS);
    expect(producedAtFirstSend).toBeLessThan(ROWS / PER_PIECE / 2);
  });
});
