import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalogRows } from '../../bench/catalog-generator.ts';
import { classifyWorkerScript } from '../../bin/commands/classify.ts';
import { type ClassifyFileOptions, classifyFile } from '../../functions/adapters/local/classify-file.ts';
import { WORKER_MODEL_BYTES, workerFitsModel } from '../../functions/adapters/local/classify-parallel.ts';
import { createLocalRuntime, type LocalRuntime } from '../../functions/adapters/local/runtime.ts';
import type { JobCheckpoint } from '../../functions/ports.ts';
import { hasZstd } from '../fixtures/files/corpus.ts';
import { skipReason } from '../support/emulators.ts';

/**
 * Rows with every oddity the CSV contract names; with `broken`, also quoting that the parser cannot read, which
 * misleads the quote count that cuts slices.
 */
function oddRows(n: number, eol: string, sep: string, broken = false): string[] {
  const names = ['Whole Milk 1 gal', 'Mystery Widget', 'Paper Towels 6 ct', 'Cheddar Cheese 8 oz', 'Frobnicator 3000', 'Dog Food 20 lb'];
  const lines: string[] = [];
  for (let i = 1; i <= n; i++) {
    const name = names[i % names.length];
    switch (i % 13) {
      case 1:
        lines.push([i, `"${name}, family size"`, 'Acme'].join(sep));
        break; // delimiter inside quotes
      case 2:
        lines.push([i, `"${name}${eol}second line"`, '"Brand ""B"""'].join(sep));
        break; // line break and "" inside quotes
      case 3:
        lines.push([i, '', 'NoName'].join(sep));
        break; // empty name
      case 4:
        lines.push([i, name].join(sep));
        break; // too few columns
      case 5:
        lines.push([i, broken && i === 122 ? `Frozen 12" Pizza` : name, 'Acme'].join(sep));
        break; // a quote inside an unquoted field
      case 6:
        lines.push([i, broken && i === 201 ? `"${name}"x` : `"${name}"`, 'Acme'].join(sep));
        break; // text after a closing quote
      case 7:
        lines.push('');
        lines.push([i, name, 'Acme'].join(sep));
        break; // an empty line
      case 8:
        lines.push([i, 'x'.repeat(2001), 'Acme'].join(sep));
        break; // name too long
      default:
        lines.push([i, name, `Brand ${i % 7}`].join(sep));
    }
  }
  return lines;
}

/** The worker run wrote what the one-thread run wrote: output, rejects, stored rows and every count. */
function expectSameRun(one: SameRunParts, many: SameRunParts) {
  expect(many.output).toBe(one.output);
  expect(many.rejects).toBe(one.rejects);
  expect(many.stored).toEqual(one.stored);
  const { seconds: _a, jobId: _b, output: _c, rejects: _d, ...counts } = many.summary;
  const { seconds: _e, jobId: _f, output: _g, rejects: _h, ...expected } = one.summary;
  expect(counts).toEqual(expected);
}

interface SameRunParts {
  output: string;
  rejects: string;
  stored: unknown[];
  summary: Awaited<ReturnType<typeof classifyFile>>;
}

/** The text compressed by the zstd tool (node 20's zlib has none), or null (and why) where it is not installed. */
function zstdOrNull(text: string): Buffer | null {
  if (skipReason(hasZstd() ? null : 'the zstd tool is not installed: no .zst input to read')) return null;
  return execFileSync('zstd', ['-q', '-c'], { input: text });
}

