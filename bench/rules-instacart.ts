/**
 * The rules tier on the labelled Instacart catalog: coverage (share of rows the rules decide) and accuracy
 * on what they decide, Level 1 and Level 2, on split=test. Rules are tuned on split=train only:
 * `--errors` lists train-split mistakes by rule (never test).
 *
 *   npx tsx bench/rules-instacart.ts [--errors] [--rules FILE]
 * Dataset: $AISLE_DATASET or ../shared/datasets/instacart-labeled.csv (never copied into the repo).
 */
import { toCascadeItem } from '../functions/core/normalize.ts';
import { DEFAULT_RULES_PATH, loadRules } from '../functions/core/rules.ts';
import { loadTaxonomy } from '../functions/core/taxonomy.ts';
import { readInstacart } from './instacart.ts';
import { machineLine } from './machine.ts';

const args = process.argv.slice(2);
const showErrors = args.includes('--errors');
const rulesFile = args.includes('--rules') ? args[args.indexOf('--rules') + 1] : DEFAULT_RULES_PATH;
const taxonomy = loadTaxonomy();
const { dataset, rows } = readInstacart(taxonomy);
const rules = loadRules(taxonomy, rulesFile);

interface Tally {
  rows: number;
  decided: number;
  unknown: number;
  conflicts: number;
  l1: number;
  l2: number;
}
const tallies: Record<string, Tally> = {};
const perClass: Record<string, { decided: number; right: number; rows: number }> = {};
const errors: Record<string, string[]> = {};
/** Train split only: how often each rule decided, and how often rightly (for tuning; never the test split). */
const perRule: Record<string, { decided: number; right: number }> = {};

for (const row of rows) {
  const split = row.split;
  const t = (tallies[split] ??= { rows: 0, decided: 0, unknown: 0, conflicts: 0, l1: 0, l2: 0 });
  t.rows++;
  const gold = row.classId;
  const verdict = rules.match(toCascadeItem({ name: row.text }));
  const pc = split === 'test' ? (perClass[gold] ??= { decided: 0, right: 0, rows: 0 }) : undefined;
  if (pc) pc.rows++;
  if (verdict.kind === 'conflict') t.conflicts++;
  if (verdict.kind !== 'decided') continue;
  if (verdict.classId === null) {
    t.unknown++;
    continue;
  }
  t.decided++;
  const right1 = taxonomy.lineage(verdict.classId)[0].id === taxonomy.lineage(gold)[0].id;
  const right2 = verdict.classId === gold;
  if (right1) t.l1++;
  if (right2) t.l2++;
  if (pc) {
    pc.decided++;
    if (right2) pc.right++;
  }
  if (split === 'train') {
    const ruleId = verdict.match.rule.id;
    const r = (perRule[ruleId] ??= { decided: 0, right: 0 });
    r.decided++;
    if (right2) r.right++;
    else if (showErrors) (errors[ruleId] ??= []).push(`${row.text}  →  ${verdict.classId} (gold ${gold}, matched '${verdict.match.text}')`);
  }
}

const pct = (a: number, b: number) => (b ? ((100 * a) / b).toFixed(1) : '-');
console.log(`rules ${rules.version} (${rules.rules.length} rules) on ${dataset}`);
console.log(machineLine());
for (const [split, t] of Object.entries(tallies).sort()) {
  console.log(
    `${split.padEnd(5)} rows ${t.rows}  decided ${t.decided} (coverage ${pct(t.decided, t.rows)}%)  ` +
      `L1 precision ${pct(t.l1, t.decided)}%  L2 precision ${pct(t.l2, t.decided)}%  ` +
      `explicit-unknown ${t.unknown}  conflicts deferred ${t.conflicts}`,
  );
}
console.log('\ntest split per gold class: coverage, L2 precision of decided rows');
for (const [id, c] of Object.entries(perClass).sort())
  console.log(`  ${id.padEnd(30)} coverage ${pct(c.decided, c.rows).padStart(5)}%  precision ${pct(c.right, c.decided)}%`);
if (showErrors) {
  console.log('\ntrain split per rule (worst first): decided, L2 precision');
  for (const [id, r] of Object.entries(perRule).sort((a, b) => a[1].right / a[1].decided - b[1].right / b[1].decided)) {
    console.log(`  ${id.padEnd(34)} ${String(r.decided).padStart(5)}  ${pct(r.right, r.decided)}%`);
  }
  console.log('\ntrain-split errors by rule:');
  for (const [id, list] of Object.entries(errors).sort((a, b) => b[1].length - a[1].length)) {
    console.log(`${id} (${list.length})`);
    for (const line of list.slice(0, 12)) console.log(`    ${line}`);
  }
}
