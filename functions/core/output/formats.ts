/**
 * The output as JSON lines, Parquet or an Excel workbook (--out-format jsonl|parquet|xlsx): the same columns and
 * cells as the CSV output, written from its rows. Every cell is text, exactly as it went in: these formats say
 * what is text, so no formula quote is needed (an xlsx cell is a string cell, never a formula, whatever it starts with).
 */
import type { Writable } from 'node:stream';
import ExcelJS from 'exceljs';
import { ParquetWriter, schemaFromColumnData } from 'hyparquet-writer';
import { UserError } from '../errors.ts';

export const FILE_FORMATS = ['jsonl', 'parquet', 'xlsx'] as const;
export type FileFormat = (typeof FILE_FORMATS)[number];

export function isFileFormat(format: string | undefined): format is FileFormat {
  return (FILE_FORMATS as readonly string[]).includes(format ?? '');
}

/** The file format an output path's extension names, if any (`out.parquet` → parquet). */
export function fileFormatOfPath(path: string): FileFormat | undefined {
  const ext = /\.([a-z]+)$/i.exec(path)?.[1]?.toLowerCase();
  return isFileFormat(ext) ? ext : undefined;
}

/**
 * The header as the output's keys (JSON objects, Parquet columns, the sheet's header row): an unnamed column
 * (`name,,brand`) is `column_N`, N its position from 1, since Parquet readers each rename an empty name their own
 * way (DuckDB: `C1`); a repeated name gets `_2`, `_3`… (keys must differ).
 */
export function columnKeys(header: string[]): string[] {
  const seen = new Set<string>();
  return header.map((given, i) => {
    const name = given === '' ? `column_${i + 1}` : given;
    let unique = name;
    for (let n = 2; seen.has(unique); n++) unique = `${name}_${n}`;
    seen.add(unique);
    return unique;
  });
}

/** Rows a worksheet holds below its header (Excel's limit is 1,048,576 rows). */
export const XLSX_MAX_ROWS = 1_048_575;
/** Characters an Excel cell holds. */
export const XLSX_MAX_CELL = 32_767;
/** Rows per Parquet row group. */
const ROW_GROUP = 100_000;

/** Where a writer puts its bytes: a stream for JSON lines and xlsx, hyparquet's Writer for Parquet. */
export interface FormatSink {
  stream: () => Writable;
  parquet: () => ConstructorParameters<typeof ParquetWriter>[0]['writer'];
}

export async function writeRows(format: FileFormat, header: string[], rows: AsyncIterable<string[]>, sink: FormatSink): Promise<number> {
  if (format === 'jsonl') return writeJsonl(header, rows, sink.stream());
  if (format === 'xlsx') return writeXlsx(header, rows, sink.stream());
  return writeParquet(header, rows, sink.parquet());
}

/** One object a line, keys in the columns' order; every value a string. */
async function writeJsonl(header: string[], rows: AsyncIterable<string[]>, out: Writable): Promise<number> {
  let n = 0;
  let chunk = '';
  for await (const row of rows) {
    const record: Record<string, string> = {};
    for (let i = 0; i < header.length; i++) record[header[i]] = row[i] ?? '';
    chunk += `${JSON.stringify(record)}\n`;
    n++;
    if (chunk.length >= 1 << 16) {
      if (!out.write(chunk)) await new Promise((r) => out.once('drain', r));
      chunk = '';
    }
  }
  await new Promise<void>((resolve, reject) => {
    out.once('error', reject);
    out.end(chunk, resolve);
  });
  return n;
}

/**
 * What XML 1.0 cannot hold (C0 controls but tab and LF, DEL, U+FFFE/U+FFFF, lone surrogates) or normalises away
 * (CR), and text that reads as OOXML's own escape (`_x000D_`): exceljs drops the first, the XML reader turns CR into
 * LF, and Excel decodes the last.
 */
const NOT_XML_TEXT =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the control characters are what this finds.
  /_(?=x[0-9A-Fa-f]{4}_)|[\x00-\x08\x0B-\x1F\x7F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * A cell as an inline string, each character XML cannot carry as Excel writes it (`_xHHHH_`, a literal `_` before
 * such text as `_x005F_`): Excel, LibreOffice and exceljs decode these in a string's text (not in a `<v>` value,
 * which is why the cell is inline rich text rather than exceljs's plain string cell).
 */
function xlsxCell(value: string): ExcelJS.CellRichTextValue {
  const text = value.replace(NOT_XML_TEXT, (c) => `_x${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}_`);
  return { richText: [{ text }] };
}

/** One sheet, "results": the header row, then the rows; every cell an inline string cell, written as a stream. */
async function writeXlsx(header: string[], rows: AsyncIterable<string[]>, out: Writable): Promise<number> {
  const book = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useSharedStrings: false, useStyles: false });
  const sheet = book.addWorksheet('results');
  sheet.addRow(header.map(xlsxCell)).commit();
  let n = 0;
  for await (const row of rows) {
    if (++n > XLSX_MAX_ROWS)
      throw new UserError(`an xlsx sheet holds at most ${XLSX_MAX_ROWS.toLocaleString('en-US')} rows: use --out-format csv or parquet`);
    const tooLong = row.findIndex((cell) => cell.length > XLSX_MAX_CELL);
    if (tooLong >= 0)
      throw new UserError(
        `column "${header[tooLong]}" of row ${n} is longer than an Excel cell holds (32,767 characters): use --out-format csv or parquet`,
      );
    sheet.addRow(row.map(xlsxCell)).commit();
  }
  sheet.commit();
  await book.commit();
  return n;
}

/** Every column a required UTF-8 string, in row groups of ROW_GROUP rows. */
async function writeParquet(header: string[], rows: AsyncIterable<string[]>, writer: ReturnType<FormatSink['parquet']>): Promise<number> {
  const columns = () => header.map((name) => ({ name, data: [] as string[], type: 'STRING' as const, nullable: false }));
  const parquet = new ParquetWriter({ writer, schema: schemaFromColumnData({ columnData: columns() }) });
  let group = columns();
  let n = 0;
  const flush = async () => {
    await parquet.write({ columnData: group, rowGroupSize: ROW_GROUP });
    group = columns();
  };
  for await (const row of rows) {
    for (let i = 0; i < header.length; i++) group[i].data.push(row[i] ?? '');
    if (++n % ROW_GROUP === 0) await flush();
  }
  if (n % ROW_GROUP !== 0) await flush();
  await parquet.finish();
  return n;
}
