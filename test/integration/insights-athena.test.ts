import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AthenaClient, GetQueryExecutionCommand, ListQueryExecutionsCommand } from '@aws-sdk/client-athena';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AthenaInsights } from '../../functions/adapters/aws/athena-insights.ts';
import { DuckDbInsights } from '../../functions/adapters/local/insights.ts';
import { athenaQueryText, loadNamedQueries } from '../../functions/core/insights.ts';
import { type Emulator, motoMissing, skipReason, startMoto, TEST_CREDENTIALS } from '../support/emulators.ts';
import { writeFixtureLake } from '../support/lake-fixture.ts';

const skip = skipReason(motoMissing());

/** Athena's GetQueryResults shape for rows: every value a string, a header row first, types in ColumnInfo. */
function asAthenaResult(rows: Record<string, unknown>[]) {
  const names = Object.keys(rows[0]);
  const typeOf = (v: unknown) =>
    typeof v === 'number' ? (Number.isInteger(v) ? 'bigint' : 'double') : typeof v === 'boolean' ? 'boolean' : 'varchar';
  const sample = (n: string) => rows.find((r) => r[n] !== null)?.[n];
  return {
    rows: [
      { Data: names.map((n) => ({ VarCharValue: n })) },
      ...rows.map((r) => ({ Data: names.map((n) => (r[n] === null ? {} : { VarCharValue: String(r[n]) })) })),
    ],
    column_info: names.map((n) => ({
      CatalogName: 'hive',
      SchemaName: '',
      TableName: '',
      Name: n,
      Label: n,
      Type: typeOf(sample(n)),
      Precision: 0,
      Scale: 0,
      Nullable: 'UNKNOWN',
      CaseSensitive: false,
    })),
  };
}

describe.skipIf(!!skip)('Athena insights adapter on moto_server', () => {
  let moto: Emulator;
  let client: AthenaClient;
  let root: string;
  let local: DuckDbInsights;

  beforeAll(async () => {
    moto = await startMoto();
    client = new AthenaClient({ endpoint: moto.endpoint, region: 'us-east-1', credentials: TEST_CREDENTIALS });
    root = mkdtempSync(join(tmpdir(), 'aisle-athena-'));
    writeFixtureLake(join(root, 'lake'), [
      { id: 'job-a', dt: '2026-11-01', rows: 300, at: '2026-11-01T10:00:00.000Z' },
      { id: 'job-b', dt: '2026-11-02', rows: 300, at: '2026-11-02T10:00:00.000Z', weights: { 'food.beverages': 6 } },
    ]);
    local = new DuckDbInsights(join(root, 'lake'));
  });
  afterAll(async () => {
    await local?.close();
    await moto?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  it('sends the named query text with the job and tenant as literals, and returns what DuckDB returns for the same rows', async () => {
    const expected = await local.run('drift', { jobId: 'job-b' });
    // Not an empty answer, which two empty results would match as well: job-b's rows against job-a's.
    expect(expected.length).toBeGreaterThan(1);
    expect(expected.every((r) => r.job_id === 'job-b')).toBe(true);
    // moto does not execute SQL: it answers with the queued result, which here is DuckDB's answer in Athena's shape.
    const seeded = await fetch(`${moto.endpoint}/moto-api/static/athena/query-results`, {
      method: 'POST',
      body: JSON.stringify({ region: 'us-east-1', results: [asAthenaResult(expected)] }),
    });
    expect(seeded.ok).toBe(true);

    const athena = new AthenaInsights({ client, workGroup: 'primary', database: 'aisle', pollMs: 10 });
    const rows = await athena.run('drift', { jobId: 'job-b' });
    expect(rows).toEqual(expected);

    const { QueryExecutionIds } = await client.send(new ListQueryExecutionsCommand({}));
    expect(QueryExecutionIds).toHaveLength(1);
    const { QueryExecution: sent } = await client.send(new GetQueryExecutionCommand({ QueryExecutionId: QueryExecutionIds![0] }));
    expect(sent!.Query).toBe(athenaQueryText(loadNamedQueries().find((q) => q.name === 'drift')!.sql, 'job-b', 'default'));
    // Partition projection of the injected tenant column needs a static equality, and Athena takes `?` only in WHERE.
    expect(sent!.Query).toContain("WHERE r.tenant = 'default'");
    expect(sent!.Query).not.toContain('?');
    expect(sent!.ExecutionParameters ?? []).toEqual([]);
    expect(sent!.QueryExecutionContext?.Database).toBe('aisle');
  });

  it('the Athena text of every named query gives what the bound query gives (run on DuckDB, both jobs and all)', async () => {
    const lake = (local as unknown as { lake: { query(sql: string, p: unknown[]): Promise<{ getRowObjectsJS(): unknown[] }> } }).lake;
    for (const { name, sql } of loadNamedQueries()) {
      for (const jobId of ['job-b', undefined]) {
        const bound = (await lake.query(sql, [jobId ?? null, 'default'])).getRowObjectsJS();
        const literal = (await lake.query(athenaQueryText(sql, jobId, 'default'), [])).getRowObjectsJS();
        expect(literal, `${name} ${jobId ?? 'all jobs'}`).toEqual(bound);
      }
    }
    expect(() => athenaQueryText(loadNamedQueries()[0].sql, "x' OR '1'='1", 'default')).toThrow(/may hold only/);
    expect(() => athenaQueryText(loadNamedQueries()[0].sql, undefined, "a' OR 'b")).toThrow(/cannot hold/);
  });

  it('refuses unknown queries and unsafe job ids before calling Athena', async () => {
    const athena = new AthenaInsights({ client, workGroup: 'primary', database: 'aisle' });
    await expect(athena.run('nope')).rejects.toThrow(/no insight query named/);
    await expect(athena.run('tier_mix', { jobId: "x'; DROP TABLE results; --" })).rejects.toThrow(/may hold only/);
  });
});
