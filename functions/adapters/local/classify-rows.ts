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

/** Packs `batches`, whose records are numbered after the `base` records before the chunk. */
export function packRows(batches: CsvBatch[], base: number): { packed: PackedRows; transfer: ArrayBuffer[] } {
  const layout: number[] = [];
  const fields: string[] = [];
  const rejects: CsvReject[][] = [];
  let chars = 0;
  for (const batch of batches) {
    layout.push(batch.rows.length, batch.recordsRead - base);
    for (let r = 0; r < batch.rows.length; r++) {
      const row = batch.rows[r];
      layout.push(batch.rowNumbers[r] - base, row.length);
      for (const field of row) {
        layout.push(field.length);
        fields.push(field);
        chars += field.length;
      }
    }
    rejects.push(batch.rejects);
  }
  const joined = fields.join('');
  // ASCII (the usual case) as one byte a character, and so one-byte strings in the worker; anything else as UTF-16.
  const encoding = Buffer.byteLength(joined, 'utf8') === chars ? 'latin1' : 'utf16le';
  // Its own ArrayBuffer (never Node's shared pool): it is transferred.
  const text = Buffer.allocUnsafeSlow(encoding === 'latin1' ? chars : chars * 2);
  text.write(joined, encoding);
  const packedLayout = Int32Array.from(layout);
  return { packed: { text, encoding, layout: packedLayout, rejects }, transfer: [text.buffer as ArrayBuffer, packedLayout.buffer as ArrayBuffer] };
}

/** The batches again (numbered from the chunk's start; bytesRead is the main thread's business). */
export function unpackRows(packed: PackedRows): CsvBatch[] {
  const { layout } = packed;
  const text = Buffer.from(packed.text.buffer, packed.text.byteOffset, packed.text.byteLength).toString(packed.encoding);
  const batches: CsvBatch[] = [];
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
    batches.push({ rows, rowNumbers, rejects, recordsRead, bytesRead: 0 });
  }
  return batches;
}

/** Characters of field text in a batch: what a chunk is sized by. */
export function batchChars(batch: CsvBatch): number {
  let chars = 0;
  for (const row of batch.rows) for (const field of row) chars += field.length;
  return chars;
}
