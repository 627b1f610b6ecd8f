/**
 * Trains the project's own encoder and writes a model version folder following the artifact contract
 * (docs/models.md): model.onnx, tokenizer.json, labels.json, metrics.json, card.json.
 *
 * Steps: normalize texts → carve a stratified validation slice out of the rows (seeded) → build the WordPiece
 * tokenizer from the rest → train the embedding bag (bag.ts) → on the validation slice, fit the
 * unknown-word scale and the temperature (NLL), choose per-class thresholds for the target precision, score
 * the slice → when given the rules, measure them (rules-calibration.ts) → export ONNX and write the files.
 */
import { createHash } from 'node:crypto';
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { normalizeText } from '../core/normalize.ts';
import { seededRandom } from '../core/random.ts';
import type { RuleSet } from '../core/rules.ts';
import type { Taxonomy } from '../core/taxonomy.ts';
import { StaticEmbedder } from '../embeddings/static-embedder.ts';
import {
  averageModels,
  type BagConfig,
  type BagModel,
  bagForward,
  bagLogits,
  DEFAULT_BAG_CONFIG,
  foldLinearHead,
  groupLogits,
  headFlagsOf,
  trainBag,
} from './bag.ts';
import { exportBagOnnx, roundBagToHalf } from './bag-onnx.ts';
import { chooseThresholds, fitTemperature, meanNll, softmaxInto } from './calibration.ts';
import { CONFIDENCE_FILE, fitConfidenceOnSlice } from './confidence.ts';
import type { LabelledText } from './labelled-data.ts';
import { fitLinear } from './linear-fit.ts';
import { LINEAR_FILE, type LinearConfig } from './linear-model.ts';
import { type Prediction, scorePredictions } from './metrics.ts';
import type { ModelMetrics } from './model-metrics.ts';
import { fitNeighbours, NEIGHBOURS_FILE, type NeighbourConfig, type NeighbourIndex, type NeighbourMetrics } from './neighbours.ts';
import { ARTIFACT_FILES } from './registry.ts';
import { calibrateRules } from './rules-calibration.ts';
import { chooseGateCosine, STARTER_GATE_DIR, STARTER_GATE_WEIGHT } from './starter-gate.ts';
import { buildTokenizer, CONTINUATION_PREFIX, TextTokenizer, UNK_TOKEN } from './tokenizer.ts';

export const TRAINER = 'aisle-bag/1';

export interface TrainOptions {
  taxonomy: Taxonomy;
  outDir: string;
  /** Write the model folder (default true); false returns the trained model only, for experiments (bench/). */
  writeFiles?: boolean;
  /** Same seed, same rows → same model and metrics. Default 42. */
  seed?: number;
  /** Share of rows held out (per class) for calibration and thresholds. Default 0.1. */
  validationFraction?: number;
  /** Precision wanted from accepted predictions, per class. Default 0.97. */
  targetPrecision?: number;
  parentVersion?: string;
  /** Version recorded in card.json and served as modelVersion. Default: the folder name. */
  version?: string;
  bag?: Partial<BagConfig>;
  /**
   * The rules tier the model will serve behind: when given, each rule's precision is measured on the training
   * rows and the encoder's review of rule decisions is calibrated on the validation slice (metrics.json `rules`).
   */
  rules?: RuleSet;
  /**
   * Weigh the rows so that each top-level class (Food, Non-Food) carries the same total weight. Default true: a
   * catalog that is mostly groceries otherwise teaches that any word the model does not know means Food, and the
   * model's guesses on unseen merchandise lean Food.
   */
  balanceTopLevel?: boolean;
  /**
   * Blend the votes of the nearest labelled training names into the bag's probabilities (neighbours.ts): the
   * index ships as neighbours.bin, and k, power and the blend weight are chosen on the validation slice, before
   * the thresholds. Default false: the bag alone.
   */
  neighbours?: boolean | Partial<NeighbourConfig>;
  /**
   * Blend a sparse linear classifier over TF-IDF word and character n-grams into the bag's probabilities, before the
   * vote (linear-model.ts): it ships as linear.bin, trained on the classes (or the fine labels: config `fine`), its
   * temperature and blend weight chosen on the validation slice. Default false.
   */
  linear?: boolean | Partial<LinearConfig>;
  /**
   * The starter catalog's rows, weighted to carry their share (models/starter/train-starter.ts starterRowsBeside),
   * trained beside `rows` as a group of their own: the top-level balance weighs each group apart, so the user's
   * mix of classes (a grocery catalog is mostly Food) does not reweigh what the starter knows against itself, and
   * the starter's part of the loss stays the objective the starter model was trained on, scaled.
   */
  starterRows?: LabelledText[];
  /**
   * Soft-target rows from a teacher model (the shipped starter's answers, models/starter/train-starter.ts
   * teacherRows): they train the bag only — never held out for calibration, never counted by the tokenizer, never in
   * the neighbour index or the rules' measure, and none on a text of the validation slice — so that the
   * model learns the user's labels without unlearning what the teacher said about the same words.
   */
  teacherRows?: LabelledText[];
  /**
   * Keep the teacher's answers on a text only where its top class has the text's own level 1 (the user's label):
   * the teacher then carries what it knew of the words without pulling the user's foods toward Non-Food.
   */
  teacherAgreeing?: boolean;
  /**
   * The starter model's folder, kept in the trained model's `starter/` folder: names far from every user training
   * name (by the neighbour index) then mix the starter's probabilities in (encoder.ts keepStarterView), so what the
   * user's catalog never showed keeps the starter's reading. Needs `neighbours`. `cosine`, when not given, is chosen
   * on the validation slice (chooseGateCosine); `weight` defaults to STARTER_GATE_WEIGHT (docs/models.md "Training
   * never forgets").
   */
  starterGate?: { dir: string; cosine?: number; weight?: number };
  onProgress?: (msg: string) => void;
}

