/**
 * Row batches read on the main thread, packed for a worker (classify-parallel.ts): inputs that cannot be cut into
 * byte slices (compressed, Parquet, JSON, a legacy encoding, CR LF records, columns named by the user) are decoded
 * and parsed here, and the workers classify. A chunk is one string of every field (ASCII, else UTF-16 so that any
 * string survives, a lone surrogate included) and one Int32Array of counts and lengths: two transferable buffers instead of a
 * structured clone of a string per field.
 */
import type { CsvBatch, CsvReject } from '../../core/csv.ts';

/** Several of a reader's batches as they cross to a worker. Row and record numbers count from the chunk's start; reject lines stay the file's. */
export interface PackedRows {
  text: Uint8Array;
  encoding: 'latin1' | 'utf16le';
  /** Per batch: rows, records read (from the chunk's start); per row: its record number (idem), its field count, each field's length. */
  layout: Int32Array;
  rejects: CsvReject[][];
}

/**
 * Packs batches as they are read, numbered after the `base` records before the chunk: each batch's fields are
 * joined at once, so its rows (an array and a string per field) die young instead of waiting for the chunk.
 */
export class RowPacker {
  private layout: number[] = [];
  private texts: string[] = [];
  private rejects: CsvReject[][] = [];
  /** Field characters packed so far. */
  chars = 0;
  batches = 0;

  constructor(private base: number) {}

  add(batch: CsvBatch): void {
    const { layout, base } = this;
    const fields: string[] = [];
    layout.push(batch.rows.length, batch.recordsRead - base);
    for (let r = 0; r < batch.rows.length; r++) {
      const row = batch.rows[r];
      layout.push(batch.rowNumbers[r] - base, row.length);
      for (const field of row) {
        layout.push(field.length);
        fields.push(field);
        this.chars += field.length;
      }
    }
    this.texts.push(fields.join(''));
    this.rejects.push(batch.rejects);
    this.batches++;
  }

  /** The chunk so far, and a fresh one started after its last record. */
  take(recordsRead: number): { packed: PackedRows; transfer: ArrayBuffer[] } {
    const joined = this.texts.join('');
    // ASCII (the usual case) as one byte a character, and so one-byte strings in the worker; anything else as UTF-16.
    const encoding = Buffer.byteLength(joined, 'utf8') === this.chars ? 'latin1' : 'utf16le';
    // Its own ArrayBuffer (never Node's shared pool): it is transferred.
    const text = Buffer.allocUnsafeSlow(encoding === 'latin1' ? this.chars : this.chars * 2);
    text.write(joined, encoding);
    const layout = Int32Array.from(this.layout);
    const packed: PackedRows = { text, encoding, layout, rejects: this.rejects };
    this.layout = [];
    this.texts = [];
    this.rejects = [];
    this.chars = 0;
    this.batches = 0;
    this.base = recordsRead;
    return { packed, transfer: [text.buffer as ArrayBuffer, layout.buffer as ArrayBuffer] };
  }
}

/**
 * The batches again, one at a time (as a reader gives them, so that a batch's rows die young), numbered from the
 * chunk's start; bytesRead is the main thread's business.
 */
export function* unpackRows(packed: PackedRows): Generator<CsvBatch> {
  const { layout } = packed;
  const text = Buffer.from(packed.text.buffer, packed.text.byteOffset, packed.text.byteLength).toString(packed.encoding);
  let at = 0;
  let char = 0;
  for (const rejects of packed.rejects) {
    const rowCount = layout[at++];
    const recordsRead = layout[at++];
    const rows: string[][] = new Array(rowCount);
    const rowNumbers: number[] = new Array(rowCount);
    for (let r = 0; r < rowCount; r++) {
      rowNumbers[r] = layout[at++];
      const row: string[] = new Array(layout[at++]);
      for (let f = 0; f < row.length; f++) {
        const length = layout[at++];
        row[f] = text.slice(char, char + length);
        char += length;
      }
      rows[r] = row;
    }
    yield { rows, rowNumbers, rejects, recordsRead, bytesRead: 0 };
  }
}
