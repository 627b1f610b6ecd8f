/**
 * Labelled CSV files for training and evaluation: a product name column (product_name, name, title or
 * product_title), the taxonomy levels (level1, level2, … as the taxonomy names them), optionally brand and
 * split. Rows keep their split: `train` (or empty) rows train; `test`, `validation`, `holdout` … rows are
 * held out. Files without a split column get a held-out slice by a stable hash of the text, so the same row
 * is always on the same side.
 */
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { parse } from 'csv-parse';
import { nameProblem } from '../core/limits.ts';
import { itemText } from '../core/normalize.ts';
import type { Taxonomy } from '../core/taxonomy.ts';
import { fnv1a } from './bag.ts';

export const NAME_COLUMNS = ['product_name', 'name', 'title', 'product_title'];
export const HELD_OUT_SPLITS = new Set(['test', 'validation', 'valid', 'val', 'holdout', 'heldout', 'held-out', 'dev', 'eval']);
export const TRAIN_SPLITS = new Set(['train', 'training', '']);

/** A text and its gold class: what training and evaluation take. */
export interface LabelledText {
  text: string;
  classId: string;
  /** Weight in training (default 1); evaluation ignores it. */
  weight?: number;
  /** The source's own finer category (e.g. a retailer's aisle): trains an auxiliary head when given (train.ts). */
  fine?: string;
}

/** A row of a labelled file; its text is what the cascade's tiers see (the name, with the brand in front when the name lacks it). */
export interface LabelledRow extends LabelledText {
  heldOut: boolean;
}

export interface LabelledData {
  rows: LabelledRow[];
  /** Whether the file had a split column (otherwise the held-out rows were chosen by hash). */
  hasSplit: boolean;
  /** Rows left out (no name), with their line numbers. */
  skipped: { line: number; reason: string }[];
}

export class LabelledDataError extends Error {
  readonly userFacing = true;
}

/** FNV-1a of the text: the same text is always on the same side of a hash split. */
export function isHeldOutByHash(text: string, fraction: number): boolean {
  return fnv1a(text) / 4294967296 < fraction;
}

async function sniffDelimiter(file: string): Promise<string> {
  const handle = await open(file, 'r').catch((err: Error) => {
    throw new LabelledDataError(`cannot read ${file}: ${err.message}`);
  });
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(8192), 0, 8192, 0);
    const header = buffer.subarray(0, bytesRead).toString('utf8').split(/\r?\n/)[0];
    const counts = [',', ';', '\t'].map((d) => [d, header.split(d).length - 1] as const);
    return counts.reduce((best, c) => (c[1] > best[1] ? c : best))[0];
  } finally {
    await handle.close();
  }
}

/** The CSV's records keyed by trimmed, lower-case column names. */
function parseCsv(file: string, delimiter: string) {
  return createReadStream(file).pipe(
    parse({
      delimiter,
      bom: true,
      columns: (h: string[]) => h.map((c) => c.trim().toLowerCase()),
      skip_empty_lines: true,
      relax_column_count: true,
      relax_quotes: true,
    }),
  );
}

/** The product name column; throws when there is none or when no label column is present. */
function nameColumnOf(file: string, columns: string[], taxonomy: Taxonomy): string {
  const nameColumn = NAME_COLUMNS.find((c) => columns.includes(c));
  if (!nameColumn)
    throw new LabelledDataError(`${file}: no product name column (one of ${NAME_COLUMNS.join(', ')}); columns are ${columns.join(', ')}`);
  const missing = taxonomy.levels.filter((l) => !columns.includes(l));
  if (missing.length === taxonomy.levels.length)
    throw new LabelledDataError(`${file}: no label columns (${taxonomy.levels.join(', ')}); columns are ${columns.join(', ')}`);
  return nameColumn;
}

/**
 * Reads a labelled CSV. Rows whose levels are not a class of the taxonomy are an error (training on a label
 * the taxonomy lacks would be silently wrong); rows without a name are skipped and reported.
 */
export async function readLabelledCsv(
  file: string,
  taxonomy: Taxonomy,
  opts: { heldOutFraction?: number /** Column of the source's finer category, read into `fine`. */; fineColumn?: string } = {},
): Promise<LabelledData> {
  const fineColumn = opts.fineColumn?.trim().toLowerCase();
  const fraction = opts.heldOutFraction ?? 0.1;
  const delimiter = await sniffDelimiter(file);
  const parser = parseCsv(file, delimiter);
  const rows: LabelledRow[] = [];
  const skipped: LabelledData['skipped'] = [];
  const unknown: string[] = [];
  let unknownCount = 0;
  const badSplits = new Set<string>();
  let nameColumn: string | undefined;
  let hasSplit = false;
  let line = 1;
  try {
    for await (const record of parser as AsyncIterable<Record<string, string>>) {
      line++;
      if (!nameColumn) {
        const columns = Object.keys(record);
        nameColumn = nameColumnOf(file, columns, taxonomy);
        hasSplit = columns.includes('split');
        if (fineColumn && !columns.includes(fineColumn))
          throw new LabelledDataError(`${file}: no column "${fineColumn}" for the fine labels; columns are ${columns.join(', ')}`);
      }
      const name = (record[nameColumn] ?? '').trim();
      const problem = nameProblem(name);
      if (problem !== undefined) {
        skipped.push({ line, reason: problem });
        continue;
      }
      const levels = taxonomy.levels.map((l) => record[l] ?? '');
      const cls = taxonomy.fromLevels(levels);
      if (!cls) {
        unknownCount++;
        if (unknown.length < 5) unknown.push(`line ${line}: ${levels.filter(Boolean).join(' / ') || '(no label)'}`);
        continue;
      }
      const text = itemText({ name, brand: record.brand?.trim() || undefined });
      const split = hasSplit ? (record.split ?? '').trim().toLowerCase() : undefined;
      if (split !== undefined && !HELD_OUT_SPLITS.has(split) && !TRAIN_SPLITS.has(split)) {
        badSplits.add(split);
        continue;
      }
      const heldOut = split === undefined ? isHeldOutByHash(text, fraction) : HELD_OUT_SPLITS.has(split);
      const fine = fineColumn ? record[fineColumn]?.trim() : undefined;
      rows.push(fine ? { text, classId: cls.id, heldOut, fine } : { text, classId: cls.id, heldOut });
    }
  } catch (err) {
    if (err instanceof LabelledDataError) throw err;
    throw new LabelledDataError(`${file}: line ${line + 1}: ${(err as Error).message}`);
  }
  if (unknownCount) {
    throw new LabelledDataError(
      `${file}: ${unknownCount} row(s) have labels that are not classes of taxonomy ${taxonomy.version} (${unknown.join('; ')}${unknownCount > unknown.length ? '; …' : ''})`,
    );
  }
  if (badSplits.size) {
    throw new LabelledDataError(
      `${file}: unknown split value(s) ${[...badSplits].map((s) => `"${s}"`).join(', ')}: use train, or test/validation/holdout for held-out rows`,
    );
  }
  return { rows, hasSplit, skipped };
}