export class TrainError extends Error {}

/**
 * Long on purpose: the training recipe end to end, each step feeding the next (examples → validation slice →
 * tokenizer → ensemble → calibration → thresholds → metrics and model card), written out in one place.
 */
export async function trainEncoder(
  rows: LabelledText[],
  opts: TrainOptions,
): Promise<{ dir: string; metrics: ModelMetrics; model: BagModel; tokenizer: TextTokenizer; classIds: string[] }> {
  const started = performance.now();
  const { taxonomy } = opts;
  const seed = opts.seed ?? 42;
  const validationFraction = opts.validationFraction ?? 0.1;
  const targetPrecision = opts.targetPrecision ?? 0.97;
  const cfg: BagConfig = { ...DEFAULT_BAG_CONFIG, ...opts.bag };
  const progress = opts.onProgress ?? (() => {});
  const dir = resolve(opts.outDir);
  const version = opts.version ?? basename(dir);
  if (!(validationFraction > 0 && validationFraction < 0.5)) throw new TrainError('validationFraction must be between 0 and 0.5');
  const writeFiles = opts.writeFiles ?? true;
  // The static-feature branch is measured in the bench only (issue 16): the ONNX graph and the encoder do not carry it.
  if (cfg.staticFeatures && writeFiles)
    throw new TrainError('staticFeatures is an experiment the exported model cannot carry: train with writeFiles false');

  const groups = [rows, opts.starterRows ?? []].map((group, g) => {
    const examples: LabelledText[] = [];
    for (const [i, row] of group.entries()) {
      const where = `${g ? 'starter ' : ''}row ${i + 1}`;
      if (!taxonomy.get(row.classId)) throw new TrainError(`${where}: class "${row.classId}" is not in taxonomy ${taxonomy.version}`);
      const text = normalizeText(row.text ?? '');
      if (!(row.weight === undefined || row.weight > 0)) throw new TrainError(`${where}: weight ${row.weight} is not positive`);
      if (text) examples.push({ text, classId: row.classId, weight: row.weight, fine: row.fine || undefined });
    }
    return examples;
  });
  const examples = groups.flat();
  const order = new Map(taxonomy.classes.map((c, i) => [c.id, i]));
  const classIds = [...new Set(examples.map((e) => e.classId))].sort((a, b) => order.get(a)! - order.get(b)!);
  if (classIds.length < 2) throw new TrainError(`training needs at least 2 classes with rows; got ${classIds.length}`);
  const classIndex = new Map(classIds.map((c, i) => [c, i]));
  progress(`${examples.length} rows, ${classIds.length} classes`);

  // The rows as given (the same data hashes the same whatever the trainer derives from it).
  const trainingDataHash = dataHash(examples);
  const balanced = opts.balanceTopLevel ?? true;
  if (balanced) for (const group of groups) balanceTopLevel(group, taxonomy);
  const isValidation = validationSlice(examples, seed, validationFraction);
  const trainSet = examples.filter((_, i) => !isValidation[i]);
  const validSet = examples.filter((_, i) => isValidation[i]);
  if (!validSet.length) throw new TrainError('too few rows to hold out a validation slice');

  const tokenizerJson = buildTokenizer(trainSet.map((e) => e.text));
  // The teacher's rows and the nonsense names train the bag only: not the neighbour index nor the rules' measure, whose labels are the user's.
  const bagSet = [...trainSet];
  const disagreeing = opts.teacherAgreeing ? teacherDisagreements(opts.teacherRows ?? [], groups[0], taxonomy) : new Set<string>();
  if (disagreeing.size) progress(`teacher: left out its answers on ${disagreeing.size} texts whose level 1 it reads otherwise`);
  // Nor on a validation text: the slice that fits the temperature and the thresholds must be unseen by the bag.
  const validTexts = new Set(validSet.map((e) => e.text));
  for (const row of opts.teacherRows ?? []) {
    const text = normalizeText(row.text);
    if (text && classIndex.has(row.classId) && !disagreeing.has(text) && !validTexts.has(text))
      bagSet.push({ text, classId: row.classId, weight: row.weight });
  }
  for (const text of randomLetterNames(Math.round(trainSet.length * NONSENSE_SHARE), seed))
    for (const classId of classIds) bagSet.push({ text, classId, weight: 1 / classIds.length });
  const tokenizer = TextTokenizer.fromJson(tokenizerJson);
  const tokens: string[] = [];
  for (const [token, id] of Object.entries(tokenizerJson.model.vocab)) tokens[id] = token;
  const unknownFlags = Float32Array.from(tokens, (t) => (t.startsWith(CONTINUATION_PREFIX) || t === UNK_TOKEN ? 1 : 0));
  const encode = (text: string) => Int32Array.from(tokenizer.encode(text).slice(0, cfg.maxTokens));
  progress(`tokenizer: ${tokens.length} tokens`);

  const embedder = cfg.staticFeatures ? StaticEmbedder.load() : null;
  const featuresOf = (set: LabelledText[]) => (embedder ? set.map((e) => embedder.embed(e.text).map((v) => v * cfg.staticFeatures)) : undefined);
  // With the source's finer categories (a retailer's aisles), the bag learns each (class, fine label) pair as a logit
  // of its own and sums their probabilities into the class (bag.ts groupLogits): a linear model separates an aisle
  // more easily than the union of a class's aisles. Rows without one (the starter's, the teacher's) are their class.
  const fineKey = (e: LabelledText) => (e.fine ? `${e.classId}\t${e.fine}` : e.classId);
  const fineKeys = trainSet.some((e) => e.fine) ? [...new Set(bagSet.map(fineKey))].sort() : [];
  const fineIndex = new Map(fineKeys.map((k, i) => [k, i]));
  const finePairs = fineKeys.filter((k) => k.includes('\t')).length;
  if (fineKeys.length)
    progress(`fine labels: ${fineKeys.length} logits, ${finePairs} of them (class, fine label) pairs, summed into ${classIds.length} classes`);
  const input = {
    features: featuresOf(bagSet),
    ids: bagSet.map((e) => encode(e.text)),
    labels: Int32Array.from(bagSet, (e) => (fineKeys.length ? fineIndex.get(fineKey(e))! : classIndex.get(e.classId)!)),
    weights: Float32Array.from(bagSet, (e) => e.weight ?? 1),
    classes: fineKeys.length || classIds.length,
    tokens,
    unknownFlags,
    headFlags: headFlagsOf(tokens),
  };
  const members = cfg.hidden ? 1 : Math.max(1, cfg.ensemble);
  const models: BagModel[] = [];
  for (let m = 0; m < members; m++) {
    const label = members > 1 ? `model ${m + 1}/${members} ` : '';
    const trained = trainBag(input, cfg, seed + m, (epoch, loss) => progress(`${label}epoch ${epoch}/${cfg.epochs} loss ${loss.toFixed(4)}`));
    // Folding a head over the fine labels would widen every table from dim to their count: keep the linear layer.
    models.push(fineKeys.length ? trained : foldLinearHead(trained));
  }
  const model = averageModels(models);
  if (fineKeys.length) model.groups = Int32Array.from(fineKeys, (k) => classIndex.get(k.split('\t')[0])!);

  // Exporting rounds the tables to float16: calibrate on the model exactly as it will be served.
  const validIds = validSet.map((e) => encode(e.text));
  const validLabels = Int32Array.from(validSet, (e) => classIndex.get(e.classId)!);
  const validFeatures = featuresOf(validSet);
  roundBagToHalf(model);
  const { scale, temperature, nllBefore, nllAfter } = calibrate(model, validIds, validLabels, validFeatures);
  model.oovScale = scale;
  progress(
    `calibration: temperature ${temperature.toFixed(3)}, unknown-word scale ${scale}, validation NLL ${nllBefore.toFixed(4)} → ${nllAfter.toFixed(4)}`,
  );

  const validProbs = validIds.map((seq, i) => softmaxInto(bagLogits(model, seq, validFeatures?.[i]), temperature, new Float64Array(classIds.length)));
  const linearFine = fineKeys.length > 0 && typeof opts.linear === 'object' && opts.linear.fine === true;
  const linear = opts.linear
    ? fitLinear(
        {
          texts: trainSet.map((e) => e.text),
          labels: Int32Array.from(trainSet, (e) => (linearFine ? fineIndex.get(fineKey(e))! : classIndex.get(e.classId)!)),
          groups: linearFine ? model.groups! : Int32Array.from(classIds, (_, c) => c),
        },
        { texts: validSet.map((e) => e.text), labels: validLabels, probs: validProbs },
        classIds.length,
        opts.linear === true ? {} : opts.linear,
        seed,
        progress,
      )
    : undefined;
  // The bag's own probabilities, before the vote is blended in: the learned confidence reads both.
  const validBag = validProbs.map((p) => p.slice());
  let index: NeighbourIndex | undefined;
  let neighbours: { bytes: Buffer; metrics: NeighbourMetrics } | undefined;
  if (opts.neighbours) {
    const fit = fitNeighbours(
      { texts: trainSet.map((e) => e.text), labels: Int32Array.from(trainSet, (e) => classIndex.get(e.classId)!) },
      { texts: validSet.map((e) => e.text), labels: validLabels, probs: validProbs },
      classIds.length,
      opts.neighbours === true ? {} : opts.neighbours,
    );
    index = fit.index;
    const bytes = fit.index.toBuffer();
    const { config, documents } = fit.index;
    neighbours = { bytes, metrics: { config, file: NEIGHBOURS_FILE, documents, bytes: bytes.length, validation: fit.validation } };
    progress(
      `neighbours: ${documents} names, ${(bytes.length / 1e6).toFixed(1)} MB, k ${config.k}, power ${config.power}, weight ${config.weight}: validation leaf macro-F1 ${fit.validation.bagMacroF1.toFixed(4)} → ${fit.validation.blendedMacroF1.toFixed(4)}`,
    );
  }
  const scored = validSet.map((e, i) => {
    const probs = validProbs[i];
    let best = 0;
    for (let c = 1; c < probs.length; c++) if (probs[c] > probs[best]) best = c;
    return { gold: e.classId, predicted: classIds[best], score: probs[best], correct: classIds[best] === e.classId };
  });
  const thresholds = chooseThresholds(scored, classIds, { targetPrecision });
  const raised = deferNonsense(
    thresholds.perClass,
    classIds,
    (text) => tokenizer.encode(text),
    (texts) => {
      const features = featuresOf(texts.map((text) => ({ text, classId: '' })));
      const scratch = new Float64Array(classIds.length);
      return texts.map((text, i) => {
        const probs = softmaxInto(bagLogits(model, encode(text), features?.[i]), temperature, new Float64Array(classIds.length));
        linear?.model.blendInto(text, probs, linear.metrics.weight, scratch);
        return probs;
      });
    },
    seed,
  );
  if (raised.length) progress(`thresholds raised above held-out nonsense: ${raised.join(', ')}`);
  const preds: Prediction[] = scored.map((s) => ({ ...s, accepted: s.score >= thresholds.perClass[s.predicted] }));
  const validation = scorePredictions(preds, taxonomy, version);
  const [l1, l2] = [validation.levels[0], validation.levels[Math.min(1, validation.levels.length - 1)]];

  const metrics: ModelMetrics = {
    modelVersion: version,
    taxonomyVersion: taxonomy.version,
    temperature,
    thresholds: thresholds.perClass,
    pooledThreshold: thresholds.pooled,
    targetPrecision,
    trainRows: trainSet.length,
    validationRows: validSet.length,
    summary: {
      level1Accuracy: l1.accuracy,
      level1MacroF1: l1.macroF1,
      level2Accuracy: l2.accuracy,
      level2MacroF1: l2.macroF1,
      coverage: validation.coverage.coverage,
      coveredAccuracy: validation.coverage.accuracy,
    },
    calibration: { temperature, unknownWordScale: scale, nllBefore, nllAfter },
    neighbours: neighbours?.metrics,
    linear: linear?.metrics,
    validation,
  };
  if (opts.rules) {
    metrics.rules = calibrateRules(
      opts.rules,
      trainSet,
      validSet.map((e, i) => ({ ...e, probs: validProbs[i] })),
      classIds,
      targetPrecision,
    );
    const measured = Object.values(metrics.rules.hits).reduce((n, [hits]) => n + hits, 0);
    progress(
      `rules ${metrics.rules.rulesVersion}: ${measured} decisions on training rows, precision ${metrics.rules.pooledPrecision.toFixed(4)}, weight ${metrics.rules.weight}`,
    );
  }
  // The learned confidence (issue 16): fitted where the vote is, on the slice's answers behind the rules.
  const confidence =
    index &&
    fitConfidenceOnSlice(
      { texts: validSet.map((e) => e.text), labels: validLabels, bag: validBag, linear: linear?.validProbs },
      index,
      tokenizer,
      opts.rules && metrics.rules && { ruleSet: opts.rules, calibration: metrics.rules },
      classIds,
      targetPrecision,
    );
  if (confidence) metrics.confidence = { file: CONFIDENCE_FILE };
  if (opts.starterGate && index) {
    const weight = opts.starterGate.weight ?? STARTER_GATE_WEIGHT;
    // The index holds the training names in order, the user's first: its documents below this count are theirs.
    let userNames = 0;
    for (let i = 0; i < groups[0].length; i++) if (!isValidation[i]) userNames++;
    const gate = { dir: STARTER_GATE_DIR, userNames, weight };
    if (opts.starterGate.cosine !== undefined) metrics.starterGate = { ...gate, cosine: opts.starterGate.cosine };
    else {
      // The slice's rows from the user's group come first in it (examples keep the groups' order); the starter's are not theirs.
      const userValid = groups[0].length - userNames;
      const chosen = await chooseGateCosine(
        { texts: validSet.slice(0, userValid).map((e) => e.text), probs: validProbs.slice(0, userValid), labels: validLabels.subarray(0, userValid) },
        { index, userNames, weight, starterDir: opts.starterGate.dir },
        classIds,
        taxonomy,
      );
      metrics.starterGate = { ...gate, cosine: chosen.cosine, validation: chosen.validation };
      progress(
        `starter gate: cosine ${chosen.cosine} (at ${chosen.validation.cosines.join(', ')}: user validation rows far ${chosen.validation.far.join(', ')}, turned wrong ${chosen.validation.flipped.join(', ')}, of ${userValid})`,
      );
    }
  }
  if (confidence)
    progress(
      `confidence: cut ${confidence.cut.toFixed(4)}, validation (cross-fitted) coverage ${confidence.validation.coverage.toFixed(3)} at accuracy ${confidence.validation.accuracy.toFixed(4)}`,
    );
  const labels = {
    taxonomyName: taxonomy.name,
    taxonomyVersion: taxonomy.version,
    // Full taxonomy labels ("Food > Beverages"), in the order of the model's logits; classIds parallel to them.
    labels: classIds.map((c) => taxonomy.get(c)!.label),
    classIds,
  };
  const card = {
    version,
    trainer: TRAINER,
    parentVersion: opts.parentVersion ?? null,
    createdAt: new Date().toISOString(),
    trainingDataHash,
    rows: examples.length,
    starterRows: groups[1].length,
    classes: classIds.length,
    fineLabels: fineKeys.length ? finePairs : undefined,
    seed,
    config: cfg,
    balanceTopLevel: balanced,
    trainSeconds: Math.round((performance.now() - started) / 100) / 10,
  };

  if (!writeFiles) return { dir, metrics, model, tokenizer, classIds };
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'model.onnx'), exportBagOnnx(model, `${TRAINER} ${version}`));
  await writeFile(join(dir, 'tokenizer.json'), JSON.stringify(tokenizerJson));
  if (neighbours) await writeFile(join(dir, NEIGHBOURS_FILE), neighbours.bytes);
  if (linear) await writeFile(join(dir, LINEAR_FILE), linear.bytes);
  if (confidence) await writeFile(join(dir, CONFIDENCE_FILE), JSON.stringify(confidence, null, 2) + '\n');
  if (metrics.starterGate) {
    await mkdir(join(dir, STARTER_GATE_DIR), { recursive: true });
    for (const f of ARTIFACT_FILES) await copyFile(join(opts.starterGate!.dir, f), join(dir, STARTER_GATE_DIR, f));
  }
  await writeFile(join(dir, 'labels.json'), JSON.stringify(labels, null, 2) + '\n');
  await writeFile(join(dir, 'metrics.json'), JSON.stringify(metrics, null, 2) + '\n');
  await writeFile(join(dir, 'card.json'), JSON.stringify(card, null, 2) + '\n');
  progress(
    `wrote ${dir}: validation level 1 accuracy ${l1.accuracy.toFixed(4)}, level 2 macro-F1 ${l2.macroF1.toFixed(4)}, coverage ${validation.coverage.coverage.toFixed(3)} at accuracy ${validation.coverage.accuracy.toFixed(4)}`,
  );
  return { dir, metrics, model, tokenizer, classIds };
}

