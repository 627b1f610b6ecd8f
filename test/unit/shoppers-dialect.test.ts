import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALLOWED_FUNCTIONS, functionsCalled } from '../../functions/core/insights.ts';
import { ATHENA_DIALECT, DUCKDB_DIALECT, renderSql } from '../../functions/shoppers/dialect.ts';
import { ShopperInsights } from '../../functions/shoppers/insights.ts';
import type { ShopperSummary } from '../../functions/shoppers/pipeline.ts';
import { SHOPPER_TABLES, shopperInsightNames } from '../../functions/shoppers/registry.ts';
import { ATHENA_FUNCTIONS_ON_DUCKDB } from '../support/athena-on-duckdb.ts';
import { writeShopperTables } from '../support/shopper-fixture.ts';

/**
 * The shopper SQL is one text for DuckDB and Athena; the dialects (functions/shoppers/dialect.ts) spell the few
 * things the engines differ on. There is no Athena here, nor a Trino engine that installs from npm, so:
 * - the shared text is checked to call only functions both engines implement alike (the list below);
 * - the Athena rendering is run on DuckDB, with the Trino functions it names defined as DuckDB macros that give them
 *   their Trino meaning for the values the pipeline passes (ATHENA_FUNCTIONS_ON_DUCKDB), over the same generated
 *   log as the DuckDB rendering: every table and every insight must come out equal.
 * What that proves: the Athena fragments compose with the shared text into queries that compute the same answers,
 * given Trino's documented meaning of regexp_like, from_iso8601_timestamp, to_unixtime, from_unixtime, date_format
 * (%x-W%v) and try. What it does not: that Trino parses every construct of the shared text as DuckDB does (the
 * function list and the insights README's rules guard that), nor the macros' fidelity beyond those values.
 */
const SHOPPERS_SQL = fileURLToPath(new URL('../../functions/core/shoppers/', import.meta.url));
const pipelineFiles = readdirSync(SHOPPERS_SQL).filter((f) => f.endsWith('.sql'));

/** Functions both engines implement alike that the pipeline steps call beyond the insights' list. */
const PIPELINE_FUNCTIONS = new Set([...ALLOWED_FUNCTIONS, 'REPLACE', 'TRY_CAST']);
const TRINO_FRAGMENT_FUNCTIONS = ['REGEXP_LIKE', 'TRY', 'FROM_ISO8601_TIMESTAMP', 'TO_UNIXTIME', 'FROM_UNIXTIME', 'DATE_FORMAT', 'HOUR'];

describe('the shopper SQL dialects', () => {
  it('puts each engine’s spelling in place of the placeholders, and nothing of DuckDB’s in the Athena text', () => {
    const parse = readFileSync(join(SHOPPERS_SQL, 'parse_events.sql'), 'utf8');
    expect(parse).toContain('{{iso_epoch_ms(c.ts_text)}}');
    const duck = renderSql(parse, DUCKDB_DIALECT);
    expect(duck).toContain("regexp_full_match(c.ts_text, '[0-9]{1,11}')");
    expect(duck).toContain('epoch_ms(TRY_CAST(c.ts_text AS TIMESTAMPTZ))');
    const athena = renderSql(parse, ATHENA_DIALECT);
    expect(athena).toContain("regexp_like(c.ts_text, '^' || '[0-9]{12,14}' || '$')");
    for (const f of pipelineFiles) {
      const text = renderSql(readFileSync(join(SHOPPERS_SQL, f), 'utf8'), ATHENA_DIALECT).replace(/--[^\n]*/g, '');
      expect(text, f).not.toMatch(/\{\{|regexp_full_match|epoch_ms|strftime|TIMESTAMPTZ/i);
    }
    expect(() => renderSql('SELECT {{nope(x)}}', ATHENA_DIALECT)).toThrow(/unknown dialect placeholder/);
  });

  it('the shared text of every pipeline step calls only functions both engines implement alike', () => {
    for (const f of pipelineFiles) {
      const shared = readFileSync(join(SHOPPERS_SQL, f), 'utf8').replace(/\{\{.*?\}\}/g, 'NULL');
      expect(
        functionsCalled(shared).filter((fn) => !PIPELINE_FUNCTIONS.has(fn)),
        f,
      ).toEqual([]);
      const athena = renderSql(readFileSync(join(SHOPPERS_SQL, f), 'utf8'), ATHENA_DIALECT);
      expect(
        functionsCalled(athena).filter((fn) => !PIPELINE_FUNCTIONS.has(fn) && !TRINO_FRAGMENT_FUNCTIONS.includes(fn)),
        f,
      ).toEqual([]);
    }
  });
});

describe('the Athena rendering run on DuckDB gives the DuckDB rendering’s answers on the same generated log', () => {
  const dir = mkdtempSync(join(tmpdir(), 'aisle-shopper-dialect-'));
  const outOf = (dialect: string) => join(dir, dialect, 'out');
  const summaries: Record<string, ShopperSummary> = {};
  const gen = { events: 20_000, shoppers: 1_200, seed: 9 };

  beforeAll(async () => {
    summaries.duckdb = await writeShopperTables(join(dir, 'duckdb'), outOf('duckdb'), gen);
    summaries.athena = await writeShopperTables(join(dir, 'athena'), outOf('athena'), {
      ...gen,
      dialect: ATHENA_DIALECT,
      setup: ATHENA_FUNCTIONS_ON_DUCKDB,
    });
  }, 120_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('the same counts, with every kind of timestamp parsed (no reject for a time the other engine reads)', () => {
    const strip = ({ outputs, ...s }: ShopperSummary) => s;
    expect(strip(summaries.athena)).toEqual(strip(summaries.duckdb));
    expect(summaries.duckdb.eventsKept).toBeGreaterThan(15_000);
  });

  it('the same rows in every table', async () => {
    const instance = await DuckDBInstance.create(':memory:');
    const c = await instance.connect();
    try {
      for (const table of SHOPPER_TABLES) {
        const read = (dialect: string) => `SELECT * FROM read_parquet('${join(outOf(dialect), `${table}.parquet`)}')`;
        const count = async (sql: string) => Number((await c.runAndReadAll(`SELECT COUNT(*) AS n FROM (${sql})`)).getRowsJS()[0][0]);
        const rows = await count(read('duckdb'));
        expect(rows, table).toBeGreaterThan(0);
        expect(await count(read('athena')), table).toBe(rows);
        // Rows of one side that the other lacks, both ways: none.
        expect(await count(`${read('duckdb')} EXCEPT ALL ${read('athena')}`), table).toBe(0);
        expect(await count(`${read('athena')} EXCEPT ALL ${read('duckdb')}`), table).toBe(0);
      }
    } finally {
      c.closeSync();
      instance.closeSync();
    }
  });

  it('the same answer from every named insight over each engine’s tables (the calendar rollup spelled per engine)', async () => {
    const duck = await ShopperInsights.open(outOf('duckdb'));
    const athena = await ShopperInsights.open(outOf('athena'));
    try {
      for (const name of shopperInsightNames()) {
        const expected = await duck.run(name);
        expect(expected.length, name).toBeGreaterThan(0);
        expect(await athena.run(name), name).toEqual(expected);
      }
    } finally {
      duck.close();
      athena.close();
    }
  });
});
