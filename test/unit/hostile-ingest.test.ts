/**
 * The S3 ingest (functions/pipeline/ingest.ts) given files a retailer should not send but will: each ends as a job
 * whose counts reconcile, or a job failed with its reason, never an ingest that throws and is retried forever.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
});
