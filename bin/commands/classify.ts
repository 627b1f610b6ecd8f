import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { basename, dirname, extname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type ClassifySummary, classifyFile } from '../../functions/adapters/local/classify-file.ts';
import { createLocalRuntime } from '../../functions/adapters/local/runtime.ts';
import { configOf } from '../../functions/config/deployables.ts';
import { UserError } from '../../functions/core/errors.ts';
import { fileFormatOfPath, isFileFormat } from '../../functions/core/output/formats.ts';
import { parseTierList, selectableTierNames } from '../../functions/tiers/registry.ts';
import { bundleFor } from '../bundles.mjs';
import { commandArgs } from './args.ts';
import { Progress } from './progress.ts';

/** The classify worker as one plain ES module, packages included (a worker thread does not inherit tsx). */
export const classifyWorkerScript = () =>
  bundleFor({ name: 'classify-worker', entry: 'functions/adapters/local/classify-worker.ts', packages: 'bundle' });

export const SAMPLE_CSV = fileURLToPath(new URL('../../models/sample.csv', import.meta.url));

const HELP = `usage: aisle classify [IN] [options]

Classifies every row of a catalog file into the taxonomy and writes OUT.csv (input columns + level1, level2,
confidence, tier, status, rule_id, model_version, level1_category, predicted_level2_category, item_key) and
OUT.rejects.csv (rows that could not be read: line, reason, raw row). Without IN.csv it classifies the
shipped sample (models/sample.csv) into ./sample.out.csv.

IN may be CSV or TSV, JSON lines (.jsonl, .ndjson), a JSON array, or Parquet, plain or compressed with gzip
or zstd, in UTF-8, UTF-16 (with BOM) or a legacy encoding (detected; or --encoding): docs/csv.md.

A run that is killed resumes when the same command is run again: decided rows are not redone.

options:
  -o, --out FILE        output CSV (default: IN.out.csv next to the input; ./sample.out.csv for the sample)
  --tiers LIST          tiers to use, comma-separated, from: ${selectableTierNames().join(', ')}
                        (default: all available; review is always last)
  --taxonomy FILE       taxonomy JSON to use instead of models/taxonomy.json
  --rules FILE          rules file to use instead of models/rules.json
  --job-id ID           job id (default: derived from the input file and these options, so reruns resume)
  --fresh               start over even if an interrupted run of the same job exists
  --batch-size N        rows per cascade batch (default 256; small batches keep memory and GC low)
  --checkpoint-every N  rows between checkpoints, the most a resumed run redoes (default 50000)
  --store-all           keep every decision in the local store (default: review, encoder and LLM ones;
                        rules and cache decisions are in the output file)
  --concurrency N       batches in the cascade at once (default 4 with an encoder or LLM tier, else 1)
  --threads N           worker threads that parse and classify when the tiers run in-process (cache, rules,
                        the local encoder; default: one per core for files over 4 MB, else 1); the output is
                        the same either way (with the encoder, a repeated item may be decided again, not cached)
  --lake                write the finished job to the results lake ($AISLE_HOME/lake) now; by default it is
                        written when insights are next asked for (aisle insights, aisle serve), from OUT.csv
  --no-lake             leave the job out of the results lake
  --csv-raw             write every cell exactly as it went in; by default a cell that starts like a
                        spreadsheet formula (=, +, -, @, tab, CR; not a plain number) gets a leading '
  --encoding NAME       the input's text encoding (utf-8, utf-16le, windows-1252, shift_jis...), instead of
                        detecting it; a row with bytes the encoding cannot decode goes to rejects
  --name-column NAME    the column with the product name (default: found by name, e.g. product_name,
                        Product Name, item_name, Artikelbezeichnung, nom du produit, 商品名)
  --id-column NAME      the column with the item's id
  --text-columns LIST   columns joined for the tiers to read, e.g. name,brand,description (the name alone
                        stays the item's identity)
  --category-column NAME  your own category or department column (default: found by name), a hint
  --sheet NAME          the sheet of an .xlsx workbook to read (default: its first)
  --out-format FMT      csv, tsv, jsonl, parquet or xlsx (default: the --out file's extension, else CSV in
                        the input's delimiter; comma for JSON and Parquet inputs); rejects are CSV
  --bom                 start a CSV or TSV output with a UTF-8 BOM, so Excel reads it as UTF-8
  -q, --quiet           no progress output
  -h, --help            this help

environment:
  AISLE_HOME            local state folder (default ./.aisle): aisle.duckdb (results, cache, jobs), lake/
  AISLE_CACHE_TTL_DAYS  how long cached decisions live (human labels never expire)
  AISLE_CSV_RAW         true: as --csv-raw`;