/** Normalized texts on which the teacher's top class (its heaviest row) has another level 1 than the user's label of the text. */
function teacherDisagreements(teacher: LabelledText[], userRows: LabelledText[], taxonomy: Taxonomy): Set<string> {
  const top = new Map<string, LabelledText>();
  for (const row of teacher) {
    const text = normalizeText(row.text);
    const best = top.get(text);
    if (!best || (row.weight ?? 1) > (best.weight ?? 1)) top.set(text, row);
  }
  const out = new Set<string>();
  for (const row of userRows) {
    const answer = top.get(row.text);
    if (answer && levelOneOf(taxonomy, answer.classId) !== levelOneOf(taxonomy, row.classId)) out.add(row.text);
  }
  return out;
}

/**
 * Nonsense names trained toward the uniform distribution over the classes (outlier exposure, Hendrycks et al. 2019),
 * as many as this share of the training rows. Strings of random letters split into single-letter and short pieces,
 * whose rows otherwise learn whatever class uses such pieces most (model numbers and sizes: general merchandise),
 * so a random string was decided Non-Food, and the best guesses of deferred ones were Non-Food almost always. Trained
 * toward no class, such names get flat probabilities (deferred) and a best guess that leans to no class.
 */
const NONSENSE_SHARE = 0.03;

