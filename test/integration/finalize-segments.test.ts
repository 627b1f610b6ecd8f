/**
 * Finalize in segments, against DynamoDB (dynalite: the job's count shards) and a folder as the lake: a job whose
 * chunks fall in three count shards, one chunk failed, is planned as three segments; each writes its slice and
 * its lake parts numbered on from the shards before it; the result is composed in input order; the job ends
 * partial. A redelivered segment or compose changes nothing; after a redrive the job is planned again, and a late
 * segment of the old plan writes nothing.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { text } from 'node:stream/consumers';
import { DuckDBInstance } from '@duckdb/node-api';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoJobStore } from '../../functions/adapters/aws/dynamo-jobs.ts';
import { DynamoCache, DynamoResultStore } from '../../functions/adapters/aws/dynamodb.ts';
import { FolderBlobStore } from '../../functions/adapters/local/blob-store.ts';
import { parseTaxonomy } from '../../functions/core/taxonomy.ts';
import type { Decision } from '../../functions/core/types.ts';
import { finalizeStep } from '../../functions/pipeline/finalize.ts';
import { finalizeKeys } from '../../functions/pipeline/finalize-plan.ts';
import type { FinalizeMessage, SegmentMessage } from '../../functions/pipeline/messages.ts';
import { outboxKeys, type PartLine, type QueuedJobDeps } from '../../functions/pipeline/queued.ts';
import taxonomyJson from '../../models/taxonomy.json' with { type: 'json' };
import { createTable, type Emulator, startDynalite } from '../support/emulators.ts';

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };
const HEADER = ['sku', 'product_name'];
/** Chunk id → its rows' skus: shards 00000, 00001 (a chunk and its LLM part) and 00002; chunk 00000001 fails. */
const CHUNKS: Record<string, string[]> = {
  '00000000': ['a1', 'a2', 'a3'],
  '00000001': ['f1', 'f2'],
  '00001000': ['b1', 'b2'],
  '00001000-llm': ['b3'],
  '00002005': ['c1', 'c2'],
};
const FAILED = '00000001';

function partOf(skus: string[]): string {
  const decision: Decision = { key: '', classId: 'food', confidence: 0.9, tier: 'rules', status: 'ok', taxonomyVersion: 't1' };
  const lines = skus.map((sku, i): PartLine => {
    const name = `Pantry item ${sku}`;
    return {
      n: i + 1,
      values: [sku, name],
      text: name.toLowerCase(),
      at: '2026-12-07T00:00:00.000Z',
      decision: { ...decision, key: sku },
      costUnits: 0,
    };
  });
  return `${lines.map((l) => JSON.stringify(l)).join('\n')}\n`;
}