describe('classify on worker threads writes what one thread writes', { timeout: 120_000 }, () => {
  let home: string;
  let rt: LocalRuntime;

  beforeAll(async () => {
    home = mkdtempSync(join(tmpdir(), 'aisle-parallel-'));
    rt = await createLocalRuntime({ home, tiers: ['cache', 'rules'], warn: () => undefined });
  });
  afterAll(async () => {
    await rt?.close();
    rmSync(home, { recursive: true, force: true });
  });

  /** Runs the file on one thread and on workers with small slices; returns both runs' files, rows stored and checkpoints. */
  async function both(name: string, text: string | Buffer, extra: Partial<ClassifyFileOptions> = {}, extension = '.csv') {
    const input = join(home, `${name}${extension}`);
    writeFileSync(input, text);
    const runs = [];
    for (const threads of [1, 2]) {
      const output = join(home, `${name}-${threads}.out.csv`);
      const checkpoints: JobCheckpoint[] = [];
      let workersStarted = 0;
      const summary = await classifyFile(rt, {
        input,
        output,
        jobId: `${name}-${threads}`,
        threads,
        // Asked for only when a run goes to workers.
        workerScript: () => {
          workersStarted++;
          return classifyWorkerScript();
        },
        parallelMinBytes: 0,
        sliceBytes: 300,
        checkpointEvery: 20,
        lake: 'off',
        onCheckpoint: (cp) => checkpoints.push(cp),
        ...extra,
      });
      const stored = await rt.db.query<{ row_no: number; key: string; status: string }>(
        'SELECT row_no::INTEGER AS row_no, key, status FROM decisions WHERE job_id = $j ORDER BY row_no',
        { j: `${name}-${threads}` },
      );
      runs.push({
        summary,
        checkpoints,
        workersStarted,
        stored,
        output: readFileSync(output, 'utf8'),
        rejects: readFileSync(summary.rejects, 'utf8'),
      });
    }
    return runs;
  }

  for (const [label, sep, bom] of [
    ['comma', ',', ''],
    ['semicolon, BOM', ';', '\uFEFF'],
  ] as const) {
    const eol = '\n';
    it(`gives the same output, rejects (line numbers included) and stored rows: ${label}`, async () => {
      const text = bom + ['id', 'product_name', 'brand'].join(sep) + eol + oddRows(400, eol, sep).join(eol) + eol;
      const [one, many] = await both(label.replace(/\W+/g, '-'), text);
      expectSameRun(one, many);
      expect(one.stored.length).toBeGreaterThan(0);
      expect(many.summary.rowsIn).toBe(many.summary.classified + many.summary.rejected);
      expect(one.rejects.split('\n').length).toBeGreaterThan(90);
      // Workers did it all, in many slices: their checkpoints say where in the input they are, so a resumed run
      // goes on in workers.
      expect(many.checkpoints.length).toBeGreaterThan(10);
      expect(many.checkpoints.every((cp) => cp.inputBytes! > 0)).toBe(true);
      expect(one.checkpoints.every((cp) => cp.inputBytes === undefined)).toBe(true);
    });
  }

  it('rejects a record over AISLE_MAX_RECORD_BYTES on workers as on one thread: its line, the reason, its start only', async () => {
    const rows = oddRows(120, '\n', ',');
    // A long unquoted line, and a quoted field over several lines: each over the 3,000-byte cap.
    rows.splice(40, 0, `9001,${'Long Name '.repeat(400)},Acme`);
    rows.splice(80, 0, `9002,"${'Lined\n'.repeat(700)}end",Acme`);
    const text = `id,product_name,brand\n${rows.join('\n')}\n`;
    const [one, many] = await both('oversized', text, { maxRecordBytes: 3000 });
    expectSameRun(one, many);
    expect(many.summary.rowsIn).toBe(many.summary.classified + many.summary.rejected);
    const oversized = one.rejects.split('\n').filter((l) => l.includes('AISLE_MAX_RECORD_BYTES'));
    const lineOf = (id: string) => text.slice(0, text.indexOf(`\n${id},`)).split('\n').length + 1;
    expect(oversized.map((l) => Number(l.split(',')[0]))).toEqual([lineOf('9001'), lineOf('9002')]);
    for (const l of oversized) expect(l.length).toBeLessThan(1300);
    // A reject after them keeps its line: row 94 (an empty name) comes after the quoted record's 700 lines.
    expect(lineOf('94')).toBeGreaterThan(lineOf('9002') + 700);
    expect(one.rejects).toContain(`\n${lineOf('94')},empty product name,`);
  });

  it('reads on with one parser from a record too long for a slice (over 2 MiB): the same output and rejects as one thread', async () => {
    const rows = oddRows(120, '\n', ',');
    rows.splice(60, 0, `9003,${'y'.repeat(3 << 20)},Acme`);
    const [one, many] = await both('too-long-for-slices', `id,product_name,brand\n${rows.join('\n')}\n`);
    expectSameRun(one, many);
    expect(many.workersStarted).toBe(1);
    expect(one.rejects).toMatch(/\n\d+,record longer than 1048576 bytes \(AISLE_MAX_RECORD_BYTES\)[^\n]*,"?9003,y{1000}/);
  });

  // A UTF-8 CSV in gzip or zstd is decompressed here and cut into slices as a plain one (record-slices.ts).
  for (const [label, extension, encode] of [
    ['gzip', '.csv.gz', (text: string) => gzipSync(text)],
    ['zstd, semicolon, BOM', '.csv.zst', zstdOrNull],
  ] as const) {
    it(`cuts ${label} into byte slices for the workers: output, rejects (line numbers included) and stored rows as on one thread`, async (t) => {
      const sep = label.includes('semicolon') ? ';' : ',';
      const bom = label.includes('BOM') ? '\uFEFF' : '';
      const bytes = encode(`${bom}${['id', 'product_name', 'brand'].join(sep)}\n${oddRows(400, '\n', sep).join('\n')}\n`);
      if (!bytes) return t.skip(); // zstdOrNull said why
      const [one, many] = await both(label.replace(/\W+/g, '-'), bytes, {}, extension);
      expectSameRun(one, many);
      expect(one.rejects.split('\n').length).toBeGreaterThan(90);
      // Slices, not rows: each checkpoint says where in the decompressed data the workers are.
      expect(many.checkpoints.length).toBeGreaterThan(10);
      expect(many.checkpoints.every((cp) => cp.inputBytes! > 0)).toBe(true);
      expect([one.workersStarted, many.workersStarted]).toEqual([0, 1]);
    });
  }

  /** A run that can be failed and resumed: slices of 300 bytes, a checkpoint every 20 rows. */
  function resumableRun(
    input: string,
    output: string,
    jobId: string,
    threads: number,
    onCheckpoint?: (cp: JobCheckpoint) => void,
    more: Partial<ClassifyFileOptions> = {},
  ) {
    return classifyFile(rt, {
      input,
      output,
      jobId,
      threads,
      workerScript: classifyWorkerScript,
      parallelMinBytes: 0,
      sliceBytes: 300,
      checkpointEvery: 20,
      lake: 'off',
      onCheckpoint,
      ...more,
    });
  }

  /**
   * Runs `input` on two threads in slices of 300 bytes, fails it at its fifth checkpoint, then runs it again: the
   * second run resumes from a byte offset and processes only the rest.
   */
  async function failThenResume(input: string, output: string, jobId: string) {
    const run = (onCheckpoint: (cp: JobCheckpoint) => void) => resumableRun(input, output, jobId, 2, onCheckpoint);
    let seen = 0;
    await expect(
      run(() => {
        if (++seen === 5) throw new Error('stop here');
      }),
    ).rejects.toThrow('stop here');
    const resumedCheckpoints: JobCheckpoint[] = [];
    const summary = await run((cp) => resumedCheckpoints.push(cp));
    expect(summary.resumedFrom).toBeGreaterThan(0);
    expect(summary.processedNow).toBe(summary.rowsIn - summary.resumedFrom);
    expect(resumedCheckpoints.every((cp) => cp.inputBytes! > 0)).toBe(true);
    return summary;
  }

  /** A Parquet file of `n` rows with every oddity its text can hold, as bytes (written by DuckDB). */
  async function oddParquet(n: number): Promise<Buffer> {
    const path = join(home, `odd-${n}.parquet`);
    const db = await DuckDBInstance.create(':memory:');
    const connection = await db.connect();
    await connection.run(`COPY (SELECT i AS "my ""id""",
        CASE i % 11 WHEN 0 THEN NULL WHEN 1 THEN '' WHEN 2 THEN 'Jalapeño chips 😀 x' || i WHEN 3 THEN 'e' || chr(769) || '🍓🍓 Milk ' || i
          WHEN 4 THEN 'Whole "Milk", 1 gal' || chr(10) || 'line two ' || chr(0) || i WHEN 5 THEN '!!!' WHEN 6 THEN 'Paper' || chr(13) || 'Towels ' || i
          WHEN 7 THEN ' Cheddar Cheese 8 oz ' WHEN 8 THEN '---' ELSE 'Product ' || i || ' Crème fraîche 200 g' END AS product_name,
        CASE WHEN i % 3 = 0 THEN NULL WHEN i % 3 = 1 THEN '' ELSE '𝔅rand, ' || i END AS brand,
        i * 1.5 AS price, i % 2 = 0 AS in_stock, DATE '2026-03-01' + (i % 30)::INTEGER AS listed,
        TIMESTAMP '2026-03-01 12:30:00' AS updated, CASE WHEN i % 5 = 0 THEN NULL ELSE i::DOUBLE / 3 END AS ratio
      FROM range(1, ${n + 1}) t(i)) TO '${path}' (FORMAT parquet, ROW_GROUP_SIZE 100)`);
    connection.closeSync();
    db.closeSync();
    return readFileSync(path);
  }

  // A Parquet's rows are written as CSV by DuckDB into a FIFO and cut into slices (parquet-input.ts, record-slices.ts).
  it('cuts a Parquet, written as CSV, into byte slices for the workers: output, rejects (numbered by record) and stored rows as on one thread', async () => {
    const [one, many] = await both('parquet-slices', await oddParquet(600), {}, '.parquet');
    expectSameRun(one, many);
    // NULL and '' names, '!!!' and '---' after a name holding a newline: numbered by record, not by line.
    expect(one.rejects.split('\n').length).toBeGreaterThan(200);
    expect(one.rejects).toContain('\n6,"no letter or digit');
    expect(many.summary.rowsIn).toBe(600);
    expect(many.summary.rowsIn).toBe(many.summary.classified + many.summary.rejected);
    expect(many.checkpoints.length).toBeGreaterThan(10);
    expect(many.checkpoints.every((cp) => cp.inputBytes! > 0)).toBe(true);
    expect([one.workersStarted, many.workersStarted]).toEqual([0, 1]);
  });

  it('resumes a Parquet on worker threads from where a failed run checkpointed, with the same output and rejects', async () => {
    const [one] = await both('parquet-resume', await oddParquet(600), {}, '.parquet');
    const summary = await failThenResume(join(home, 'parquet-resume.parquet'), join(home, 'parquet-resumed.out.csv'), 'parquet-resumed');
    expect(readFileSync(join(home, 'parquet-resumed.out.csv'), 'utf8')).toBe(one.output);
    expect(readFileSync(summary.rejects, 'utf8')).toBe(one.rejects);
  });

  // The store gets a job's decisions when its run ends (DecisionStaging): its inserts then no longer add to the
  // workers' peak memory. A stopped run's staged decisions are kept up to its checkpoint, for the resume.
  it.each([1, 2])('stores the decisions when the run ends, and a run failed and resumed on %i thread(s) stores each once', async (threads) => {
    const name = `staged-${threads}`;
    const [one] = await both(`${name}-whole`, `id,product_name,brand\n${oddRows(4000, '\n', ',').join('\n')}\n`);
    const input = join(home, `${name}-whole.csv`);
    const output = join(home, `${name}.out.csv`);
    const storedNow = async () =>
      rt.db.query<{ row_no: number; key: string; status: string }>(
        'SELECT row_no::INTEGER AS row_no, key, status FROM decisions WHERE job_id = $j ORDER BY row_no',
        { j: name },
      );
    // Long enough for one thread's batches (a stream piece each) to pass five checkpoints.
    const run = (onCheckpoint: (cp: JobCheckpoint) => void) => resumableRun(input, output, name, threads, onCheckpoint);
    const storedAtCheckpoints: number[] = [];
    const staged: JobCheckpoint['staged'][] = [];
    let seen = 0;
    await expect(
      run((cp) => {
        staged.push(cp.staged);
        if (++seen === 5) throw new Error('stop here');
      }),
    ).rejects.toThrow('stop here');
    storedAtCheckpoints.push((await storedNow()).length);
    const stagingFiles = () => readdirSync(rt.db.tmpDir).filter((f) => f.startsWith('decisions-'));
    expect(stagingFiles()).toHaveLength(1); // kept for the resume
    const summary = await run((cp) => staged.push(cp.staged));
    expect(stagingFiles()).toEqual([]);
    expect(summary.resumedFrom).toBeGreaterThan(0);
    expect(storedAtCheckpoints).toEqual([0]);
    // Staged bytes grow from checkpoint to checkpoint, from the first record; the last checkpoint has stored them.
    expect(staged.slice(0, 4).every((s, i) => s!.from === 0 && s!.bytes > (i ? staged[i - 1]!.bytes : 0))).toBe(true);
    expect(staged.at(-1)).toBeUndefined();
    expect(await storedNow()).toEqual(one.stored);
    expect(readFileSync(output, 'utf8')).toBe(one.output);
  });

  // A server's job is never resumed: a failed one must not leave its staged decisions in tmp/ for good.
  it.each([1, 2])('leaves no staged decisions behind when a run that is not resumable fails on %i thread(s)', async (threads) => {
    const name = `unresumable-${threads}`;
    const input = join(home, `${name}.csv`);
    writeFileSync(input, `id,product_name,brand\n${oddRows(4000, '\n', ',').join('\n')}\n`);
    let seen = 0;
    await expect(
      resumableRun(
        input,
        join(home, `${name}.out.csv`),
        name,
        threads,
        () => {
          if (++seen === 5) throw new Error('stop here');
        },
        { resumable: false },
      ),
    ).rejects.toThrow('stop here');
    expect(seen).toBe(5);
    expect(readdirSync(rt.db.tmpDir).filter((f) => f.startsWith('decisions-'))).toEqual([]);
  });

  it('fails a damaged Parquet on workers as on one thread, with the reason', async () => {
    const bytes = await oddParquet(3000);
    const input = join(home, 'damaged.parquet');
    // The footer kept, a column chunk in the middle overwritten.
    writeFileSync(input, Buffer.concat([bytes.subarray(0, 2000), Buffer.alloc(4000, 0x55), bytes.subarray(6000)]));
    for (const threads of [1, 2]) {
      const run = classifyFile(rt, {
        input,
        output: join(home, `damaged-parquet-${threads}.out.csv`),
        jobId: `damaged-parquet-${threads}`,
        threads,
        workerScript: classifyWorkerScript,
        parallelMinBytes: 0,
        sliceBytes: 300,
        lake: 'off',
      });
      await expect(run).rejects.toThrow('the Parquet file cannot be read: ');
      expect((await rt.jobs.get(`damaged-parquet-${threads}`))?.status).toBe('failed');
    }
  });

  it('fails a damaged gzip on workers as on one thread, with the reason', async () => {
    const gz = gzipSync(`id,product_name,brand\n${oddRows(2000, '\n', ',').join('\n')}\n`);
    const input = join(home, 'damaged.csv.gz');
    writeFileSync(input, gz.subarray(0, gz.length >> 1));
    for (const threads of [1, 2]) {
      const run = classifyFile(rt, {
        input,
        output: join(home, `damaged-${threads}.out.csv`),
        jobId: `damaged-${threads}`,
        threads,
        workerScript: classifyWorkerScript,
        parallelMinBytes: 0,
        sliceBytes: 300,
        lake: 'off',
      });
      await expect(run).rejects.toThrow('the gzip file is damaged: unexpected end of file');
      expect((await rt.jobs.get(`damaged-${threads}`))?.status).toBe('failed');
    }
  });

  it('cuts an LF file whose quoted fields hold CR LF into slices, each CR LF one line as one thread counts it', async () => {
    const text = `id,product_name,brand\n${oddRows(200, '\r\n', ',').join('\n')}\n`;
    const [one, many] = await both('crlf-in-quotes', text);
    expectSameRun(one, many);
    expect(many.workersStarted).toBe(1);
  });

  it('parses CRLF files on the main thread (their line numbers need the parser) and classifies their rows in workers, with the same output', async () => {
    const text = `id,product_name,brand\r\n${oddRows(200, '\r\n', ',').join('\r\n')}\r\n`;
    const [one, many] = await both('crlf', text);
    expectSameRun(one, many);
    expect(many.checkpoints.every((cp) => cp.inputBytes === undefined)).toBe(true);
    expect([one.workersStarted, many.workersStarted]).toEqual([0, 1]);
  });

  // Compressed and legacy-encoded text is decoded and parsed here; the workers get row batches (classify-rows.ts).
  for (const [label, extension, encode] of [
    ['gzip, CRLF', '.csv.gz', (text: string) => gzipSync(text)],
    ['zstd, LF, columns named', '.csv.zst', zstdOrNull],
    ['Windows-1252', '.csv', (text: string) => Buffer.from(text.replace('Acme', 'Crème'), 'latin1')],
  ] as const) {
    it(`reads ${label} on the main thread and classifies its rows in workers: output, rejects and stored rows as on one thread`, async (t) => {
      const eol = label.includes('CRLF') ? '\r\n' : '\n';
      // Long enough for many stream pieces: the reader cuts a batch after a piece, and chunks are made of batches.
      const bytes = encode(`id,product_name,brand${eol}${oddRows(2000, eol, ',').join(eol)}${eol}`);
      if (!bytes) return t.skip(); // zstdOrNull said why
      const extra: Partial<ClassifyFileOptions> = label.includes('columns named') ? { columns: { name: 'product_name', id: 'id' } } : {};
      const [one, many] = await both(label.replace(/\W+/g, '-'), bytes, extra, extension);
      expectSameRun(one, many);
      expect(one.rejects.split('\n').length).toBeGreaterThan(90);
      expect([one.workersStarted, many.workersStarted]).toEqual([0, 1]);
      expect(many.checkpoints.length).toBeGreaterThan(2);
    });
  }

  it('writes for a multi-MB .csv.gz and .parquet, read here and classified in workers, what it writes for the plain CSV', async () => {
    const csv = join(home, 'catalog.csv');
    writeFileSync(csv, `id,product_name,brand\n${[...catalogRows(80_000)].map((r) => r.join(',')).join('\n')}\n`);
    writeFileSync(`${csv}.gz`, gzipSync(readFileSync(csv)));
    const db = await DuckDBInstance.create(':memory:');
    const connection = await db.connect();
    await connection.run(`COPY (SELECT * FROM read_csv('${csv}', all_varchar = true, header = true)) TO '${home}/catalog.parquet' (FORMAT parquet)`);
    connection.closeSync();
    db.closeSync();
    const outputs: string[] = [];
    for (const input of [csv, `${csv}.gz`, join(home, 'catalog.parquet')]) {
      let workersStarted = 0;
      const output = `${input}.out.csv`;
      const summary = await classifyFile(rt, {
        input,
        output,
        threads: 2,
        workerScript: () => {
          workersStarted++;
          return classifyWorkerScript();
        },
        parallelMinBytes: 0, // the gzip and Parquet files are under the default's 4 MiB
        lake: 'off',
      });
      expect(summary.rowsIn).toBe(80_000);
      expect(workersStarted).toBe(1);
      outputs.push(readFileSync(output, 'utf8'));
    }
    expect(outputs[0].length).toBeGreaterThan(4 << 20);
    expect(outputs[1]).toBe(outputs[0]);
    expect(outputs[2]).toBe(outputs[0]);
  });

  it('resumes rows read on the main thread from where a failed run checkpointed, with the same output and line numbers', async () => {
    const input = join(home, 'resume-rows.csv.gz');
    // CR LF: read here as rows (an LF gzip is cut into slices).
    writeFileSync(input, gzipSync(`id,product_name,brand\r\n${oddRows(2000, '\r\n', ',').join('\r\n')}\r\n`));
    const run = (output: string, threads: number, onCheckpoint?: (cp: JobCheckpoint) => void) =>
      resumableRun(input, output, `resume-rows-${threads}`, threads, onCheckpoint);
    const one = await run(join(home, 'resume-rows-1.out.csv'), 1);
    const output = join(home, 'resume-rows-2.out.csv');
    let seen = 0;
    await expect(
      run(output, 2, () => {
        if (++seen === 3) throw new Error('stop here');
      }),
    ).rejects.toThrow('stop here');
    const summary = await run(output, 2);
    expect(summary.resumedFrom).toBeGreaterThan(0);
    expect(summary.rowsIn).toBe(one.rowsIn);
    expect(readFileSync(output, 'utf8')).toBe(readFileSync(one.output, 'utf8'));
    expect(readFileSync(summary.rejects, 'utf8')).toBe(readFileSync(one.rejects, 'utf8'));
  });

  for (const [label, rows, gzip] of [
    ['stray quotes, text after closing quotes', oddRows(300, '\n', ',', true), false],
    ['a quote that never closes', oddRows(300, '\n', ',').map((l, i) => (i === 150 ? `${l.split(',')[0]},"never closed` : l)), false],
    ['stray quotes in gzip', oddRows(300, '\n', ',', true), true],
    ['a quote that never closes, in gzip', oddRows(300, '\n', ',').map((l, i) => (i === 150 ? `${l.split(',')[0]},"never closed` : l)), true],
  ] as const) {
    it(`reads on with one parser from a slice the quote count cut inside a record: ${label}`, async () => {
      const text = `id,product_name,brand\n${rows.join('\n')}\n`;
      const [one, many] = await both(label.replace(/\W+/g, '-'), gzip ? gzipSync(text) : text, {}, gzip ? '.csv.gz' : '.csv');
      expectSameRun(one, many);
      expect(many.summary.rowsIn).toBe(one.summary.rowsIn);
      // Workers did the start, one parser the rest.
      expect(many.checkpoints.some((cp) => cp.inputBytes! > 0)).toBe(true);
      expect(many.checkpoints.at(-1)!.inputBytes).toBeUndefined();
    });
  }

  for (const extension of ['.csv', '.csv.gz']) {
    it(`resumes on worker threads from where a failed run checkpointed, with the same output and line numbers: ${extension}`, async () => {
      const text = `id,product_name,brand\n${oddRows(400, '\n', ',').join('\n')}\n`;
      const name = `resume${extension.replace(/\W+/g, '-')}`;
      const [one] = await both(name, extension === '.csv' ? text : gzipSync(text), {}, extension);
      const input = join(home, `${name}${extension}`);
      const output = join(home, `${name}-resumed.out.csv`);
      const summary = await failThenResume(input, output, `${name}-resumed`);
      expect(readFileSync(output, 'utf8')).toBe(one.output);
      expect(readFileSync(summary.rejects, 'utf8')).toBe(one.rejects);
    });
  }

  it('consults the cache in workers: a labelled item comes from the cache on both paths', async () => {
    const text = `id,product_name,brand\n${oddRows(200, '\n', ',').join('\n')}\n`;
    const [first] = await both('before-label', text);
    const review = first.stored.find((s) => s.status === 'needs_review')!;
    expect(review).toBeDefined();
    expect(await rt.store.setHumanLabel(review.key, rt.taxonomy.classes.at(-1)!.id, 'tester')).not.toBeNull();
    const [one, many] = await both('after-label', text);
    expect(many.output).toBe(one.output);
    expect(many.summary.tierCounts.cache).toBeGreaterThan(0);
    expect(many.summary.tierCounts.cache).toBe(one.summary.tierCounts.cache);
  });
});

describe('classify with the encoder on worker threads (one ONNX session each) writes what one thread writes', { timeout: 180_000 }, () => {
  let home: string;
  beforeAll(() => {
    home = mkdtempSync(join(tmpdir(), 'aisle-parallel-encoder-'));
  });
  afterAll(() => rmSync(home, { recursive: true, force: true }));

  /** Runs the file on one thread and on two workers, each in a home of its own (a cold cache each). */
  async function bothCold(name: string, text: string) {
    const input = join(home, `${name}.csv`);
    writeFileSync(input, text);
    const runs = [];
    for (const threads of [1, 2]) {
      const rt = await createLocalRuntime({ home: join(home, `${name}-${threads}`), tiers: ['cache', 'rules', 'encoder'], warn: () => undefined });
      try {
        expect(rt.tierNames).toEqual(['cache', 'rules', 'encoder', 'review']);
        const checkpoints: JobCheckpoint[] = [];
        const output = join(home, `${name}-${threads}.out.csv`);
        const summary = await classifyFile(rt, {
          input,
          output,
          threads,
          workerScript: classifyWorkerScript,
          parallelMinBytes: 0,
          sliceBytes: 4096,
          checkpointEvery: 200,
          lake: 'off',
          onCheckpoint: (cp) => checkpoints.push(cp),
        });
        const stored = await rt.db.query<{ row_no: number; key: string; status: string; tier: string; class_id: string }>(
          'SELECT row_no::INTEGER AS row_no, key, status, tier, class_id FROM decisions ORDER BY row_no',
        );
        const cached = await rt.db.query<{ key: string; class_id: string; tier: string }>('SELECT key, class_id, tier FROM cache ORDER BY key');
        runs.push({ summary, checkpoints, stored, cached, output: readFileSync(output, 'utf8'), rejects: readFileSync(summary.rejects, 'utf8') });
      } finally {
        await rt.close();
      }
    }
    return runs;
  }

  /** The first of each product name and brand among n catalog rows. */
  function catalog(n: number): string {
    const seen = new Set<string>();
    const lines = ['id,product_name,brand'];
    for (const [id, name, brand] of catalogRows(n)) {
      if (seen.has(`${name}|${brand}`)) continue;
      seen.add(`${name}|${brand}`);
      lines.push([id, name, brand].join(','));
    }
    return `${lines.join('\n')}\n`;
  }

  it('gives byte-identical output, stored rows and cache on items that do not repeat', async () => {
    const [one, many] = await bothCold('unique', catalog(1500));
    // Workers did it all, in many slices (their checkpoints say where in the input they are).
    expect(many.checkpoints.length).toBeGreaterThan(3);
    expect(many.checkpoints.every((cp) => cp.inputBytes! > 0)).toBe(true);
    expectSameRun(one, many);
    expect(many.cached).toEqual(one.cached);
    // The encoder ran in the workers: it decided items, reviewed rules, and its decisions reached the cache.
    expect(one.summary.tierCounts.encoder).toBeGreaterThan(0);
    expect(one.summary.tierCounts.rules).toBeGreaterThan(0);
    expect(many.cached.length).toBe(one.summary.tierCounts.encoder);
  });

  it('decides every row into the same class when items repeat (a repeat may be the encoder again where one thread had it cached)', async () => {
    const [head, ...rows] = catalog(800).trimEnd().split('\n');
    const repeated = [0, 1, 2].flatMap((round) => rows.map((row) => `${round}-${row}`));
    const [one, many] = await bothCold('repeats', `${head}\n${repeated.join('\n')}\n`);
    expect(many.checkpoints.every((cp) => cp.inputBytes! > 0)).toBe(true);
    const columns = (text: string) => text.split('\n').map((line) => line.split(','));
    const [oneRows, manyRows] = [columns(one.output), columns(many.output)];
    const header = oneRows[0];
    const tier = header.indexOf('tier');
    expect(manyRows.length).toBe(oneRows.length);
    for (let r = 1; r < oneRows.length; r++) {
      const [a, b] = [oneRows[r], manyRows[r]];
      const same = (t: string) => (t === 'cache' ? 'encoder' : t);
      expect(same(b[tier]), `row ${r}`).toBe(same(a[tier]));
      expect([...b.slice(0, tier), ...b.slice(tier + 1)], `row ${r}`).toEqual([...a.slice(0, tier), ...a.slice(tier + 1)]);
    }
    expect(one.summary.tierCounts.cache).toBeGreaterThan(0);
    expect(many.summary.tierCounts.cache).toBeGreaterThan(0);
    expect(new Set(many.cached.map((c) => c.key))).toEqual(new Set(one.cached.map((c) => c.key)));
  });
});

describe('a model too big for a session per worker runs on one thread', () => {
  it('takes the shipped model and leaves out a bigger graph or a folder without one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'aisle-big-model-'));
    try {
      expect(workerFitsModel(dir)).toBe(false);
      const graph = join(dir, 'model.onnx');
      writeFileSync(graph, '');
      truncateSync(graph, WORKER_MODEL_BYTES + 1); // sparse: no disk used
      expect(workerFitsModel(dir)).toBe(false);
      truncateSync(graph, WORKER_MODEL_BYTES);
      expect(workerFitsModel(dir)).toBe(true);
      expect(workerFitsModel(fileURLToPath(new URL('../../models/encoder/starter-v1', import.meta.url)))).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