function positiveInt(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new UserError(`${name} must be a positive integer, got "${value}"`);
  return n;
}

function defaultOutput(input: string, isSample: boolean, format: string | undefined): string {
  const ext = format === 'tsv' || isFileFormat(format) ? format : 'csv';
  if (isSample) return resolve(`sample.out.${ext}`);
  return join(dirname(input), `${basename(input, extname(input))}.out.${ext}`);
}

/**
 * Whether the file starts with a ZIP's header, as an .xlsx workbook does: what the reader goes by (openTable), not the
 * name. Undefined when it cannot be read (classifyFile reports that).
 */
function startsAsZip(path: string): boolean | undefined {
  const head = Buffer.alloc(4);
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    return readSync(fd, head, 0, 4, 0) === 4 && head.equals(ZIP_HEADER);
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

const ZIP_HEADER = Buffer.from([0x50, 0x4b, 0x03, 0x04]);

/**
 * `aisle classify`: options → the runtime → classifyFile → the summary. Long because those steps all read the
 * dozen parsed options, and the runtime must be closed whichever step fails.
 */
export async function run(argv: string[]): Promise<number> {
  const args = commandArgs(argv, HELP, {
    allowPositionals: true,
    options: {
      out: { type: 'string', short: 'o' },
      tiers: { type: 'string' },
      taxonomy: { type: 'string' },
      rules: { type: 'string' },
      'job-id': { type: 'string' },
      fresh: { type: 'boolean' },
      lake: { type: 'boolean' },
      'no-lake': { type: 'boolean' },
      'csv-raw': { type: 'boolean' },
      'batch-size': { type: 'string' },
      'checkpoint-every': { type: 'string' },
      'store-all': { type: 'boolean' },
      concurrency: { type: 'string' },
      threads: { type: 'string' },
      encoding: { type: 'string' },
      'name-column': { type: 'string' },
      'id-column': { type: 'string' },
      'text-columns': { type: 'string' },
      'category-column': { type: 'string' },
      sheet: { type: 'string' },
      'out-format': { type: 'string' },
      bom: { type: 'boolean' },
      quiet: { type: 'boolean', short: 'q' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (!args) return 0;
  const { values, positionals } = args;
  if (positionals.length > 1) throw new UserError(`classify takes one input file, got ${positionals.length}\n\n${HELP}`);
  const isSample = positionals.length === 0;
  const input = isSample ? SAMPLE_CSV : positionals[0];
  // An --out name ending .tsv is tab-separated, as --help says; one ending .csv keeps the input's delimiter (`;` in, `;` out).
  const outFormat = values['out-format'] ?? (values.out ? (/\.tsv$/i.test(values.out) ? 'tsv' : fileFormatOfPath(values.out)) : undefined);
  if (outFormat !== undefined && outFormat !== 'csv' && outFormat !== 'tsv' && !isFileFormat(outFormat))
    throw new UserError(`--out-format must be csv, tsv, jsonl, parquet or xlsx, got "${outFormat}"`);
  if (values.bom && isFileFormat(outFormat)) throw new UserError(`--bom is for CSV and TSV outputs, not ${outFormat}`);
  if (values.sheet !== undefined && startsAsZip(input) === false)
    throw new UserError(`--sheet names a sheet of an .xlsx workbook, and ${input} is not one (no ZIP header): leave --sheet out`);
  const output = resolve(values.out ?? defaultOutput(input, isSample, outFormat));
  if (values.lake && values['no-lake']) throw new UserError('--lake and --no-lake contradict each other: pick one');
  // The id names files under $AISLE_HOME (the lake's parts): no path, and one GET /v1/jobs/{id} takes.
  const jobId = values['job-id'];
  if (jobId !== undefined && !/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/.test(jobId))
    throw new UserError(`--job-id must be 1 to 100 letters, digits, ".", "_" or "-", starting with a letter or digit, got "${jobId}"`);
  const tiers = values.tiers !== undefined ? parseTierList(values.tiers) : undefined;
  const batchSize = positiveInt(values['batch-size'], '--batch-size', 256);
  const checkpointEvery = positiveInt(values['checkpoint-every'], '--checkpoint-every', 50_000);
  const csvRaw = values['csv-raw'] || configOf('local').aisleCsvRaw;
  const columns = {
    name: values['name-column'],
    id: values['id-column'],
    category: values['category-column'],
    text: values['text-columns']
      ?.split(',')
      .map((c) => c.trim())
      .filter(Boolean),
  };

  const rt = await createLocalRuntime({ taxonomyPath: values.taxonomy, rulesPath: values.rules, tiers });
  let progress: Progress | undefined;
  try {
    // Slow tiers (the cacheable ones: encoder, LLM) overlap batches; cache and rules are CPU-bound, where overlap only costs memory.
    const slow = rt.tiers.some((t) => t.cacheable);
    const concurrency = positiveInt(values.concurrency, '--concurrency', slow ? 4 : 1);
    const threads = positiveInt(values.threads, '--threads', availableParallelism());
    const fingerprint = JSON.stringify({
      tiers: rt.tierNames,
      taxonomy: values.taxonomy && resolve(values.taxonomy),
      version: rt.taxonomy.version,
      rules: values.rules && resolve(values.rules),
      // A resumed run writes the rest of its files the same way (unset when neutralised: default runs keep their ids).
      csvRaw: csvRaw || undefined,
      // A resumed run reads and writes the file as its start did.
      read:
        values.encoding || values.sheet || Object.values(columns).some((v) => v !== undefined)
          ? { encoding: values.encoding, columns, sheet: values.sheet }
          : undefined,
      out: outFormat || values.bom ? { outFormat, bom: values.bom } : undefined,
    });
    if (!values.quiet) {
      console.error(`aisle: classifying ${relative(process.cwd(), input) || input} with ${rt.tierNames.join(' → ')}`);
      let size = 0;
      try {
        size = statSync(input).size;
      } catch {
        // classifyFile reports the missing file
      }
      progress = new Progress(size, 'aisle');
    }
    const summary = await classifyFile(rt, {
      input,
      output,
      jobId,
      fingerprint,
      fresh: values.fresh,
      lake: values['no-lake'] ? 'off' : values.lake ? 'now' : 'deferred',
      batchSize,
      checkpointEvery,
      concurrency,
      storeAll: values['store-all'],
      csvRaw,
      maxRecordBytes: configOf('local').aisleMaxRecordBytes,
      threads,
      encoding: values.encoding,
      sheet: values.sheet,
      columns,
      outDelimiter: outFormat === 'tsv' ? '\t' : outFormat === 'csv' ? ',' : undefined,
      bom: values.bom,
      outFormat: isFileFormat(outFormat) ? outFormat : undefined,
      workerScript: classifyWorkerScript,
      taxonomyPath: values.taxonomy,
      rulesPath: values.rules,
      // Asked for by name, workers run on any file size.
      parallelMinBytes: values.threads === undefined ? undefined : 0,
      onProgress: progress ? (bytes, records) => progress!.update(bytes, records) : undefined,
    });
    progress?.stop();
    console.log(formatSummary(summary));
    return 0;
  } finally {
    progress?.stop();
    await rt.close();
  }
}

export function formatSummary(s: ClassifySummary): string {
  const n = (x: number) => x.toLocaleString('en-US');
  const rate = s.seconds > 0 ? Math.round(s.processedNow / s.seconds) : 0;
  const tiers = Object.entries(s.tierCounts)
    .sort((a, b) => b[1] - a[1])
    .map(([t, c]) => `${t} ${n(c)}`)
    .join(', ');
  const cwd = process.cwd();
  const show = (p: string) => (p.startsWith(cwd) ? relative(cwd, p) : p);
  return [
    `aisle: ${n(s.rowsIn)} rows in = ${n(s.classified)} classified + ${n(s.rejected)} rejected` +
      ` (${s.seconds.toFixed(2)} s, ${n(rate)} rows/s${s.resumedFrom ? `; resumed after row ${n(s.resumedFrom)}; ${n(s.processedNow)} rows decided now` : ''})`,
    `  read as:      ${s.readAs}`,
    `  by tier:      ${tiers || '-'}`,
    `  needs review: ${n(s.needsReview)}`,
    `  output:       ${show(s.output)}`,
    `  rejects:      ${show(s.rejects)}`,
    `  job:          ${s.jobId}`,
    `  lake:         ${s.lake === 'off' ? 'left out' : s.lake === 'deferred' ? 'written when insights are next asked for (aisle insights, aisle serve)' : s.lake.key}`,
  ].join('\n');
}
