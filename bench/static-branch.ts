/**
 * Issue 16 experiment, run by `bench/encoder-instacart.ts --static-branch SCALE`: the bag trained without and with the
 * static word table's vector of each name as a frozen linear branch of the logits (bag config staticFeatures), in
 * the same run. Prints the validation slice's figures (the selection criterion) and level-1 accuracy by argmax on the
 * project's check sets (bench/checks), with the TypeScript forward pass: the ONNX export does not carry the branch.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { normalizeText } from '../functions/core/normalize.ts';
import type { Taxonomy } from '../functions/core/taxonomy.ts';
import { StaticEmbedder } from '../functions/embeddings/static-embedder.ts';
import { type BagConfig, bagLogits, DEFAULT_BAG_CONFIG } from '../functions/model/bag.ts';
import { type LabelledText, readLabelledCsv } from '../functions/model/labelled-data.ts';
import { trainEncoder } from '../functions/model/train.ts';
import { CHECK_SETS, type CheckSetName } from './general-check.ts';

export async function compareStaticBranch(rows: LabelledText[], taxonomy: Taxonomy, scale: number, bag: Partial<BagConfig>): Promise<void> {
  const embedder = StaticEmbedder.load();
  const maxTokens = bag.maxTokens ?? DEFAULT_BAG_CONFIG.maxTokens;
  const root = (classId: string) => taxonomy.lineage(classId)[0].id;
  const checks = await Promise.all(
    (Object.keys(CHECK_SETS) as CheckSetName[]).map(async (name) => ({ name, rows: (await readLabelledCsv(CHECK_SETS[name], taxonomy)).rows })),
  );
  console.log(
    `| static branch | train s | validation L1 | L2 accuracy | L2 macro-F1 | coverage | covered accuracy | ${checks.map(({ name }) => `${name} L1 (argmax)`).join(' | ')} |`,
  );
  console.log(`|---|---|---|---|---|---|---|${'---|'.repeat(checks.length)}`);
  for (const staticFeatures of [0, scale]) {
    const started = performance.now();
    const { metrics, model, tokenizer, classIds } = await trainEncoder(rows, {
      taxonomy,
      outDir: join(tmpdir(), 'aisle-static-branch'),
      writeFiles: false,
      bag: { ...bag, staticFeatures },
    });
    const seconds = (performance.now() - started) / 1000;
    const l1 = checks.map(({ rows: check }) => {
      let right = 0;
      for (const row of check) {
        const text = normalizeText(row.text);
        const features = staticFeatures ? embedder.embed(text).map((v) => v * staticFeatures) : undefined;
        const logits = bagLogits(model, Int32Array.from(tokenizer.encode(text).slice(0, maxTokens)), features);
        let best = 0;
        for (let c = 1; c < logits.length; c++) if (logits[c] > logits[best]) best = c;
        if (root(classIds[best]) === root(row.classId)) right++;
      }
      return (right / check.length).toFixed(4);
    });
    const [v1, v2] = metrics.validation.levels;
    const { coverage, accuracy } = metrics.validation.coverage;
    console.log(
      `| ${staticFeatures || 'none'} | ${seconds.toFixed(0)} | ${v1.accuracy.toFixed(4)} | ${v2.accuracy.toFixed(4)} | ${v2.macroF1.toFixed(4)} | ${(coverage * 100).toFixed(1)}% | ${accuracy.toFixed(4)} | ${l1.join(' | ')} |`,
    );
  }
}
