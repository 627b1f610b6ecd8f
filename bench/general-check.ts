/**
 * The project's out-of-domain check sets: names written by hand, independently of the starter catalog's
 * generator (other product types, other phrasing, no shared vocabulary file), with their labels:
 *
 *   bench/checks/general.csv       general-merchandise web-shop titles and world-grocery names (English)
 *   bench/checks/multilingual.csv  names in Spanish, German, French, Hindi (Devanagari and transliterated),
 *                                  Russian, Chinese and Japanese
 *   bench/checks/indian-grocery.csv  an Indian grocery chain's catalog: brand + product + variant + pack, foods and
 *                                  the household, pooja, ayurvedic and personal-care goods such a chain sells, in
 *                                  English, transliterated Hindi, Devanagari and a few regional scripts; written
 *                                  blind to the generator's vocabulary and to the other lists
 *   bench/checks/us-food-db.csv    a US food database's descriptions: its reference style ("Cheese, cheddar, sharp",
 *                                  "Beverages, coffee, brewed": inverted, comma-separated, with preparation and
 *                                  cut) and its branded style (upper case, no brand: "POTATO CHIPS, ORIGINAL");
 *                                  all foods, written blind to the generator
 *   bench/checks/web-offers.csv    product offers as general web shops title them: brand, model numbers, sizes, the
 *                                  shop's name after a bar or dash, HTML entities, a few in German, French and
 *                                  Spanish; electronics, fashion, toys, books, home, tools, auto, and the foods,
 *                                  drinks, cosmetics, pet and baby goods such shops sell; written blind to the generator
 *
 * Prints level-1 accuracy, level-2 macro-F1 and coverage of a model (the encoder alone; default: the shipped
 * starter) on each list, and level-1 accuracy by script on the multilingual and Indian lists. --misses lists a
 * set's wrong answers grouped by labelled class → answered class.
 *
 * With --train FILE it first trains a model as `aisle train --data FILE` does (the file's training rows plus the
 * starter catalog at --starter-share, or without it with --no-starter; the shipped rules measured), then scores
 * the shipped starter and the trained model on both lists in the same run (--teach W: the weight of the starter's
 * answers on the file's rows, default as `aisle train`; 0 for none; --teach-agreeing: only on rows whose level 1 the
 * starter reads as labelled; --fine-column C: the file's finer category trains the auxiliary head), and prints the training's CPU
 * seconds and the process's peak RSS. The model goes to a temporary folder (or --keep DIR, outside the
 * repository: a model trained on a dataset from ../shared must not be shipped). It prints the starter gate's cosine
 * chosen on the validation slice; --gate-cosine C also scores the same model with the gate's cosine set to C (a
 * copy of the folder, metrics.json changed), the baseline in the same run.
 *
 *   npx tsx bench/general-check.ts [--model DIR] [--misses indian-grocery]
 *   npx tsx bench/general-check.ts --train ../shared/datasets/instacart-labeled.csv [--starter-share S | --no-starter] [--keep DIR] [--gate-cosine C]
 */
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadRules } from '../functions/core/rules.ts';
import { loadTaxonomy, PATH_SEPARATOR, type Taxonomy } from '../functions/core/taxonomy.ts';
import { OnnxEncoder } from '../functions/model/encoder.ts';
import { type EvalReport, evaluate } from '../functions/model/evaluate.ts';
import { type LabelledRow, readLabelledCsv } from '../functions/model/labelled-data.ts';
import { trainEncoder } from '../functions/model/train.ts';
import { DEFAULT_STARTER_SHARE, DEFAULT_TEACHER_WEIGHT, STARTER_DIR, starterRowsBeside, teacherRows } from '../models/starter/train-starter.ts';
import { loadAverages, machineLine } from './machine.ts';

