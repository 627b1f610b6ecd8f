/**
 * The readers the S3 ingest Lambda runs (issue 20, the S3 path) over one generated catalog: the plain CSV stream
 * (the baseline, in the same run), Parquet through byte ranges (hyparquet, a row group at a time), .xlsx through
 * exceljs's streaming reader, and DuckDB's Parquet reader (what local runs use) for reference. Reading only (no
 * classifying): each in a child process, wall seconds with start-up, rows/s, the ratio to CSV and peak RSS.
 *
 *   npx tsx bench/s3-ingest-readers.ts [--rows N]
 */
import { spawnSync } from 'node:child_process';
import { createReadStream, createWriteStream, existsSync, mkdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { parse } from 'csv-parse';
import { FolderBlobStore } from '../functions/adapters/local/blob-store.ts';
import { openParquet } from '../functions/adapters/local/parquet-input.ts';
import { openTable } from '../functions/core/input/open.ts';
import { openRangedParquet } from '../functions/core/input/parquet.ts';
import type { TableReader } from '../functions/core/input/table.ts';
import { openXlsx } from '../functions/core/input/xlsx.ts';
import { writeRows } from '../functions/core/output/formats.ts';
import { copyCatalog, writeCatalog } from './catalog-generator.ts';
import { loadAverages, machineLine } from './machine.ts';

const { values } = parseArgs({ options: { rows: { type: 'string', default: '200000' }, one: { type: 'string' }, input: { type: 'string' } } });
const rows = Number(values.rows);

async function count(reader: TableReader): Promise<number> {
  let n = 0;
  for await (const b of reader.batches()) n += b.rows.length + b.rejects.length;
  return n;
}

if (values.one) {
  // A child: read one input with one reader, print rows and peak RSS.
  const input = values.input!;
  const started = performance.now();
  let reader: TableReader;
  if (values.one === 'parquet-ranged') {
    const blobs = new FolderBlobStore(dirname(input));
    const key = basename(input);
    reader = openRangedParquet({ byteLength: statSync(input).size, read: (s, e) => blobs.getRange(key, s, e) }, { batchSize: 2000 });
  } else if (values.one === 'parquet-duckdb') {
    reader = openParquet({ path: input, bytes: (async function* () {})() }, { batchSize: 2000 });
  } else {
    reader = (await openTable(createReadStream(input), { name: input, batchSize: 2000, xlsx: openXlsx })).reader;
  }
  const n = await count(reader);
  console.log(JSON.stringify({ rows: n, seconds: (performance.now() - started) / 1000, rssMb: Math.round(process.resourceUsage().maxRSS / 1024) }));
  process.exit(0);
}

const work = join(process.env.AISLE_BENCH_DIR ?? tmpdir(), 'aisle-bench-s3-readers');
mkdirSync(work, { recursive: true });
const csv = join(work, `catalog-${rows}.csv`);
const parquet = join(work, `catalog-${rows}.parquet`);
const xlsx = join(work, `catalog-${rows}.xlsx`);
if (!existsSync(csv)) await writeCatalog(csv, rows);
await copyCatalog(csv, { [parquet]: 'parquet' });
if (!existsSync(xlsx)) {
  const records = createReadStream(csv).pipe(parse());
  const it: AsyncIterator<string[]> = records[Symbol.asyncIterator]();
  const header = (await it.next()).value as string[];
  await writeRows('xlsx', header, { [Symbol.asyncIterator]: () => it }, { stream: () => createWriteStream(xlsx), parquet: () => undefined as never });
}

const passes = [
  ['CSV stream (baseline)', 'csv', csv],
  ['Parquet, ranged (hyparquet)', 'parquet-ranged', parquet],
  ['xlsx stream (exceljs reader)', 'xlsx', xlsx],
  ['Parquet, DuckDB (local, reference)', 'parquet-duckdb', parquet],
] as const;
const results = passes.map(([name, one, input]) => {
  const started = performance.now();
  const r = spawnSync(process.execPath, ['--import', 'tsx', import.meta.filename, '--one', one, '--input', input], {
    encoding: 'utf8',
    maxBuffer: 1 << 24,
  });
  const wall = (performance.now() - started) / 1000;
  if (r.status !== 0) throw new Error(`${name} failed:\n${r.stderr}`);
  const got = JSON.parse(r.stdout.trim().split('\n').pop()!) as { rows: number; seconds: number; rssMb: number };
  if (got.rows !== rows) throw new Error(`${name}: ${got.rows} rows, the catalog has ${rows}`);
  return { name, wall, ...got };
});

console.log(machineLine());
console.log(`load:    ${loadAverages()}`);
const mib = (p: string) => `${(statSync(p).size / 2 ** 20).toFixed(1)} MiB`;
console.log(`input:   ${rows.toLocaleString('en-US')} rows; csv ${mib(csv)}, parquet ${mib(parquet)}, xlsx ${mib(xlsx)}\n`);
console.log(`${'reader'.padEnd(36)} ${'wall s'.padStart(7)} ${'rows/s'.padStart(10)} ${'vs CSV'.padStart(7)} ${'peak RSS'.padStart(9)}`);
for (const r of results) {
  const rate = rows / r.wall;
  console.log(
    `${r.name.padEnd(36)} ${r.wall.toFixed(2).padStart(7)} ${Math.round(rate).toLocaleString('en-US').padStart(10)} ${(rate / (rows / results[0].wall)).toFixed(2).padStart(7)} ${`${r.rssMb} MB`.padStart(9)}`,
  );
}
