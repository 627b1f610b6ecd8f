/**
 * Names to vectors with a static table (static-table.ts): the SIF-weighted mean of the rows of a name's words,
 * the head word (the last one, "milk" in "organic whole milk 1 gal") weighed more, unit length. A word the table
 * lacks is spelled from the encoder's own pieces (longest first), so no word is left out. No model runs: a name
 * costs a few look-ups and one pass over its rows.
 */
import { normalizeText } from '../core/normalize.ts';
import { CONTINUATION, isEmbeddableWord, loadStaticTable, type StaticTable } from './static-table.ts';

/** How much more the head word weighs than the others: what a product is, not what it is made of or who made it. */
export const HEAD_WEIGHT = 2;

export class StaticEmbedder {
  readonly dimensions: number;
  readonly source: string;
  private readonly rows = new Map<string, number>();
  private readonly longest: number;
  private readonly rowValues: Float32Array;
  /** Words spelled from pieces, remembered (bounded): a catalog repeats its words. */
  private readonly spelled = new Map<string, { vector: Float32Array; weight: number }>();

  constructor(private readonly table: StaticTable) {
    const { meta, values } = table;
    this.dimensions = meta.dimensions;
    this.source = meta.source;
    meta.tokens.forEach((t, i) => this.rows.set(t, i));
    this.longest = Math.max(...meta.tokens.map((t) => t.length));
    // Dequantized once: 7 MB of int8 becomes 30 MB of float32, and a name costs no multiplications by scales.
    this.rowValues = new Float32Array(values.length);
    for (let r = 0; r < meta.tokens.length; r++) {
      const scale = meta.scales[r];
      for (let d = 0; d < meta.dimensions; d++) this.rowValues[r * meta.dimensions + d] = values[r * meta.dimensions + d] * scale;
    }
  }

  static load(dir?: string): StaticEmbedder {
    return new StaticEmbedder(loadStaticTable(dir));
  }

  /** The unit vector of a name (any raw text: it is normalized here); all zeros when no word in it is embeddable. */
  embed(text: string): Float32Array {
    return this.embedWords(wordsOf(text));
  }

  /** The unit vector of a name's words (wordsOf), for a caller that needs the words too. */
  embedWords(words: string[]): Float32Array {
    const out = new Float32Array(this.dimensions);
    for (let i = 0; i < words.length; i++) {
      const head = i === words.length - 1 ? HEAD_WEIGHT : 1;
      const row = this.rows.get(words[i]);
      if (row !== undefined) this.addRow(out, row, this.table.meta.weights[row] * head);
      else {
        const word = this.spell(words[i]);
        if (word) for (let d = 0; d < this.dimensions; d++) out[d] += word.vector[d] * word.weight * head;
      }
    }
    return normalize(out);
  }

  /** How much a word weighs in a name (SIF: rare words ~1, frequent ones little); 0 for a word nothing spells. */
  weightOf(word: string): number {
    const row = this.rows.get(word);
    if (row !== undefined) return this.table.meta.weights[row];
    return this.spell(word)?.weight ?? 0;
  }

  private addRow(out: Float32Array, row: number, weight: number) {
    const at = row * this.dimensions;
    for (let d = 0; d < this.dimensions; d++) out[d] += this.rowValues[at + d] * weight;
  }

  /** A word not in the table: the mean of its pieces' rows, weighted as the rarest of them. */
  private spell(word: string): { vector: Float32Array; weight: number } | null {
    const known = this.spelled.get(word);
    if (known) return known;
    const vector = new Float32Array(this.dimensions);
    let pieces = 0;
    let weight = 0;
    for (let i = 0; i < word.length; ) {
      const prefix = i === 0 ? '' : CONTINUATION;
      let j = Math.min(word.length, i + this.longest);
      let row: number | undefined;
      for (; j > i; j--) {
        row = this.rows.get(prefix + word.slice(i, j));
        if (row !== undefined) break;
      }
      if (row === undefined) {
        i++; // a character no piece starts with: skipped
        continue;
      }
      this.addRow(vector, row, 1);
      weight = Math.max(weight, this.table.meta.weights[row]);
      pieces++;
      i = j;
    }
    if (!pieces) return null;
    for (let d = 0; d < this.dimensions; d++) vector[d] /= pieces;
    const spelled = { vector, weight };
    if (this.spelled.size >= 100_000) this.spelled.clear();
    this.spelled.set(word, spelled);
    return spelled;
  }
}

/** The words of a text that the table embeds, in order: normalized, quantities and sizes left out. */
export const wordsOf = (text: string): string[] => normalizeText(text).split(' ').filter(isEmbeddableWord);

/** Scales v to unit length in place (a zero vector stays zero). */
export function normalize(v: Float32Array): Float32Array {
  let s = 0;
  for (let d = 0; d < v.length; d++) s += v[d] * v[d];
  if (s > 0) {
    const inv = 1 / Math.sqrt(s);
    for (let d = 0; d < v.length; d++) v[d] *= inv;
  }
  return v;
}

/** Cosine of two unit vectors. */
export function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let d = 0; d < a.length; d++) s += a[d] * b[d];
  return s;
}
