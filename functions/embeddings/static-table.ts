/**
 * The static word table distilled from a sentence encoder (models/embeddings/distill.ts): one row per vocabulary
 * entry, int8 with a scale per row (a quarter of float32's size; cosine error < 1 %), and a weight per entry.
 * Files: `table.json` (StaticTableMeta) and `vectors.i8` (tokens × dimensions signed bytes, row-major).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const STATIC_TABLE_DIR = fileURLToPath(new URL('../../models/embeddings/use-lite-static', import.meta.url));

/** Marks a piece that continues a word ("##ing"), as the project's WordPiece tokenizer does. */
export const CONTINUATION = '##';

export interface StaticTableMeta {
  /** What the rows were distilled from, with its licence. */
  source: string;
  dimensions: number;
  /** Whole words and word-initial pieces as themselves; continuation pieces prefixed with CONTINUATION. */
  tokens: string[];
  /** Per token: SIF weight a / (a + p), p its unigram probability under the encoder's own vocabulary. */
  weights: number[];
  /** Per row: the float value of int8 127. */
  scales: number[];
}

export interface StaticTable {
  meta: StaticTableMeta;
  values: Int8Array;
}

/** Smooth inverse frequency (Arora et al. 2017): frequent words ("the", "of", "with") weigh little, rare ones ~1. */
export const SIF_A = 1e-3;
export const sifWeight = (probability: number) => SIF_A / (SIF_A + probability);

/** A word the table embeds: letters in it and no digit (quantities and sizes such as "12oz" say nothing of what a thing is). */
export function isEmbeddableWord(word: string): boolean {
  return word.length > 1 && !/\d/.test(word) && /\p{L}/u.test(word);
}

/** Rows of float32 to int8 with a per-row scale. */
export function quantize(rows: Float32Array, dimensions: number): { values: Int8Array; scales: Float32Array } {
  const n = rows.length / dimensions;
  const values = new Int8Array(rows.length);
  const scales = new Float32Array(n);
  for (let r = 0; r < n; r++) {
    let max = 0;
    for (let d = 0; d < dimensions; d++) max = Math.max(max, Math.abs(rows[r * dimensions + d]));
    const scale = max / 127 || 1;
    scales[r] = scale;
    for (let d = 0; d < dimensions; d++) values[r * dimensions + d] = Math.round(rows[r * dimensions + d] / scale);
  }
  return { values, scales };
}

export function loadStaticTable(dir = STATIC_TABLE_DIR): StaticTable {
  const meta = JSON.parse(readFileSync(join(dir, 'table.json'), 'utf8')) as StaticTableMeta;
  const bytes = readFileSync(join(dir, 'vectors.i8'));
  const values = new Int8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (values.length !== meta.tokens.length * meta.dimensions) {
    throw new Error(`${dir}: vectors.i8 holds ${values.length} values, table.json wants ${meta.tokens.length} × ${meta.dimensions}`);
  }
  return { meta, values };
}
