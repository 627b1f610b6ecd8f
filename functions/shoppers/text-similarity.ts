/**
 * TF-IDF cosine over character trigrams of words, for a search term against product names. Trigrams
 * (with word boundaries, " mi", "mil", "ilk", "lk ") forgive typos and plurals that whole words would not;
 * IDF, learnt from the product names, makes a brand or a rare noun count more than "oz" or "pack".
 */

/** Lowercase words of letters and digits, each padded with a space on both sides, cut into trigrams. */
export function trigrams(text: string): string[] {
  const out: string[] = [];
  for (const word of text
    .toLowerCase()
    .normalize('NFKD')
    .match(/[\p{L}\p{N}]+/gu) ?? []) {
    const padded = ` ${word} `;
    for (let i = 0; i + 3 <= padded.length; i++) out.push(padded.slice(i, i + 3));
  }
  return out;
}

type Vector = Map<string, number>;

export class TfIdf {
  private readonly idf = new Map<string, number>();
  private readonly unseenIdf: number;
  /** The documents' vectors; a term's is remade each time but for the last one (pairs come grouped by term). */
  private readonly documents = new Map<string, Vector>();
  private last: { text: string; vector: Vector } = { text: '', vector: new Map() };

  /** `documents`: the product names the terms are compared with (each counted once per distinct trigram). */
  constructor(documents: readonly string[]) {
    const df = new Map<string, number>();
    let n = 0;
    for (const doc of documents) {
      n++;
      for (const g of new Set(trigrams(doc))) df.set(g, (df.get(g) ?? 0) + 1);
    }
    // Smoothed IDF: a trigram in every document still weighs a little, one in none weighs the most.
    for (const [g, count] of df) this.idf.set(g, Math.log((1 + n) / (1 + count)) + 1);
    this.unseenIdf = Math.log(1 + n) + 1;
    for (const doc of documents) this.documents.set(doc, this.weigh(doc));
  }

  private vector(text: string): Vector {
    const known = this.documents.get(text);
    if (known) return known;
    if (this.last.text !== text) this.last = { text, vector: this.weigh(text) };
    return this.last.vector;
  }

  /** The unit TF-IDF vector of a text. */
  private weigh(text: string): Vector {
    const v: Vector = new Map();
    for (const g of trigrams(text)) v.set(g, (v.get(g) ?? 0) + 1);
    let norm = 0;
    for (const [g, tf] of v) {
      const w = tf * (this.idf.get(g) ?? this.unseenIdf);
      v.set(g, w);
      norm += w * w;
    }
    norm = Math.sqrt(norm);
    if (norm > 0) for (const [g, w] of v) v.set(g, w / norm);
    return v;
  }

  /** Cosine similarity in [0, 1]; 0 when either text has no letters or digits. */
  similarity(a: string, b: string): number {
    let [x, y] = [this.vector(a), this.vector(b)];
    if (x.size > y.size) [x, y] = [y, x];
    let dot = 0;
    for (const [g, w] of x) dot += w * (y.get(g) ?? 0);
    return Math.min(dot, 1);
  }
}
