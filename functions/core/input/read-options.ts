/**
 * How to read a job's input and write its output when the job does not come from the CLI: the API upload's fields
 * and, on AWS, the inbox object's metadata (`x-amz-meta-aisle-name-column: Designation`...). One set of fields,
 * named as the upload's: `encoding`, `name_column`, `id_column`, `category_column`, `text_columns`, `sheet`,
 * `out_format` (csv|tsv: the delimited output's delimiter; default: the input's) and `bom`. Validated here, so a
 * typo fails the job with its reason rather than being read past.
 */
// zod/mini: the ingest Lambda bundles these schemas; zod's classic API would add ~440 kB to it.
import * as z from 'zod/mini';
import en from 'zod/v4/locales/en.js';
import type { ColumnChoice } from './columns.ts';
import type { ReadChoice } from './open.ts';
import { CsvFormatError, type Delimiter } from './table.ts';

// zod/mini has no messages of its own ("Invalid input"): a bad option's reason reaches the user, in English.
z.config(en());

const column = z.string().check(z.minLength(1), z.maxLength(200));

export const readOptionsSchema = z.strictObject({
  encoding: z.optional(z.string().check(z.minLength(1), z.maxLength(40))),
  name_column: z.optional(column),
  id_column: z.optional(column),
  category_column: z.optional(column),
  /** Comma-separated. */
  text_columns: z.optional(z.string().check(z.minLength(1), z.maxLength(2000))),
  sheet: z.optional(z.string().check(z.minLength(1), z.maxLength(200))),
  out_format: z.optional(z.enum(['csv', 'tsv'])),
  bom: z.optional(z.union([z.boolean(), z.enum(['true', 'false', '1', '0'])])),
});
/** The fields as sent (strings from metadata and forms, a boolean `bom` from JSON). */
export type ReadOptions = z.infer<typeof readOptionsSchema>;

/** How the output of a queued job is written: its delimiter and whether it starts with a UTF-8 BOM (for Excel). */
export interface OutputChoice {
  delimiter?: Delimiter;
  bom?: boolean;
}

/** Checks the fields; the error names each bad one. */
export function parseReadOptions(fields: unknown): ReadOptions {
  const parsed = readOptionsSchema.safeParse(fields);
  if (!parsed.success)
    throw new CsvFormatError(
      `the read options are not valid: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'options'}: ${i.message}`).join('; ')}`,
    );
  return parsed.data;
}

/** What the reader and the output writer take from the fields. */
export function choicesOf(o: ReadOptions): { read: ReadChoice; output: OutputChoice } {
  const columns: ColumnChoice = {};
  if (o.name_column !== undefined) columns.name = o.name_column;
  if (o.id_column !== undefined) columns.id = o.id_column;
  if (o.category_column !== undefined) columns.category = o.category_column;
  const text = o.text_columns
    ?.split(',')
    .map((c) => c.trim())
    .filter(Boolean);
  if (text?.length) columns.text = text;
  const read: ReadChoice = { columns };
  if (o.encoding !== undefined) read.encoding = o.encoding;
  if (o.sheet !== undefined) read.sheet = o.sheet;
  const output: OutputChoice = {};
  if (o.out_format) output.delimiter = o.out_format === 'tsv' ? '\t' : ',';
  if (o.bom !== undefined) output.bom = o.bom === true || o.bom === 'true' || o.bom === '1';
  return { read, output };
}

/** S3 user metadata keys start `x-amz-meta-`; ours then `aisle-`, the field's name with `-` for `_`. */
const META_PREFIX = 'aisle-';

/**
 * The fields as S3 object metadata (keys without `x-amz-meta-`). Values are percent-encoded: S3 carries metadata
 * in HTTP headers, which keep ASCII only (a column named `Désignation`).
 */
export function toObjectMetadata(o: ReadOptions): Record<string, string> {
  const meta: Record<string, string> = {};
  for (const [field, value] of Object.entries(o)) {
    if (value !== undefined) meta[META_PREFIX + field.replace(/_/g, '-')] = encodeURIComponent(String(value));
  }
  return meta;
}

/** The fields an inbox object's metadata holds (other metadata is not ours and is left alone); a bad one is refused. */
export function readOptionsOfMetadata(meta: Record<string, string>): ReadOptions {
  const fields: Record<string, string> = {};
  for (const [key, value] of Object.entries(meta)) {
    const k = key.toLowerCase();
    if (!k.startsWith(META_PREFIX)) continue;
    try {
      fields[k.slice(META_PREFIX.length).replace(/-/g, '_')] = decodeURIComponent(value);
    } catch {
      throw new CsvFormatError(`the metadata ${key} is not percent-encoded UTF-8: "${value}"`);
    }
  }
  return parseReadOptions(fields);
}

/** Columns named by the user, as a queue message or the job's header object carries them. */
export const columnChoiceSchema = z.strictObject({
  name: z.optional(column),
  id: z.optional(column),
  category: z.optional(column),
  text: z.optional(z.array(column).check(z.minLength(1))),
});
