/**
 * A queued job's delimited output (the S3 path): what ingest leaves for finalize in outbox/<job>/work/header.json,
 * and the writer finalize makes of it. Apart from formats.ts so that the finalize Lambda does not bundle exceljs.
 */
import * as z from 'zod/mini';
import { CsvOutputFormatter, UTF8_BOM } from '../csv.ts';
import { columnChoiceSchema } from '../input/read-options.ts';
import { DELIMITERS } from '../input/table.ts';
import type { Taxonomy } from '../taxonomy.ts';

/**
 * The input's columns and delimiter, the columns the user named (none: found by name), and how the output is
 * written: its delimiter (default: the input's) and whether it starts with a UTF-8 BOM (for Excel).
 */
export const jobHeaderSchema = z.object({
  header: z.array(z.string()).check(z.minLength(1)),
  delimiter: z._default(z.enum(DELIMITERS), ','),
  columns: z.optional(columnChoiceSchema),
  output: z._default(z.object({ delimiter: z.optional(z.enum(DELIMITERS)), bom: z.optional(z.boolean()) }), {}),
});
/** As ingest writes it. */
export type JobHeader = z.input<typeof jobHeaderSchema>;
/** As finalize reads it (defaults filled in). */
export type ReadJobHeader = z.output<typeof jobHeaderSchema>;

export function parseJobHeader(json: string): ReadJobHeader {
  return jobHeaderSchema.parse(JSON.parse(json));
}

/** The output's writer: `start` (the BOM when asked, then the header line), then `formatter.format(rows, decisions)`. */
export function jobOutput(job: ReadJobHeader, taxonomy: Taxonomy): { formatter: CsvOutputFormatter; start: string } {
  const formatter = new CsvOutputFormatter(job.header, taxonomy, { delimiter: job.output.delimiter ?? job.delimiter });
  return { formatter, start: (job.output.bom ? UTF8_BOM : '') + formatter.headerLine() };
}