/** Nonsense names held out of training (another seed), scored to bound the thresholds from below. */
const NONSENSE_HELD_OUT = 3000;
/** The share of held-out nonsense a class's threshold may still accept (a quantile, not the maximum: see below). */
const NONSENSE_PASSING = 0.01;

/**
 * Raises a class's threshold to where at most NONSENSE_PASSING of the held-out nonsense names whose best class it is
 * would be accepted. A validation slice drawn from a clean catalog allows low cuts (the 0.5 floor), and a random
 * string then passed as general merchandise at 0.56–0.62 (issue 16 item 3: a name far from everything the model
 * knows is deferred). Names whose every word is a whole token are words, not nonsense ("hen"), and are left out; the
 * quantile, not the maximum, because a random string can still hold a real piece and score near 1 (the maximum
 * took two classes' thresholds to 1). Classes that are the best of fewer than 30 such names keep theirs. Returns the
 * classes raised, with their thresholds before and after.
 */
function deferNonsense(
  perClass: Record<string, number>,
  classIds: string[],
  encode: (text: string) => ArrayLike<number>,
  probabilitiesOf: (texts: string[]) => Float64Array[],
  seed: number,
): string[] {
  const names = randomLetterNames(NONSENSE_HELD_OUT, seed ^ 0x5a5a).filter((name) => name.split(' ').some((word) => encode(word).length > 1));
  const best: number[][] = classIds.map(() => []);
  for (const probs of probabilitiesOf(names)) {
    let top = 0;
    for (let c = 1; c < probs.length; c++) if (probs[c] > probs[top]) top = c;
    best[top].push(probs[top]);
  }
  const raised: string[] = [];
  classIds.forEach((classId, c) => {
    const scores = best[c].sort((a, b) => b - a);
    if (scores.length < 30) return;
    const cut = Math.round(scores[Math.floor(scores.length * NONSENSE_PASSING)] * 1e4 + 1) / 1e4;
    if (cut <= perClass[classId]) return;
    raised.push(`${classId} ${perClass[classId].toFixed(3)} → ${cut.toFixed(4)}`);
    perClass[classId] = Math.min(1, cut);
  });
  return raised;
}

