/**
 * What every input reader gives the pipeline, whatever the file's format (CSV, TSV, JSON lines, a JSON array,
 * Parquet): the columns, then batches of rows as string arrays with their rejects.
 */
import { UserError } from '../errors.ts';

/** A problem with the file as a whole (no header, no name column, a damaged container): the run stops with this message. */
export class CsvFormatError extends UserError {}

/** A row that could not be classified: its input line (1-based, the header is line 1), why, and its text. */
export interface CsvReject {
  line: number;
  reason: string;
  raw: string;
}

export interface CsvBatch {
  /** Valid rows, each with as many fields as the header. */
  rows: string[][];
  /** Data record number of each row (1-based, header excluded), parallel to rows. */
  rowNumbers: number[];
  rejects: CsvReject[];
  /** Data records read so far in the whole file (valid + rejected, skipped ones included). */
  recordsRead: number;
  /** Input bytes consumed so far (for progress). */
  bytesRead: number;
}

/** Gathers a reader's rows and rejects into batches: the JSON, workbook and Parquet readers share it. */
export class BatchBuilder {
  private rows: string[][] = [];
  private rowNumbers: number[] = [];
  private rejects: CsvReject[] = [];

  constructor(private readonly batchSize = 8192) {}

  keep(row: string[], rowNumber: number): void {
    this.rows.push(row);
    this.rowNumbers.push(rowNumber);
  }

  reject(reject: CsvReject): void {
    this.rejects.push(reject);
  }

  get full(): boolean {
    return this.rows.length + this.rejects.length >= this.batchSize;
  }

  /** The batch so far, and a fresh one started. */
  take(recordsRead: number, bytesRead = 0): CsvBatch {
    const batch = { rows: this.rows, rowNumbers: this.rowNumbers, rejects: this.rejects, recordsRead, bytesRead };
    this.rows = [];
    this.rowNumbers = [];
    this.rejects = [];
    return batch;
  }
}

export const DELIMITERS = [',', ';', '\t', '|'] as const;
export type Delimiter = (typeof DELIMITERS)[number];

/** The formats an input can be in; a container (gzip, zstd) can hold any but Parquet and xlsx. */
export type InputFormat = 'csv' | 'jsonl' | 'json' | 'parquet' | 'xlsx';

/**
 * A reader of one input file. `columns` is set before the first batch is yielded, and at least one batch is
 * always yielded (possibly empty) so a file without rows still reports its columns. Every data record ends up
 * in exactly one batch's `rows` or `rejects`.
 */
export interface TableReader {
  columns?: CsvColumns;
  /** The input's delimiter (a CSV's own; `,` for other formats): the output's by default. */
  readonly delimiter: Delimiter;
  batches(): AsyncGenerator<CsvBatch>;
}

/** Where each role sits in the input row; -1 when the column is absent. */
export interface CsvColumns {
  header: string[];
  name: number;
  searchTerm: number;
  brand: number;
  description: number;
  id: number;
  /** The retailer's own category (a hint to the tiers, shown in the trace). */
  category: number;
  /** Columns joined for the tiers' text, in order (--text-columns); null: the name (with the brand). */
  text: number[] | null;
}

/** Columns named by the user (CLI options, the API's upload fields): header names, matched as the synonyms are. */
export interface ColumnChoice {
  name?: string;
  id?: string;
  category?: string;
  text?: string[];
}
