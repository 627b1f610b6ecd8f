/**
 * The dead-letter step against DynamoDB (dynalite) and a folder as the lake: each kind of message that failed for
 * good ends its job, once; a message that names no job is kept.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { text } from 'node:stream/consumers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoJobStore } from '../../functions/adapters/aws/dynamo-jobs.ts';
import { DynamoCache, DynamoResultStore } from '../../functions/adapters/aws/dynamodb.ts';
import { FolderBlobStore } from '../../functions/adapters/local/blob-store.ts';
import { parseTaxonomy } from '../../functions/core/taxonomy.ts';
import { failedChunkKey, recordDeadLetter, unattributedKey } from '../../functions/pipeline/dead-letters.ts';
import type { ClassifyMessage, FinalizeMessage } from '../../functions/pipeline/messages.ts';
import type { QueuedJobDeps } from '../../functions/pipeline/queued.ts';
import taxonomyJson from '../../models/taxonomy.json' with { type: 'json' };
import { createTable, type Emulator, startDynalite } from '../support/emulators.ts';

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };

describe('dead letters end their jobs', () => {
  let e: Emulator;
  let dir: string;
  let deps: QueuedJobDeps;
  const finalized: FinalizeMessage[] = [];

  beforeAll(async () => {
    e = await startDynalite();
    await createTable(e.options, 'dl-jobs', false);
    dir = mkdtempSync(join(tmpdir(), 'aisle-dl-'));
    const cache = new DynamoCache(e.clients.dynamo, 'dl-jobs');
    const lake = new FolderBlobStore(dir);
    deps = {
      taxonomy: parseTaxonomy(taxonomyJson, 'models/taxonomy.json'),
      bucket: () => lake,
      lake,
      jobs: new DynamoJobStore(e.clients.dynamo, 'dl-jobs'),
      results: new DynamoResultStore(e.clients.dynamo, 'dl-jobs', cache),
      cache,
      tiers: async () => [],
      classifyQueue: { send: async () => undefined },
      finalizeQueue: {
        send: async (m) => {
          finalized.push(...m);
        },
      },
      logger: quiet,
      metrics: { addMetric: () => undefined },
    };
  });
  afterAll(async () => {
    await e?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('counts a dead classify chunk as failed once, keeps its message and sends the reconciled job to finalize once', async () => {
    await deps.jobs.create({ id: 'c1', input: 's3://in/c1.csv', status: 'running', rowsIn: 5, totalKnown: true, rejected: 1 });
    await deps.jobs.addChunk('c1', '00000000', { classified: 2, rejected: 0, needsReview: 0, tierCounts: { rules: 2 } });
    await deps.jobs.noteError('c1', '00000001', 'the encoder endpoint timed out');
    const msg: ClassifyMessage = { tenant: 'default', jobId: 'c1', chunk: 1, header: ['name'], rows: [['a'], ['b']], rowNumbers: [4, 5] };
    await recordDeadLetter(deps, JSON.stringify(msg), 'm1');
    await recordDeadLetter(deps, JSON.stringify(msg), 'm1'); // the dead letter delivered again
    const job = (await deps.jobs.get('c1'))!;
    expect(job).toMatchObject({ status: 'finalizing', classified: 2, rejected: 1, failed: 2 });
    expect(job.failedChunks?.map((f) => [f.chunkId, f.rows, f.reason])).toEqual([['00000001', 2, 'the encoder endpoint timed out']]);
    expect(finalized).toEqual([{ tenant: 'default', jobId: 'c1' }]);
    expect(JSON.parse(await text((await deps.lake.get(failedChunkKey('c1', '00000001')))!))).toEqual({ queue: 'classify', message: msg });
  });

  it('fails a job whose finalize message died, and leaves an ended job alone', async () => {
    await deps.jobs.create({ id: 'f1', input: 's3://in/f1.csv', status: 'finalizing' });
    await deps.jobs.create({ id: 'f2', input: 's3://in/f2.csv', status: 'done' });
    for (const jobId of ['f1', 'f2']) await recordDeadLetter(deps, JSON.stringify({ tenant: 'default', jobId }), `m-${jobId}`);
    expect(await deps.jobs.get('f1')).toMatchObject({ status: 'failed', error: expect.stringMatching(/writing the outputs failed/) });
    expect((await deps.jobs.get('f2'))?.status).toBe('done');
    // A segment of finalize that died fails its job too.
    await deps.jobs.create({ id: 'f3', input: 's3://in/f3.csv', status: 'finalizing' });
    const segment = { kind: 'segment', tenant: 'default', jobId: 'f3', plan: '0123456789abcdef', dt: '2026-12-07', segment: 0, segments: 1 };
    await recordDeadLetter(deps, JSON.stringify({ ...segment, shard: '00000', rowsBefore: 0, rows: 3 }), 'm-f3');
    expect(await deps.jobs.get('f3')).toMatchObject({ status: 'failed', error: expect.stringMatching(/writing the outputs failed/) });
  });

  it('fails the job of an S3 object whose ingest died, naming the object', async () => {
    const key = 'inbox/uploads/acme/j-20261207T010000-abcdef/catalog.csv';
    await deps.jobs.forTenant('acme').create({ id: 'j-20261207T010000-abcdef', input: `s3://in/${key}`, status: 'queued' });
    const event = { Records: [{ eventName: 'ObjectCreated:Put', s3: { bucket: { name: 'in' }, object: { key, eTag: 'e1' } } }] };
    await recordDeadLetter(deps, JSON.stringify(event), 'm-s3');
    expect(await deps.jobs.forTenant('acme').get('j-20261207T010000-abcdef')).toMatchObject({
      status: 'failed',
      error: expect.stringContaining(`s3://in/${key}`),
    });
  });

  it('keeps a message that names no job (a malformed chunk with a jobId among its fields is not a finalize message)', async () => {
    await deps.jobs.create({ id: 'not-a-chunk', input: 's3://in/x.csv', status: 'finalizing' });
    const body = '{"jobId": "not-a-chunk", "rows": "oops"}';
    await recordDeadLetter(deps, body, 'm-stray');
    await recordDeadLetter(deps, 'not json', 'm-stray-2');
    expect(await text((await deps.lake.get(unattributedKey('m-stray')))!)).toBe(body);
    expect(await text((await deps.lake.get(unattributedKey('m-stray-2')))!)).toBe('not json');
    expect((await deps.jobs.get('not-a-chunk'))?.status).toBe('finalizing');
  });
});
