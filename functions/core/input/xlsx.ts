/**
 * Excel workbooks (.xlsx), read as a stream by exceljs: the first sheet (in the workbook's order) or the one
 * named (--sheet). Its first non-empty row is the header. Every cell becomes the text Excel shows for its value:
 * a formula cell gives the result Excel saved with it (nothing is ever calculated here), rich text its plain text,
 * a hyperlink its text, a date its ISO form. Drivers that read workbooks pass `openXlsx` to openTable.
 */
import { Readable } from 'node:stream';
import type ExcelJS from 'exceljs';
// The reader alone, not the whole library: the S3 ingest Lambda bundles it (exceljs-reader.d.ts).
import WorkbookReader from 'exceljs/lib/stream/xlsx/workbook-reader.js';
import { escapeCsv } from '../csv.ts';
import { nameProblem } from '../limits.ts';
import { resolveColumns } from './columns.ts';
import type { TableReadOptions, XlsxOpener } from './open.ts';
import { BatchBuilder, type CsvBatch, CsvFormatError, type TableReader } from './table.ts';

export interface XlsxReadOptions extends TableReadOptions {
  /** The sheet's name (--sheet); default: the workbook's first. */
  sheet?: string;
}

export const openXlsx: XlsxOpener = (bytes, opts) => new XlsxReader(bytes, opts);

interface SheetReader extends AsyncIterable<ExcelJS.Row> {
  name: string;
}

class XlsxReader implements TableReader {
  columns?: TableReader['columns'];
  readonly delimiter = ',' as const;

  constructor(
    private readonly bytes: AsyncIterable<Buffer>,
    private readonly opts: XlsxReadOptions,
  ) {}

  async *batches(): AsyncGenerator<CsvBatch> {
    // Styles are read so that a date cell is a date, not its serial number.
    const book = new WorkbookReader(Readable.from(this.bytes), { sharedStrings: 'cache', styles: 'cache', hyperlinks: 'ignore' });
    const seen: string[] = [];
    try {
      for await (const sheet of book as unknown as AsyncIterable<SheetReader>) {
        const sheets: { name: string }[] = (book as unknown as { model?: { sheets?: { name: string }[] } }).model?.sheets ?? [];
        const wanted = this.opts.sheet ?? sheets[0]?.name ?? sheet.name;
        seen.push(sheet.name);
        if (sheet.name !== wanted) {
          for await (const _ of sheet); // passed over: read to its end
          continue;
        }
        try {
          yield* this.read(sheet);
        } catch (err) {
          // The first sheet is often a cover or notes sheet: say which one was read and how to name another.
          if (!(err instanceof CsvFormatError) || this.opts.sheet !== undefined || this.columns) throw err;
          throw new CsvFormatError(
            `${err.message} (in the workbook's first sheet, "${sheet.name}"; its sheets: ${sheets.map((s) => `"${s.name}"`).join(', ')}: ` +
              'name another with --sheet, the API: sheet)',
          );
        }
        return;
      }
    } catch (err) {
      if (err instanceof CsvFormatError) throw err;
      throw new CsvFormatError(`the workbook cannot be read: ${(err as Error).message}`);
    }
    if (!seen.length) throw new CsvFormatError('a ZIP file without an Excel sheet: only .xlsx workbooks are read from ZIP files');
    throw new CsvFormatError(`no sheet "${this.opts.sheet}" in the workbook; its sheets: ${seen.map((s) => `"${s}"`).join(', ')}`);
  }

  private async *read(sheet: SheetReader): AsyncGenerator<CsvBatch> {
    const batchSize = this.opts.batchSize ?? 8192;
    const skip = this.opts.skipRecords ?? 0;
    const batch = new BatchBuilder(batchSize);
    let recordsRead = 0;
    let width = 0;
    let titles = 0;
    let titleError: unknown;
    for await (const row of sheet) {
      const cells = cellsOf(row);
      if (cells.every((c) => c === '')) continue;
      if (!this.columns) {
        try {
          this.columns = resolveColumns(cells, this.opts.columns);
        } catch (err) {
          // A title above the header (`Price list 2026`, one cell): passed over, a few at most.
          if (!(err instanceof CsvFormatError) || cells.filter((c) => c !== '').length > 1 || ++titles > MAX_TITLE_ROWS) throw titleError ?? err;
          titleError ??= err;
          continue;
        }
        width = cells.length;
        continue;
      }
      recordsRead++;
      if (recordsRead <= skip) continue;
      const extra = cells.slice(width).some((c) => c !== '');
      const values = Array.from({ length: width }, (_, i) => cells[i] ?? '');
      // "line": the sheet's row number (the header is usually row 1).
      const problem = extra ? `wrong column count: ${cells.length} fields, the header has ${width}` : nameProblem(values[this.columns.name]);
      if (problem !== undefined) batch.reject({ line: row.number, reason: problem, raw: cells.map((f) => escapeCsv(f)).join(',') });
      else batch.keep(values, recordsRead);
      if (batch.full) yield batch.take(recordsRead);
    }
    if (!this.columns) throw titleError ?? new CsvFormatError(`the sheet "${sheet.name}" has no header row`);
    yield batch.take(recordsRead);
  }
}

/** One-cell rows (titles, notes) passed over above a sheet's header. */
const MAX_TITLE_ROWS = 5;

/** A row's cells as text, from column A to its last cell. */
function cellsOf(row: ExcelJS.Row): string[] {
  const values = row.values as ExcelJS.CellValue[];
  const out: string[] = [];
  // exceljs's row values are 1-based (index 0 is empty).
  for (let i = 1; i < values.length; i++) out.push(textOf(values[i]));
  while (out.length && out[out.length - 1] === '') out.pop();
  return out;
}

/** OOXML's escape for characters XML cannot hold (`_x000D_` a CR, `_x005F_` a literal `_`): exceljs's streaming reader leaves it in. */
const OOXML_ESCAPE = /_x([0-9A-Fa-f]{4})_/g;
const unescaped = (text: string) =>
  text.includes('_x') ? text.replace(OOXML_ESCAPE, (_, hex) => String.fromCharCode(Number.parseInt(hex, 16))) : text;

function textOf(value: ExcelJS.CellValue): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return unescaped(value);
  if (typeof value === 'number') return String(value);
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  if (value instanceof Date) {
    const iso = value.toISOString();
    return iso.endsWith('T00:00:00.000Z') ? iso.slice(0, 10) : iso;
  }
  if ('richText' in value) return unescaped(value.richText.map((r) => r.text).join(''));
  if ('error' in value) return String(value.error);
  if ('formula' in value || 'sharedFormula' in value) return textOf((value as ExcelJS.CellFormulaValue).result as ExcelJS.CellValue);
  if ('text' in value) return typeof value.text === 'string' ? value.text : textOf(value.text as ExcelJS.CellValue);
  return String(value);
}
