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
 * joined and written to the chunk's buffer at once, so its rows (an array and a string per field) and its text
 * die young instead of waiting for the chunk in the garbage collector's old space. The buffers are this
 * packer's, reused chunk after chunk; take() copies out what a chunk holds.
 */
export class RowPacker {
  private layout = new Int32Array(1 << 12);
  private layoutLength = 0;
  private text: Buffer = Buffer.allocUnsafeSlow(1 << 16);
  private textBytes = 0;
  /** ASCII (the usual case) as one byte a character, and so one-byte strings in the worker; anything else as UTF-16. */
  private encoding: PackedRows['encoding'] = 'latin1';
  private rejects: CsvReject[][] = [];
  /** Field characters packed so far. */
  chars = 0;
  batches = 0;

  constructor(private base: number) {}

  add(batch: CsvBatch): void {
    const { base } = this;
    const fields: string[] = [];
    this.push(batch.rows.length);
    this.push(batch.recordsRead - base);
    for (let r = 0; r < batch.rows.length; r++) {
      const row = batch.rows[r];
      this.push(batch.rowNumbers[r] - base);
      this.push(row.length);
      for (const field of row) {
        this.push(field.length);
        fields.push(field);
      }
    }
    const joined = fields.join('');
    if (this.encoding === 'latin1' && Buffer.byteLength(joined, 'utf8') !== joined.length) this.widen();
    const bytes = this.encoding === 'latin1' ? joined.length : joined.length * 2;
    this.text = grown(this.text, this.textBytes, this.textBytes + bytes);
    this.textBytes += this.text.write(joined, this.textBytes, this.encoding);
    this.chars += joined.length;
    this.rejects.push(batch.rejects);
    this.batches++;
  }

  /** The chunk so far (in buffers of its own, to be transferred), and a fresh one started after its last record. */
  take(recordsRead: number): { packed: PackedRows; transfer: ArrayBuffer[] } {
    // Never Node's shared pool: they are transferred.
    const text = Buffer.allocUnsafeSlow(this.textBytes);
    this.text.copy(text, 0, 0, this.textBytes);
    const layout = this.layout.slice(0, this.layoutLength);
    const packed: PackedRows = { text, encoding: this.encoding, layout, rejects: this.rejects };
    this.layoutLength = 0;
    this.textBytes = 0;
    this.encoding = 'latin1';
    this.rejects = [];
    this.chars = 0;
    this.batches = 0;
    this.base = recordsRead;
    return { packed, transfer: [text.buffer as ArrayBuffer, layout.buffer as ArrayBuffer] };
  }

  private push(value: number): void {
    if (this.layoutLength === this.layout.length) {
      const longer = new Int32Array(this.layout.length * 2);
      longer.set(this.layout);
      this.layout = longer;
    }
    this.layout[this.layoutLength++] = value;
  }

  /** The chunk's text so far, as one byte a character, again as UTF-16: a batch that is not ASCII came. */
  private widen(): void {
    const wide = Buffer.allocUnsafeSlow(Math.max(this.text.length * 2, 1 << 16));
    const bytes = wide.write(this.text.toString('latin1', 0, this.textBytes), 0, 'utf16le');
    this.text = wide;
    this.textBytes = bytes;
    this.encoding = 'utf16le';
  }
}

/** `buf`, or a longer copy of its first `used` bytes when it holds fewer than `need`. */
function grown(buf: Buffer, used: number, need: number): Buffer {
  if (need <= buf.length) return buf;
  const longer = Buffer.allocUnsafeSlow(Math.max(buf.length * 2, need));
  buf.copy(longer, 0, 0, used);
  return longer;
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