/** Seeded names of one to five words of 2–9 random letters a–z. */
function randomLetterNames(count: number, seed: number): string[] {
  const random = seededRandom(seed ^ 0x0dd);
  const letters = (n: number) => Array.from({ length: n }, () => String.fromCharCode(97 + Math.floor(random() * 26))).join('');
  return Array.from({ length: count }, () =>
    Array.from({ length: 1 + Math.floor(random() * 5) }, () => letters(2 + Math.floor(random() * 8))).join(' '),
  );
}

/** A class's top-level (level 1) class id. */
const levelOneOf = (taxonomy: Taxonomy, classId: string) => taxonomy.lineage(classId)[0].id;

/** Scales the rows' weights so that every top-level class has the same total weight (their mean weight stays the same). */
function balanceTopLevel(examples: LabelledText[], taxonomy: Taxonomy): void {
  const totals = new Map<string, number>();
  let all = 0;
  for (const e of examples) {
    const root = levelOneOf(taxonomy, e.classId);
    totals.set(root, (totals.get(root) ?? 0) + (e.weight ?? 1));
    all += e.weight ?? 1;
  }
  if (totals.size < 2) return;
  for (const e of examples) e.weight = ((e.weight ?? 1) * all) / totals.size / totals.get(levelOneOf(taxonomy, e.classId))!;
}