export const CHECK_SETS = {
  general: fileURLToPath(new URL('./checks/general.csv', import.meta.url)),
  multilingual: fileURLToPath(new URL('./checks/multilingual.csv', import.meta.url)),
  'indian-grocery': fileURLToPath(new URL('./checks/indian-grocery.csv', import.meta.url)),
  'us-food-db': fileURLToPath(new URL('./checks/us-food-db.csv', import.meta.url)),
  'web-offers': fileURLToPath(new URL('./checks/web-offers.csv', import.meta.url)),
} as const;
export type CheckSetName = keyof typeof CHECK_SETS;

/** Level-1 accuracy the shipped starter must reach on each list (issue 16; the Indian list stands for its held-back Indian grocery catalog). */
export const CHECK_TARGETS: Record<CheckSetName, number> = {
  general: 0.97,
  multilingual: 0.9,
  'indian-grocery': 0.95,
  'us-food-db': 0.95,
  'web-offers': 0.95,
};

/** The sets whose level-1 accuracy is printed per script. */
const BY_SCRIPT: ReadonlySet<CheckSetName> = new Set(['multilingual', 'indian-grocery']);

/** The script a name is written in, for the per-script breakdown (Latin covers Spanish, German, French and transliterated Hindi). */
export function scriptOf(text: string): string {
  if (/\p{Script=Devanagari}/u.test(text)) return 'Devanagari';
  for (const script of ['Bengali', 'Gujarati', 'Tamil', 'Telugu', 'Kannada'] as const) {
    if (new RegExp(`\\p{Script=${script}}`, 'u').test(text)) return script;
  }
  if (/\p{Script=Cyrillic}/u.test(text)) return 'Cyrillic';
  if (/[\p{Script=Hiragana}\p{Script=Katakana}]/u.test(text)) return 'Japanese kana';
  if (/\p{Script=Han}/u.test(text)) return 'Han';
  return 'Latin';
}

export interface CheckSetScore {
  name: CheckSetName;
  report: EvalReport;
  /** Level-1 accuracy per script. */
  byScript: Map<string, { rows: number; accuracy: number }>;
  /** Names whose level-2 answer (top class) is not the labelled class. */
  misses: { text: string; expected: string; answered: string; score: number }[];
}

/** Every labelled row of a check set (the lists have no split column: all rows are scored). */
async function readCheckSet(name: CheckSetName, taxonomy: Taxonomy): Promise<LabelledRow[]> {
  const { rows, skipped } = await readLabelledCsv(CHECK_SETS[name], taxonomy);
  if (skipped.length) throw new Error(`${CHECK_SETS[name]}: ${skipped.length} rows skipped`);
  return rows;
}

export async function scoreCheckSets(modelDir = STARTER_DIR, opts: { threads?: number } = {}): Promise<CheckSetScore[]> {
  const taxonomy = loadTaxonomy();
  const encoder = await OnnxEncoder.load(modelDir, { taxonomy, threads: opts.threads });
  try {
    const scores: CheckSetScore[] = [];
    for (const name of Object.keys(CHECK_SETS) as CheckSetName[]) {
      const rows = await readCheckSet(name, taxonomy);
      const report = await evaluate(encoder, rows, taxonomy);
      const top = await encoder.predict(
        rows.map((r) => r.text),
        1,
      );
      const level1 = (classId: string) => taxonomy.lineage(classId)[0].id;
      const labelOf = (classId: string) => taxonomy.lineage(classId).at(-1)?.label ?? classId;
      const tally = new Map<string, { rows: number; right: number }>();
      rows.forEach((row, i) => {
        const script = scriptOf(row.text);
        const t = tally.get(script) ?? { rows: 0, right: 0 };
        t.rows++;
        if (level1(top[i][0].classId) === level1(row.classId)) t.right++;
        tally.set(script, t);
      });
      const byScript = new Map([...tally].map(([script, t]) => [script, { rows: t.rows, accuracy: t.right / t.rows }]));
      const misses = rows.flatMap((row, i) =>
        top[i][0].classId === row.classId
          ? []
          : [{ text: row.text, expected: labelOf(row.classId), answered: labelOf(top[i][0].classId), score: top[i][0].score }],
      );
      scores.push({ name, report, byScript, misses });
    }
    return scores;
  } finally {
    await encoder.close();
  }
}