describe('finalize in segments', () => {
  let e: Emulator;
  let dir: string;
  let deps: QueuedJobDeps;
  const queue: FinalizeMessage[] = [];
  /** The first plan's segment messages, delivered again late in the second test. */
  let firstPlan: SegmentMessage[] = [];
  const drain = async () => {
    for (let m = queue.shift(); m; m = queue.shift()) await finalizeStep(deps, m);
  };

  beforeAll(async () => {
    e = await startDynalite();
    await createTable(e.options, 'fin-jobs', false);
    dir = mkdtempSync(join(tmpdir(), 'aisle-fin-'));
    const cache = new DynamoCache(e.clients.dynamo, 'fin-jobs');
    const lake = new FolderBlobStore(dir);
    deps = {
      taxonomy: parseTaxonomy(taxonomyJson, 'models/taxonomy.json'),
      bucket: () => lake,
      lake,
      jobs: new DynamoJobStore(e.clients.dynamo, 'fin-jobs'),
      results: new DynamoResultStore(e.clients.dynamo, 'fin-jobs', cache),
      cache,
      tiers: async () => [],
      classifyQueue: { send: async () => undefined },
      finalizeQueue: { send: async (m) => void queue.push(...m) },
      logger: quiet,
      metrics: { addMetric: () => undefined },
      now: () => new Date('2026-12-07T12:00:00Z'),
    };
  });
  afterAll(async () => {
    await e?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function lakeRows(jobId: string): Promise<[string, number][]> {
    const parts = (await deps.lake.list('results/')).filter((k) => k.includes(`/job=${jobId}/`)).map((k) => join(dir, k));
    const db = await (await DuckDBInstance.create(':memory:')).connect();
    const list = parts.map((p) => `'${p}'`).join(', ');
    const rows = (
      await db.runAndReadAll(`SELECT product_name, row_no FROM read_parquet([${list}], hive_partitioning = false) ORDER BY row_no`)
    ).getRows();
    db.closeSync();
    return rows.map(([name, n]) => [String(name).replace('Pantry item ', ''), Number(n)]);
  }

  it('plans a segment per count shard, numbers rows across them, composes in order and ends partial', async () => {
    const jobs = deps.jobs;
    await jobs.create({ id: 'seg', input: 's3://in/seg.csv', status: 'running', rowsIn: 10, totalKnown: true });
    await deps.lake.put(outboxKeys('seg').header, JSON.stringify({ header: HEADER }));
    for (const [id, skus] of Object.entries(CHUNKS)) {
      await deps.lake.put(outboxKeys('seg').part(id), partOf(skus)); // the failed chunk left a part before it failed
      if (id !== FAILED) await jobs.addChunk('seg', id, { classified: skus.length, rejected: 0, needsReview: 0, tierCounts: { rules: skus.length } });
    }
    await jobs.failChunk('seg', { chunkId: FAILED, rows: 2, reason: 'boom' });
    expect(await jobs.shardCounts('seg')).toEqual([
      { shard: '00000', classified: 3 },
      { shard: '00001', classified: 3 },
      { shard: '00002', classified: 2 },
    ]);
    await jobs.transition('seg', 'running', 'finalizing');

    queue.push({ tenant: 'default', jobId: 'seg' });
    await finalizeStep(deps, queue.shift()!);
    const segments = queue.filter((m): m is SegmentMessage => m.kind === 'segment');
    firstPlan = segments;
    expect(segments.map((s) => [s.shard, s.rowsBefore, s.rows])).toEqual([
      ['00000', 0, 3],
      ['00001', 3, 3],
      ['00002', 6, 2],
    ]);
    // Out of order, as SQS may deliver them; the last to finish sends compose.
    queue.reverse();
    await drain();

    expect(await jobs.get('seg')).toMatchObject({ status: 'partial', classified: 8, failed: 2, output: outboxKeys('seg').result });
    const result = parse(await text((await deps.lake.get(outboxKeys('seg').result))!), { columns: true }) as Record<string, string>[];
    expect(Object.keys(result[0]).slice(0, 2)).toEqual(HEADER);
    // Input order; within chunk 00001000, the LLM part's key sorts first (as S3 lists the parts).
    expect(result.map((r) => r.sku)).toEqual(['a1', 'a2', 'a3', 'b3', 'b1', 'b2', 'c1', 'c2']);
    expect(await lakeRows('seg')).toEqual(result.map((r, i) => [r.sku, i + 1]));

    // Redelivered: a segment rewrites its objects and sends compose again; compose leaves the ended job alone.
    queue.push(segments[1]);
    await drain();
    expect(await jobs.get('seg')).toMatchObject({ status: 'partial' });
    expect(await lakeRows('seg')).toEqual(result.map((r, i) => [r.sku, i + 1]));
  });

  it('after a redrive plans again, and a late segment of the old plan writes nothing', async () => {
    const jobs = deps.jobs;
    // The redrive: the failed chunk counts as classified this time.
    await jobs.transition('seg', 'partial', 'running');
    await jobs.reopenChunks('seg', [FAILED]);
    await jobs.addChunk('seg', FAILED, { classified: 2, rejected: 0, needsReview: 0, tierCounts: { rules: 2 } });
    await jobs.transition('seg', 'running', 'finalizing');
    queue.push({ tenant: 'default', jobId: 'seg' });
    await finalizeStep(deps, queue.shift()!);
    const fresh = queue.filter((m): m is SegmentMessage => m.kind === 'segment');
    expect(fresh.map((s) => [s.shard, s.rowsBefore, s.rows])).toEqual([
      ['00000', 0, 5],
      ['00001', 5, 3],
      ['00002', 8, 2],
    ]);
    // A segment of the first plan, delivered late, before the new plan's run: skipped, nothing rewritten.
    const stale = firstPlan[1];
    expect(stale.plan).not.toBe(fresh[1].plan);
    const staleSegment = finalizeKeys('seg', stale.plan).segment(1);
    const before = await text((await deps.lake.get(staleSegment))!);
    await deps.lake.put(staleSegment, 'marker\n');
    await finalizeStep(deps, stale);
    expect(await text((await deps.lake.get(staleSegment))!)).toBe('marker\n');
    expect(before.length).toBeGreaterThan(0);
    await drain();

    expect(await jobs.get('seg')).toMatchObject({ status: 'done', classified: 10 });
    const result = parse(await text((await deps.lake.get(outboxKeys('seg').result))!), { columns: true }) as Record<string, string>[];
    expect(result.map((r) => r.sku)).toEqual(['a1', 'a2', 'a3', 'f1', 'f2', 'b3', 'b1', 'b2', 'c1', 'c2']);
    expect(await lakeRows('seg')).toEqual(result.map((r, i) => [r.sku, i + 1]));
  });

  it('ends a job with no classified row with the header alone', async () => {
    await deps.jobs.create({ id: 'none', input: 's3://in/none.csv', status: 'finalizing', rowsIn: 2, totalKnown: true, rejected: 2 });
    await deps.lake.put(outboxKeys('none').header, JSON.stringify({ header: HEADER }));
    queue.push({ tenant: 'default', jobId: 'none' });
    await drain();
    expect(await deps.jobs.get('none')).toMatchObject({ status: 'done' });
    expect((await text((await deps.lake.get(outboxKeys('none').result))!)).split('\n')[0]).toMatch(/^sku,product_name,/);
  });
});
