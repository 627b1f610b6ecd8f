/**
 * Issue 20's reach: every file of the corpus (test/fixtures/files/corpus.ts: encodings × formats × containers ×
 * header variants) classified by `classifyFile`, its counts reconciling, and the output's names identical to the
 * input's, character for character, with no U+FFFD anywhere; and again written as JSON lines, Parquet and xlsx.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classifyWorkerScript } from '../../bin/commands/classify.ts';
import { classifyFile } from '../../functions/adapters/local/classify-file.ts';
import { createLocalRuntime, type LocalRuntime } from '../../functions/adapters/local/runtime.ts';
import { FILE_FORMATS } from '../../functions/core/output/formats.ts';
import { type CorpusFile, hasZstd, writeCorpus } from '../fixtures/files/corpus.ts';
import { readOutput } from '../fixtures/files/read-output.ts';
import { skipReason } from '../support/emulators.ts';

describe('catalog files as retailers export them', { timeout: 180_000 }, () => {
  let dir: string;
  let rt: LocalRuntime;
  let corpus: CorpusFile[];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'aisle-files-'));
    rt = await createLocalRuntime({ home: join(dir, 'home'), tiers: ['rules'], warn: () => undefined });
    corpus = await writeCorpus(dir);
    // Writing .zst files needs the zstd tool (node 20's zlib has no zstd); reading them does not.
    skipReason(hasZstd() ? null : 'the zstd tool is not installed, so the corpus has no .zst files');
  });
  afterAll(async () => {
    await rt?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('has at least 30 files', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(30);
  });

  it('classifies every file: rows in = classified + rejected, names exactly as in the input', async () => {
    const failures: string[] = [];
    for (const f of corpus) {
      const output = join(dir, `${basename(f.file)}.out.csv`);
      try {
        const s = await classifyFile(rt, {
          input: f.file,
          output,
          lake: 'off',
          encoding: f.encoding,
          columns: { name: f.nameColumn },
        });
        const text = readFileSync(output, 'utf8');
        const rows: string[][] = parse(text, { delimiter: f.delimiter, relax_column_count: true });
        const header = rows.shift()!;
        const names = rows.map((r) => r[header.indexOf(f.nameHeader)]);
        const problems = [
          s.rowsIn !== f.rows && `rows in ${s.rowsIn}, the file has ${f.rows}`,
          s.classified + s.rejected !== s.rowsIn && 'counts do not reconcile',
          s.rejected !== 1 && `${s.rejected} rejected, expected the one empty name`,
          JSON.stringify(names) !== JSON.stringify(f.names) && `names ${JSON.stringify(names)}`,
          text.includes('\uFFFD') && 'U+FFFD in the output',
          readFileSync(output.replace(/\.csv$/, '.rejects.csv'), 'utf8').includes('\uFFFD') && 'U+FFFD in the rejects',
        ].filter(Boolean);
        if (problems.length) failures.push(`${basename(f.file)} (read as ${s.readAs}): ${problems.join('; ')}`);
      } catch (err) {
        failures.push(`${basename(f.file)}: ${(err as Error).message}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it('writes every file as JSON lines, Parquet and xlsx too, with the same names', async () => {
    const failures: string[] = [];
    for (const [i, f] of corpus.entries()) {
      const format = FILE_FORMATS[i % FILE_FORMATS.length];
      const output = join(dir, `${basename(f.file)}.out.${format}`);
      try {
        const s = await classifyFile(rt, {
          input: f.file,
          output,
          lake: 'off',
          encoding: f.encoding,
          columns: { name: f.nameColumn },
          outFormat: format,
        });
        const back = await readOutput(format, output);
        const names = back.rows.map((r) => r[back.header.indexOf(f.nameHeader)]);
        if (s.classified + s.rejected !== f.rows || back.rows.length !== s.classified) failures.push(`${basename(f.file)} as ${format}: counts`);
        if (JSON.stringify(names) !== JSON.stringify(f.names)) failures.push(`${basename(f.file)} as ${format}: names ${JSON.stringify(names)}`);
      } catch (err) {
        failures.push(`${basename(f.file)} as ${format}: ${(err as Error).message}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it("reads Excel's sep= line and rejects a repeated header row (exports joined), with one thread and with workers alike", async () => {
    const input = join(dir, 'sep-and-joined.csv');
    const part = (n: number) => Array.from({ length: 50 }, (_, i) => `${n * 100 + i};Milk ${n * 100 + i}`).join('\n');
    writeFileSync(input, `sep=;\nsku;product_name\n${part(1)}\n\uFEFFsku;product_name\n${part(2)}\n`);
    const outputs: string[] = [];
    for (const threads of [1, 2]) {
      const output = join(dir, `sep-and-joined.threads-${threads}.csv`);
      const s = await classifyFile(rt, { input, output, lake: 'off', threads, parallelMinBytes: 0, workerScript: classifyWorkerScript });
      expect([s.rowsIn, s.classified, s.rejected]).toEqual([101, 100, 1]);
      const rejects = readFileSync(s.rejects, 'utf8');
      expect(rejects).toMatch(/^53,the header line again/m);
      outputs.push(`${readFileSync(output, 'utf8')}\n${rejects}`);
    }
    expect(outputs[1]).toBe(outputs[0]);
    expect(outputs[0].split('\n')[0]).toMatch(/^sku;product_name;/);
  });

  it('reads each kind of file with workers too (rows read on the main thread) and writes what one thread writes', async () => {
    const failures: string[] = [];
    let checked = 0;
    // One file of each kind: workers start for each run, which takes a while.
    const kinds =
      /^(utf-16le-comma\.csv|shift_jis-tab\.tsv|windows-1252-semicolon\.csv|utf-8\.csv\.gz|items\.ndjson|items\.json\.gz|custom-header\.csv|items\.parquet|items\.xlsx|.*\.zst)$/;
    for (const f of corpus.filter((c) => kinds.test(basename(c.file)))) {
      const outputs: string[] = [];
      for (const threads of [1, 2]) {
        const output = join(dir, `${basename(f.file)}.threads-${threads}.csv`);
        const s = await classifyFile(rt, {
          input: f.file,
          output,
          lake: 'off',
          encoding: f.encoding,
          columns: { name: f.nameColumn },
          threads,
          parallelMinBytes: 0,
          workerScript: classifyWorkerScript,
        });
        outputs.push(`${s.rowsIn} ${s.rejected}\n${readFileSync(output, 'utf8')}\n${readFileSync(s.rejects, 'utf8')}`);
      }
      if (outputs[1] !== outputs[0]) failures.push(basename(f.file));
      checked++;
    }
    expect(failures).toEqual([]);
    expect(checked).toBeGreaterThanOrEqual(9);
  });
});
