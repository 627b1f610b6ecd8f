/**
 * The local Parquet reader (adapters/local/parquet-input.ts) reads each row as one joined string and its fields'
 * lengths: its rows must be exactly what DuckDB gives column by column, as text (NULL as '', numbers, dates,
 * non-ASCII, characters beyond the BMP, combining marks, odd column names), and its rejects and skips as before.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openParquet } from '../../functions/adapters/local/parquet-input.ts';
import type { TableReadOptions } from '../../functions/core/input/open.ts';

const ROWS = `SELECT i AS "my ""id""",
    CASE i % 7 WHEN 0 THEN NULL WHEN 1 THEN '' WHEN 2 THEN 'Jalapeño chips 😀 x' || i WHEN 3 THEN 'e' || chr(769) || '🍓🍓 ' || i
      WHEN 4 THEN 'a,"b"' || chr(10) || 'c' || chr(0) || i ELSE 'Product ' || i || ' Crème fraîche 200 g' END AS product_name,
    CASE WHEN i % 3 = 0 THEN NULL WHEN i % 3 = 1 THEN '' ELSE '𝔅rand ' || i END AS "concat",
    i * 1.5 AS price, i % 2 = 0 AS in_stock, DATE '2026-03-01' + (i % 30)::INTEGER AS listed,
    TIMESTAMP '2026-03-01 12:30:00' AS updated, CASE WHEN i % 5 = 0 THEN NULL ELSE i::DOUBLE / 3 END AS ratio
  FROM range(1, 5001) t(i)`;

async function readAll(path: string, opts: TableReadOptions = {}) {
  const reader = openParquet({ path, bytes: (async function* () {})() }, { batchSize: 700, ...opts });
  const rows: string[][] = [];
  const rejects: string[] = [];
  const numbers: number[] = [];
  for await (const b of reader.batches()) {
    rows.push(...b.rows);
    numbers.push(...b.rowNumbers);
    rejects.push(...b.rejects.map((r) => `${r.line}: ${r.reason}: ${r.raw}`));
  }
  return { header: reader.columns!.header, rows, numbers, rejects };
}

describe('the local Parquet reader', { timeout: 60_000 }, () => {
  let dir: string;
  let path: string;
  let expected: { header: string[]; rows: string[][] };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'aisle-parquet-input-'));
    path = join(dir, 'catalog.parquet');
    const db = await DuckDBInstance.create(':memory:');
    const c = await db.connect();
    await c.run(`COPY (${ROWS}) TO '${path}' (FORMAT parquet, ROW_GROUP_SIZE 1000)`);
    // What DuckDB gives value by value, every column as VARCHAR: the reference.
    const reader = await c.runAndReadAll(`SELECT COLUMNS(*)::VARCHAR FROM read_parquet('${path}')`);
    expected = { header: reader.columnNames(), rows: reader.getRows().map((row) => row.map((v) => (v === null ? '' : String(v)))) };
    c.closeSync();
    db.closeSync();
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('gives every field as DuckDB writes it as text, NULL as empty, and rejects the rows without a name', async () => {
    const got = await readAll(path);
    expect(got.header).toEqual(['my "id"', 'product_name', 'concat', 'price', 'in_stock', 'listed', 'updated', 'ratio']);
    const named = expected.rows.filter((row) => row[1] !== '');
    expect(named.length).toBeLessThan(5000);
    expect(got.rows).toEqual(named);
    expect(got.rows.find((row) => row[0] === '3')?.[1]).toBe('e\u0301🍓🍓 3');
    expect(got.rows.find((row) => row[0] === '2')?.[2]).toBe('𝔅rand 2');
    expect(got.rows.find((row) => row[0] === '2')?.[5]).toBe('2026-03-03');
    expect(got.rejects).toHaveLength(5000 - named.length);
    // i = 1 is empty, i = 7 NULL: both rejected, numbered as CSV lines, NULL fields written empty.
    expect(got.rejects[0]).toBe('2: empty product name: 1,,,1.5,false,2026-03-02,2026-03-01 12:30:00,0.3333333333333333');
    expect(got.rejects[1]).toMatch(/^8: empty product name: 7,,,10.5,/);
  });

  it('numbers records from the file and skips the ones asked', async () => {
    const got = await readAll(path, { skipRecords: 4000 });
    // Record 4001 (i = 4001) has a name: the first row kept, numbered from the file's start.
    expect(got.numbers[0]).toBe(4001);
    expect(got.rows[0]).toEqual(expected.rows[4000]);
    expect(got.rows.length + got.rejects.length).toBe(1000);
  });
});