/** Stratified, seeded validation slice (1 = validation): every class with 4 rows or more keeps rows on both sides. */
export function validationSlice(examples: LabelledText[], seed: number, validationFraction: number): Uint8Array {
  const random = seededRandom(seed ^ 0x5eed);
  const byClass = new Map<string, number[]>();
  examples.forEach((e, i) => byClass.set(e.classId, [...(byClass.get(e.classId) ?? []), i]));
  const isValidation = new Uint8Array(examples.length);
  for (const idx of byClass.values()) {
    for (let i = idx.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [idx[i], idx[j]] = [idx[j], idx[i]];
    }
    const take = idx.length >= 4 ? Math.max(1, Math.round(idx.length * validationFraction)) : 0;
    for (let k = 0; k < take; k++) isValidation[idx[k]] = 1;
  }
  return isValidation;
}

/** Fits the unknown-word scale (grid) and the temperature (NLL) on the validation slice. */
function calibrate(model: BagModel, ids: Int32Array[], labels: Int32Array, features?: Float32Array[]) {
  const raw = ids.map((seq, i) => {
    const out = new Float32Array(model.classes);
    return { out, share: bagForward(model, seq, out, features?.[i]) };
  });
  const scaled = (scale: number) =>
    raw.map(({ out, share }) => {
      const div = 1 + scale * share;
      return groupLogits(
        model.groups,
        out.map((v) => v / div),
      );
    });
  const nllBefore = meanNll(scaled(0), labels, 1);
  let best = { scale: 0, temperature: 1, nllAfter: Infinity };
  // A floor of 2: texts made mostly of unseen word pieces must never be as confident as known ones, even when
  // the validation slice (drawn from the same catalog) has few of them (at 1, "synthetic motor oil" was Food).
  for (const scale of [2, 4, 8]) {
    const logits = scaled(scale);
    const temperature = fitTemperature(logits, labels);
    const nll = meanNll(logits, labels, temperature);
    if (nll < best.nllAfter - 1e-9) best = { scale, temperature, nllAfter: nll };
  }
  return { ...best, nllBefore };
}

/** SHA-256 of the training rows (normalized text + class id, and the weight when not 1; sorted). */
function dataHash(examples: LabelledText[]): string {
  const lines = examples.map((e) => `${e.text}\t${e.classId}${e.weight === undefined || e.weight === 1 ? '' : `\t${e.weight}`}`).sort();
  const hash = createHash('sha256');
  for (const line of lines) hash.update(line + '\n');
  return `sha256:${hash.digest('hex')}`;
}