const pct = (x: number) => `${(100 * x).toFixed(2)}%`;

function printScores(label: string, scores: CheckSetScore[]): void {
  console.log(`\n${label}`);
  for (const { name, report, byScript } of scores) {
    const [l1, l2] = report.levels;
    console.log(
      `${name.padEnd(15)} ${String(report.rows).padStart(5)} names  L1 accuracy ${pct(l1.accuracy)} (target ≥ ${pct(CHECK_TARGETS[name])})  ` +
        `L2 accuracy ${pct(l2.accuracy)}  L2 macro-F1 ${pct(l2.macroF1)}  coverage ${pct(report.coverage.coverage)} at ${pct(report.coverage.accuracy)}`,
    );
    if (BY_SCRIPT.has(name)) {
      for (const [script, s] of byScript) console.log(`  ${script.padEnd(14)} ${String(s.rows).padStart(4)} names  L1 accuracy ${pct(s.accuracy)}`);
    }
  }
}

/** A set's wrong answers, grouped by labelled class → answered class, largest group first; level-1 misses marked. */
function printMisses(score: CheckSetScore): void {
  const groups = new Map<string, CheckSetScore['misses']>();
  for (const m of score.misses) {
    const key = `${m.expected} → ${m.answered}`;
    groups.set(key, [...(groups.get(key) ?? []), m]);
  }
  const level1 = (label: string) => label.split(PATH_SEPARATOR)[0];
  console.log(`\n${score.name}: ${score.misses.length} names whose top class is wrong (* also wrong at level 1)`);
  for (const [key, misses] of [...groups].sort((a, b) => b[1].length - a[1].length)) {
    const wrongLevel1 = level1(misses[0].expected) !== level1(misses[0].answered);
    console.log(`${wrongLevel1 ? '*' : ' '} ${key} (${misses.length})`);
    for (const m of misses) console.log(`      ${m.text}  [${m.score.toFixed(2)}]`);
  }
}

