/**
 * Issue 16 item 3, measured: the level-1 class of the encoder's answer taken from its best level-2 class (what
 * the cascade does) against the level-1 class whose level-2 classes sum to the most probability. Prints, per
 * list, level-1 accuracy both ways, how many answers change, and how many of those were right before and after;
 * and the same over the accepted answers (at the per-class thresholds), where a changed level 1 matters most.
 *
 *   npx tsx bench/level1-by-sum.ts [--model DIR] [--instacart]
 *
 * Lists: the check sets (bench/checks/) and, with --instacart, the Instacart test split (a model trained on its
 * train split, e.g. kept by `bench/encoder-instacart.ts --keep DIR`, outside the repository).
 */
import { parseArgs } from 'node:util';
import { loadTaxonomy } from '../functions/core/taxonomy.ts';
import { OnnxEncoder } from '../functions/model/encoder.ts';
import { readLabelledCsv } from '../functions/model/labelled-data.ts';
import { STARTER_DIR } from '../models/starter/train-starter.ts';
import { CHECK_SETS } from './general-check.ts';
import { readInstacart } from './instacart.ts';
import { machineLine } from './machine.ts';

const { values } = parseArgs({ options: { model: { type: 'string' }, instacart: { type: 'boolean', default: false } } });
const taxonomy = loadTaxonomy();
const encoder = await OnnxEncoder.load(values.model ?? STARTER_DIR, { taxonomy });
const level1 = (classId: string) => taxonomy.lineage(classId)[0].id;
const { classIds } = encoder;
const C = classIds.length;
const parents = classIds.map(level1);
const level1Ids = [...new Set(parents)];

const lists: [string, { text: string; classId: string }[]][] = [];
for (const [name, path] of Object.entries(CHECK_SETS)) lists.push([name, (await readLabelledCsv(path, taxonomy)).rows]);
if (values.instacart) lists.push(['instacart test', readInstacart(taxonomy).rows.filter((r) => r.split === 'test')]);

console.log(machineLine());
console.log(`model: ${encoder.modelVersion} · level-1 classes: ${level1Ids.join(', ')}\n`);
for (const [name, rows] of lists) {
  const { probabilities } = await encoder.scores(rows.map((r) => r.text));
  const t = { right: 0, rightSum: 0, changed: 0, fixed: 0, broken: 0, accepted: 0, acceptedRight: 0, acceptedRightSum: 0, acceptedChanged: 0 };
  rows.forEach((row, i) => {
    const p = probabilities.subarray(i * C, (i + 1) * C);
    let top = 0;
    const sums = new Map<string, number>();
    for (let c = 0; c < C; c++) {
      if (p[c] > p[top]) top = c;
      sums.set(parents[c], (sums.get(parents[c]) ?? 0) + p[c]);
    }
    const byTop = parents[top];
    const bySum = [...sums].reduce((a, b) => (b[1] > a[1] ? b : a))[0];
    const gold = level1(row.classId);
    const accepted = p[top] >= encoder.threshold(classIds[top]);
    t.right += +(byTop === gold);
    t.rightSum += +(bySum === gold);
    if (byTop !== bySum) {
      t.changed++;
      t.fixed += +(bySum === gold);
      t.broken += +(byTop === gold);
    }
    if (accepted) {
      t.accepted++;
      t.acceptedRight += +(byTop === gold);
      t.acceptedRightSum += +(bySum === gold);
      t.acceptedChanged += +(byTop !== bySum);
    }
  });
  const pct = (n: number, d: number) => `${((100 * n) / Math.max(1, d)).toFixed(2)}%`;
  console.log(
    `${name.padEnd(15)} ${String(rows.length).padStart(6)} rows  L1 by best L2 ${pct(t.right, rows.length)} · by summed probability ${pct(t.rightSum, rows.length)}` +
      `  (${t.changed} changed: ${t.fixed} fixed, ${t.broken} broken)`,
  );
  console.log(
    `${''.padEnd(15)} accepted ${String(t.accepted).padStart(6)}  L1 by best L2 ${pct(t.acceptedRight, t.accepted)} · by sum ${pct(t.acceptedRightSum, t.accepted)} (${t.acceptedChanged} changed)`,
  );
}
await encoder.close();
