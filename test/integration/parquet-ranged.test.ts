/**
 * The S3 ingest's Parquet reader (core/input/parquet.ts: hyparquet, byte-range reads) gives the rows DuckDB's
 * reader gives locally (adapters/local/parquet-input.ts), for the codecs and types catalogs come in, and reads a
 * file of several row groups a row group at a time, never whole.
 */
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FolderBlobStore } from '../../functions/adapters/local/blob-store.ts';
import { openParquet } from '../../functions/adapters/local/parquet-input.ts';
import { openRangedParquet, type RangedFile } from '../../functions/core/input/parquet.ts';
import type { TableReader } from '../../functions/core/input/table.ts';

async function readAll(reader: TableReader) {
  const rows: string[][] = [];
  const rejects: string[] = [];
  for await (const b of reader.batches()) {
    rows.push(...b.rows);
    rejects.push(...b.rejects.map((r) => `${r.line}: ${r.reason}`));
  }
  return { header: reader.columns!.header, rows, rejects };
}

describe('Parquet by byte ranges (the S3 ingest) reads as DuckDB does', { timeout: 60_000 }, () => {
  let dir: string;
  const files: Record<string, string> = {};

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'aisle-parquet-ranged-'));
    const db = await DuckDBInstance.create(':memory:');
    const c = await db.connect();
    const rows = `SELECT 'SKU-' || i AS sku, CASE WHEN i % 500 = 7 THEN '' ELSE 'Product ' || i || ' Crème 200 g' END AS product_name,
      i * 1.5 AS price, i % 2 = 0 AS in_stock, DATE '2026-03-01' + (i % 30)::INTEGER AS listed,
      TIMESTAMP '2026-03-01 12:30:00' AS updated, CASE WHEN i % 3 = 0 THEN NULL ELSE 'brand ' || i END AS brand, i::BIGINT AS n
      FROM range(1, 3001) t(i)`;
    for (const codec of ['snappy', 'zstd', 'gzip', 'uncompressed']) {
      files[codec] = join(dir, `${codec}.parquet`);
      await c.run(`COPY (${rows}) TO '${files[codec]}' (FORMAT parquet, COMPRESSION ${codec}, ROW_GROUP_SIZE 1000)`);
    }
    // Big enough that the footer read (hyparquet reads the last 512 KB first) is not the whole file.
    files.big = join(dir, 'big.parquet');
    await c.run(`COPY (SELECT 'SKU-' || i AS sku, 'Product ' || i || ' ' || repeat('x', 40) AS product_name FROM range(1, 200001) t(i))
      TO '${files.big}' (FORMAT parquet, COMPRESSION uncompressed, ROW_GROUP_SIZE 20000)`);
    c.closeSync();
    db.closeSync();
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const ranged = (path: string, reads: number[] = []): RangedFile => {
    const blobs = new FolderBlobStore(dir);
    const key = path.slice(dir.length + 1);
    return {
      byteLength: statSync(path).size,
      read: async (start, end) => {
        reads.push(end - start);
        return blobs.getRange(key, start, end);
      },
    };
  };

  it('every codec: the same header, rows and rejects as the DuckDB reader', async () => {
    for (const [codec, path] of Object.entries(files).filter(([codec]) => codec !== 'big')) {
      const local = await readAll(openParquet({ path, bytes: (async function* () {})() }, { batchSize: 700 }));
      const s3 = await readAll(openRangedParquet(ranged(path), { batchSize: 700 }));
      expect(local.rows.length, codec).toBe(2994);
      expect(local.rejects.length, codec).toBe(6);
      expect(s3, codec).toEqual(local);
    }
  });

  it('reads a row group at a time: no read is anywhere near the whole file', async () => {
    const reads: number[] = [];
    const { rows } = await readAll(openRangedParquet(ranged(files.big, reads), {}));
    const size = readFileSync(files.big).length;
    expect(rows).toHaveLength(200_000);
    expect(reads.length).toBeGreaterThan(5);
    expect(Math.max(...reads)).toBeLessThan(size / 2);
  });
});