/** Trains on a labelled file's training rows as `aisle train --data FILE` does; returns the model folder and the training's CPU seconds. */
async function trainLikeAisle(
  file: string,
  dir: string,
  share: number | null,
  teach: number,
  opts: { teacherAgreeing: boolean; fineColumn: string | undefined },
): Promise<{ cpuSeconds: number; heldOut: LabelledRow[] }> {
  const taxonomy = loadTaxonomy();
  const { rows } = await readLabelledCsv(file, taxonomy, { fineColumn: opts.fineColumn });
  const user = rows.filter((r) => !r.heldOut);
  const starter = share === null ? { rows: [], weight: 0 } : await starterRowsBeside(taxonomy, user.length, share);
  console.log(
    `training rows: ${user.length} of ${file}` +
      (share === null ? ', no starter catalog' : ` + ${starter.rows.length} starter rows at weight ${starter.weight.toFixed(2)} (share ${share})`),
  );
  const cpu = process.cpuUsage();
  const taught =
    teach > 0
      ? await teacherRows(
          user.map((r) => r.text),
          teach,
        )
      : [];
  if (taught.length) console.log(`teacher rows: ${taught.length} (the starter's answers on the user's rows, weight ${teach})`);
  await trainEncoder(user, {
    starterRows: starter.rows,
    teacherRows: taught,
    teacherAgreeing: opts.teacherAgreeing,
    taxonomy,
    outDir: dir,
    rules: loadRules(taxonomy),
    neighbours: true,
    starterGate: share === null ? undefined : { dir: STARTER_DIR },
    onProgress: (m) => console.log(`  ${m}`),
  });
  const used = process.cpuUsage(cpu);
  return { cpuSeconds: (used.user + used.system) / 1e6, heldOut: rows.filter((r) => r.heldOut) };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { values: args } = parseArgs({
    options: {
      model: { type: 'string' },
      train: { type: 'string' },
      'starter-share': { type: 'string' },
      'no-starter': { type: 'boolean', default: false },
      keep: { type: 'string' },
      teach: { type: 'string' },
      'teach-agreeing': { type: 'boolean', default: false },
      'fine-column': { type: 'string' },
      'gate-cosine': { type: 'string' },
      misses: { type: 'string' },
    },
  });
  console.log(machineLine());
  if (!args.train) {
    const modelDir = args.model ?? STARTER_DIR;
    const scores = await scoreCheckSets(modelDir);
    printScores(`model: ${modelDir} · load ${loadAverages()}`, scores);
    const missed = scores.find((s) => s.name === args.misses);
    if (args.misses && !missed) throw new Error(`--misses: no check set "${args.misses}" (${Object.keys(CHECK_SETS).join(', ')})`);
    if (missed) printMisses(missed);
  } else {
    const share = args['no-starter'] ? null : Number(args['starter-share'] ?? DEFAULT_STARTER_SHARE);
    const tmp = args.keep ? null : await mkdtemp(join(tmpdir(), 'aisle-general-'));
    const dir = args.keep ? resolve(args.keep) : join(tmp!, 'trained');
    try {
      const { cpuSeconds, heldOut } = await trainLikeAisle(
        args.train,
        dir,
        share,
        share === null ? 0 : Number(args.teach ?? DEFAULT_TEACHER_WEIGHT),
        {
          teacherAgreeing: args['teach-agreeing'] ?? false,
          fineColumn: args['fine-column'],
        },
      );
      console.log(`training: ${cpuSeconds.toFixed(1)} CPU s · load ${loadAverages()}`);
      const baseline = args.model ?? STARTER_DIR;
      const models = [
        ['baseline', baseline],
        ['trained', dir],
      ];
      const metrics = JSON.parse(await readFile(join(dir, 'metrics.json'), 'utf8'));
      const gate = metrics.starterGate;
      if (gate) {
        const v = gate.validation;
        console.log(
          `starter gate: cosine ${gate.cosine}, weight ${gate.weight}${v ? ` (chosen on ${v.rows} user validation rows: far ${v.far.join(', ')}; turned wrong ${v.flipped.join(', ')} at ${v.cosines.join(', ')})` : ''}`,
        );
      }
      if (args['gate-cosine'] !== undefined) {
        if (!gate) throw new Error('--gate-cosine: the trained model keeps no starter gate');
        const cosine = Number(args['gate-cosine']);
        const gateDir = `${dir}-gate-${cosine}`;
        await cp(dir, gateDir, { recursive: true });
        await writeFile(join(gateDir, 'metrics.json'), JSON.stringify({ ...metrics, starterGate: { ...gate, cosine } }));
        models.push([`gate ${cosine}`, gateDir]);
      }
      const scores: CheckSetScore[][] = [];
      for (const [label, modelDir] of models) {
        scores.push(await scoreCheckSets(modelDir));
        printScores(`${label}: ${modelDir}`, scores.at(-1)!);
      }
      const taxonomy = loadTaxonomy();
      for (const [label, modelDir] of models) {
        const encoder = await OnnxEncoder.load(modelDir, { taxonomy });
        const report = await evaluate(encoder, heldOut, taxonomy);
        await encoder.close();
        const [l1, l2] = report.levels;
        console.log(
          `${label.padEnd(9)} on ${args.train}'s ${heldOut.length} held-out rows: L1 accuracy ${pct(l1.accuracy)}  L2 macro-F1 ${pct(l2.macroF1)}  coverage ${pct(report.coverage.coverage)} at ${pct(report.coverage.accuracy)}`,
        );
      }
      for (const [m, [label]] of models.entries()) {
        if (m === 0) continue;
        console.log(`\nL1 accuracy on the check sets, ${label} − baseline:`);
        scores[m].forEach((a, i) => {
          const delta = a.report.levels[0].accuracy - scores[0][i].report.levels[0].accuracy;
          console.log(`  ${a.name.padEnd(13)} ${delta >= 0 ? '+' : ''}${(100 * delta).toFixed(2)} points`);
        });
      }
      console.log(`peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB · load ${loadAverages()}`);
    } finally {
      if (tmp) await rm(tmp, { recursive: true, force: true });
    }
  }
}
