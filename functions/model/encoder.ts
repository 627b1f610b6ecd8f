/**
 * Serves a model version folder (artifact contract, docs/models.md) in-process with onnxruntime-node:
 * tokenize → batch → logits → softmax at the calibration temperature → top-k, with per-class thresholds from
 * metrics.json. The same code serves the project's own model and a Hugging Face sequence-classification
 * export (DeBERTa-v3): any tokenizer.json the tokenizer library reads, and an optional `token_type_ids`
 * input, fed zeros when the graph declares it.
 */

import { readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { basename, join, resolve } from 'node:path';
import * as ort from 'onnxruntime-node';
import {
  CONFIDENCE_SIGNALS,
  type ConfidenceModel,
  LINEAR_CONFIDENCE_SIGNALS,
  readsLinear,
  type ScoreEvidence,
  sliceEvidence,
} from '../core/confidence.ts';
import { normalizeText } from '../core/normalize.ts';
import { loadTaxonomy, type Taxonomy } from '../core/taxonomy.ts';
import type { Candidate } from '../core/types.ts';
import type { ClassScores, Encoder, RuleCalibration } from '../ports.ts';
import { emptyEvidence, gatherEvidence, unknownTokenIds } from './confidence.ts';
import { LinearModel } from './linear-model.ts';
import type { ModelMetrics } from './model-metrics.ts';
import { NeighbourIndex } from './neighbours.ts';
import { TextTokenizer } from './tokenizer.ts';

export interface OnnxEncoderOptions {
  /** Intra-op threads; default: the machine's cores. */
  threads?: number;
  /** Texts per ONNX run. Default 1024. */
  batchSize?: number;
  /** Resolves labels.json labels to class ids when the file lists no classIds. Default: models/taxonomy.json. */
  taxonomy?: Taxonomy;
  /** ONNX Runtime execution provider. 'cuda' fails to load where the CUDA provider is missing (never a silent CPU fallback). Default 'cpu'. */
  device?: EncoderDevice;
}

export type EncoderDevice = 'cpu' | 'cuda';

export class ModelLoadError extends Error {}

type MetricsFile = Partial<
  Pick<
    ModelMetrics,
    'temperature' | 'calibration' | 'thresholds' | 'pooledThreshold' | 'rules' | 'neighbours' | 'linear' | 'confidence' | 'starterGate'
  >
>;

/** The starter kept beside a trained model (metrics.json `starterGate`) and the trained class each of its logits maps to. */
interface StarterGate {
  encoder: OnnxEncoder;
  /** Starter class index per trained class (-1: the starter has no such class). */
  map: Int32Array;
  config: NonNullable<ModelMetrics['starterGate']>;
}

/** Probabilities per text, with the evidence the learned confidence reads when the model has one. */
interface Scored {
  probabilities: Float32Array;
  evidence?: ScoreEvidence;
}

/** Threshold used for classes metrics.json names no threshold for. */
const FALLBACK_THRESHOLD = 0.9;

export class OnnxEncoder implements Encoder {
  private readonly tokenTypeIds: boolean;
  private readonly outputName: string;
  /** The session; null once released (release()) until a run opens it again. */
  private session: Promise<ort.InferenceSession> | null;
  /** ONNX runs in flight: the session is not released under them. */
  private runs = 0;

  private constructor(
    readonly modelVersion: string,
    /** Class ids in the order of the model's logits. */
    readonly classIds: string[],
    readonly temperature: number,
    private readonly thresholds: Map<string, number>,
    private readonly defaultThreshold: number,
    readonly tokenizer: TextTokenizer,
    session: ort.InferenceSession,
    /** Opens the session again after release(). */
    private readonly openAgain: () => Promise<ort.InferenceSession>,
    private readonly batchSize: number,
    private readonly maxLength: number,
    /** From metrics.json `rules`, when the model was trained with the rules tier measured. */
    readonly ruleCalibration?: RuleCalibration,
    /** The nearest labelled names blended into the probabilities, when the model folder has them (metrics.json `neighbours`). */
    private readonly neighbours?: NeighbourIndex,
    /** The learned confidence (confidence.json), when the model folder has one. */
    private readonly confidence?: ConfidenceModel,
    /** The linear classifier blended into the bag's probabilities before the vote, when the model folder has one (metrics.json `linear`). */
    private readonly linear?: { model: LinearModel; weight: number },
    /** The starter's view on names far from every user training name, when the model folder keeps the starter. */
    private readonly gate?: StarterGate,
  ) {
    this.session = Promise.resolve(session);
    this.tokenTypeIds = session.inputNames.includes('token_type_ids');
    this.outputName = session.outputNames.includes('logits') ? 'logits' : session.outputNames[0];
  }

  static async load(dir: string, opts: OnnxEncoderOptions = {}): Promise<OnnxEncoder> {
    const root = resolve(dir);
    const readJson = <T>(name: string, required: boolean) => readModelJson<T>(root, name, required);
    const labels = (await readJson<{ labels?: string[]; classIds?: string[] }>('labels.json', true))!;
    const metrics = (await readJson<MetricsFile>('metrics.json', false)) ?? {};
    const card = await readJson<{ version?: string }>('card.json', false);

    let classIds = labels.classIds;
    if (!Array.isArray(classIds)) {
      if (!Array.isArray(labels.labels)) throw new ModelLoadError(`model ${root}: labels.json lists neither classIds nor labels`);
      const taxonomy = opts.taxonomy ?? loadTaxonomy();
      classIds = labels.labels.map((label) => {
        const cls = taxonomy.resolve(label);
        if (!cls) throw new ModelLoadError(`model ${root}: label "${label}" is not in taxonomy ${taxonomy.version}`);
        return cls.id;
      });
    }

    const tokenizer = await TextTokenizer.load(root).catch((err: Error) => {
      throw new ModelLoadError(`model ${root}: ${err.message}`);
    });
    const session = await openSession(root, opts.threads, opts.device ?? 'cpu');
    for (const name of ['input_ids', 'attention_mask']) {
      if (!session.inputNames.includes(name))
        throw new ModelLoadError(`model ${root}: model.onnx has no input "${name}" (inputs: ${session.inputNames.join(', ')})`);
    }
    const { neighbours: neighboursMeta, linear: linearMeta } = metrics;
    const neighbours = neighboursMeta
      ? await loadClassFile(root, neighboursMeta.file, classIds.length, (b) => NeighbourIndex.fromBuffer(b, neighboursMeta.config), 'votes over')
      : undefined;
    const linear = linearMeta
      ? {
          model: await loadClassFile(root, linearMeta.file, classIds.length, (b) => LinearModel.fromBuffer(b, linearMeta.temperature), 'scores'),
          weight: linearMeta.weight,
        }
      : undefined;
    // Only the file metrics.json names: a promoted champion's folder may keep an earlier model's (handlers/retrain.ts).
    const confidence = metrics.confidence ? await readJson<ConfidenceModel>(metrics.confidence.file, true) : undefined;
    // The twelve signals, or (a model with linear.bin) the twelve and the linear classifier's.
    const readable = linear ? [CONFIDENCE_SIGNALS, [...CONFIDENCE_SIGNALS, ...LINEAR_CONFIDENCE_SIGNALS]] : [CONFIDENCE_SIGNALS];
    if (confidence && !readable.some((list) => confidence.weights?.length === list.length + 1 && confidence.signals?.join() === list.join()))
      throw new ModelLoadError(
        `model ${root}: ${metrics.confidence?.file} reads other signals than ${readable.map((list) => list.join(', ')).join(' or ')}`,
      );
    const gateConfig = metrics.starterGate;
    if (gateConfig && !neighbours) throw new ModelLoadError(`model ${root}: metrics.json starterGate needs the neighbour index`);
    const starter = gateConfig && (await OnnxEncoder.load(join(root, gateConfig.dir), { ...opts, taxonomy: opts.taxonomy }));
    const gate = starter && { encoder: starter, map: Int32Array.from(classIds, (c) => starter.classIds.indexOf(c)), config: gateConfig };
    const thresholds = new Map(Object.entries(metrics.thresholds ?? {}));
    const temperature = metrics.temperature ?? metrics.calibration?.temperature ?? 1;
    if (!(temperature > 0)) throw new ModelLoadError(`model ${root}: metrics.json temperature must be positive`);
    const encoder = new OnnxEncoder(
      card?.version ?? basename(root),
      classIds,
      temperature,
      thresholds,
      metrics.pooledThreshold ?? FALLBACK_THRESHOLD,
      tokenizer,
      session,
      () => openSession(root, opts.threads, opts.device ?? 'cpu'),
      opts.batchSize ?? 1024,
      tokenizer.fast ? 64 : 128, // most tokens per text: the project's tokenizer, others
      metrics.rules,
      neighbours,
      confidence,
      linear,
      gate,
    );
    // One tiny run checks that the logits have one column per class.
    const probe = await encoder.run(encoder.feeds(['probe']));
    if (probe.dims[1] !== classIds.length) {
      throw new ModelLoadError(`model ${root}: model.onnx gives ${probe.dims[1]} logits per row but labels.json lists ${classIds.length} classes`);
    }
    return encoder;
  }

  threshold(classId: string): number {
    return this.thresholds.get(classId) ?? this.defaultThreshold;
  }

  /** Calls waiting for the run in flight to end; they then share the next run. */
  private waiting: { texts: string[]; evidence: boolean; resolve: (scored: Scored) => void; reject: (err: unknown) => void }[] = [];
  private running = false;

  /**
   * Calibrated probabilities per text ([texts, classes], row-major). Texts are normalized first.
   * Calls made while a run is in flight share the next run: one ONNX run of 16 texts costs about what one
   * of a single text does (~15 against ~290 µs of CPU per text on 2 cores), and an API server gets concurrent
   * single-item requests. A call made while none is in flight runs at once.
   */
  async probabilities(texts: string[]): Promise<Float32Array> {
    return (await this.scored(texts, false)).probabilities;
  }

  /** `evidence`: also what the learned confidence reads, when the model has one (~15 % more CPU in the cascade, measured). */
  private scored(texts: string[], evidence: boolean): Promise<Scored> {
    if (texts.length >= this.batchSize) return this.compute(texts, evidence);
    return new Promise((resolve, reject) => {
      this.waiting.push({ texts, evidence, resolve, reject });
      if (!this.running) void this.runWaiting();
    });
  }

  private async runWaiting(): Promise<void> {
    this.running = true;
    const C = this.classIds.length;
    while (this.waiting.length) {
      const calls = this.waiting;
      this.waiting = [];
      try {
        const { probabilities, evidence } = await this.compute(
          calls.length === 1 ? calls[0].texts : calls.flatMap((c) => c.texts),
          calls.some((c) => c.evidence),
        );
        let at = 0;
        for (const c of calls) {
          const to = at + c.texts.length;
          c.resolve({ probabilities: probabilities.subarray(at * C, to * C), evidence: evidence && sliceEvidence(evidence, at, to, C) });
          at = to;
        }
      } catch (err) {
        for (const c of calls) c.reject(err);
      }
    }
    this.running = false;
  }

  private async compute(texts: string[], withEvidence: boolean): Promise<Scored> {
    const C = this.classIds.length;
    const out = new Float32Array(texts.length * C);
    const evidence = this.confidence && withEvidence ? emptyEvidence(texts.length, C, readsLinear(this.confidence)) : undefined;
    if (evidence) this.unknownIds ??= unknownTokenIds(this.tokenizer);
    const normalized = texts.map((t) => normalizeText(t));
    // Similar lengths in one batch: less padding.
    const order = normalized.map((_, i) => i).sort((a, b) => normalized[a].length - normalized[b].length);
    const invT = 1 / this.temperature;
    const vote = new Float64Array(C);
    const batches: number[][] = [];
    for (let start = 0; start < order.length; start += this.batchSize) batches.push(order.slice(start, start + this.batchSize));
    // Pipelined: the next batch is tokenized on this thread while onnxruntime runs the current one.
    let running = batches.length ? this.run(this.feeds(batches[0].map((i) => normalized[i]))) : null;
    for (let b = 0; b < batches.length; b++) {
      const nextFeeds = b + 1 < batches.length ? this.feeds(batches[b + 1].map((i) => normalized[i])) : null;
      const logits = (await running!).data as Float32Array;
      running = nextFeeds ? this.run(nextFeeds) : null;
      const idx = batches[b];
      for (let r = 0; r < idx.length; r++) {
        const base = r * C;
        let max = -Infinity;
        for (let c = 0; c < C; c++) max = Math.max(max, logits[base + c] * invT);
        let sum = 0;
        const dst = idx[r] * C;
        for (let c = 0; c < C; c++) {
          const e = Math.exp(logits[base + c] * invT - max);
          out[dst + c] = e;
          sum += e;
        }
        for (let c = 0; c < C; c++) out[dst + c] /= sum;
        if (this.linear) {
          this.linear.model.blendInto(normalized[idx[r]], out.subarray(dst, dst + C), this.linear.weight, vote);
          // blendInto leaves the linear classifier's own probabilities in `vote`.
          evidence?.linear?.set(vote, dst);
        }
        if (evidence)
          gatherEvidence(evidence, idx[r], normalized[idx[r]], out.subarray(dst, dst + C), this.neighbours, this.tokenizer, this.unknownIds!, {
            vote,
            nearest: this.scratch.nearest,
          });
        else this.neighbours?.blendInto(normalized[idx[r]], out.subarray(dst, dst + C), vote);
      }
    }
    if (this.gate) await this.keepStarterView(normalized, out);
    return { probabilities: out, evidence };
  }

  /**
   * On names far from every user training name (nearest user name's cosine under the gate's, or none among the k
   * nearest), mixes the starter's probabilities in at the gate's weight: a user's catalog has taught the trained
   * model nothing about such names, and the starter's view of them is what training must not forget.
   */
  private async keepStarterView(normalized: string[], out: Float32Array): Promise<void> {
    const { encoder, map, config } = this.gate!;
    const index = this.neighbours!;
    const { k } = index.config;
    const docs = new Int32Array(k);
    const sims = new Float64Array(k);
    const far: number[] = [];
    normalized.forEach((text, i) => {
      if (index.nearestUserCosine(text, config.userNames, docs, sims) < config.cosine) far.push(i);
    });
    if (!far.length) return;
    const starter = await encoder.probabilities(far.map((i) => normalized[i]));
    const C = this.classIds.length;
    const S = encoder.classIds.length;
    far.forEach((i, j) => {
      for (let c = 0; c < C; c++) out[i * C + c] = (1 - config.weight) * out[i * C + c] + config.weight * (map[c] < 0 ? 0 : starter[j * S + map[c]]);
    });
  }

  /** Word pieces and [UNK] by token id (built on first use: only a model with a confidence reads it). */
  private unknownIds?: Uint8Array;
  private readonly scratch = { nearest: { cosine: 0, classIndex: -1 } };

  async scores(texts: string[]): Promise<ClassScores> {
    const { probabilities, evidence } = await this.scored(texts, true);
    const confidence = this.confidence && evidence ? { model: this.confidence, evidence } : undefined;
    return { classIds: this.classIds, probabilities, confidence };
  }

  async predict(texts: string[], topK = 3): Promise<Candidate[][]> {
    const C = this.classIds.length;
    const k = Math.max(1, Math.min(topK, C));
    const probs = await this.probabilities(texts);
    const result: Candidate[][] = new Array(texts.length);
    const picked = new Uint8Array(C);
    for (let i = 0; i < texts.length; i++) {
      const base = i * C;
      const top: Candidate[] = [];
      picked.fill(0);
      for (let j = 0; j < k; j++) {
        let best = -1;
        for (let c = 0; c < C; c++) if (!picked[c] && (best < 0 || probs[base + c] > probs[base + best])) best = c;
        picked[best] = 1;
        top.push({ classId: this.classIds[best], score: probs[base + best] });
      }
      result[i] = top;
    }
    return result;
  }

  private feeds(texts: string[]): Record<string, ort.Tensor> {
    const batch = this.tokenizer.encodeBatch(texts, this.maxLength);
    const dims = [batch.batch, batch.seq];
    const feeds: Record<string, ort.Tensor> = {
      input_ids: new ort.Tensor('int64', batch.inputIds, dims),
      attention_mask: new ort.Tensor('int64', batch.attentionMask, dims),
    };
    if (this.tokenTypeIds) feeds.token_type_ids = new ort.Tensor('int64', new BigInt64Array(batch.inputIds.length), dims);
    return feeds;
  }

  private async run(feeds: Record<string, ort.Tensor>): Promise<ort.Tensor> {
    this.runs++;
    try {
      this.session ??= this.openAgain();
      const result = await (await this.session).run(feeds, [this.outputName]);
      return result[this.outputName];
    } finally {
      this.runs--;
    }
  }

  /**
   * Releases the session's memory (~25 MB for the project's model) while no run is in flight, for a process
   * whose worker threads run their own sessions meanwhile (classify-parallel.ts); the next run opens it again.
   */
  async release(): Promise<void> {
    await this.gate?.encoder.release();
    const session = this.session;
    if (this.runs || !session) return;
    this.session = null;
    await (await session).release();
  }

  async close(): Promise<void> {
    const session = this.session;
    this.session = null;
    await (await session)?.release();
    await this.gate?.encoder.close();
  }
}

/** A JSON file of the model folder; undefined when it is optional and missing. */
async function readModelJson<T>(root: string, name: string, required: boolean): Promise<T | undefined> {
  const text = await readFile(join(root, name), 'utf8').catch((err: NodeJS.ErrnoException) => {
    if (!required && err.code === 'ENOENT') return undefined;
    throw new ModelLoadError(`model ${root}: cannot read ${name}: ${err.message}`);
  });
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as T;
  } catch (err) {
    throw new ModelLoadError(`model ${root}: ${name} is not valid JSON: ${(err as Error).message}`);
  }
}

/**
 * A file of per-class scores a model folder's metrics.json names (the neighbour index, the linear classifier), read and
 * checked against labels.json: `scores` says what it does over its classes, for the error.
 */
async function loadClassFile<T extends { classes: number }>(
  root: string,
  file: string,
  classes: number,
  parse: (bytes: Buffer) => T,
  scores: string,
): Promise<T> {
  const bytes = await readFile(join(root, file)).catch((err: Error) => {
    throw new ModelLoadError(`model ${root}: cannot read ${file}: ${err.message}`);
  });
  let loaded: T;
  try {
    loaded = parse(bytes);
  } catch (err) {
    throw new ModelLoadError(`model ${root}: ${file}: ${(err as Error).message}`);
  }
  if (loaded.classes !== classes)
    throw new ModelLoadError(`model ${root}: ${file} ${scores} ${loaded.classes} classes but labels.json lists ${classes}`);
  return loaded;
}

/** The ONNX Runtime session of model.onnx. */
async function openSession(root: string, threads: number | undefined, device: EncoderDevice): Promise<ort.InferenceSession> {
  try {
    return await ort.InferenceSession.create(join(root, 'model.onnx'), {
      executionProviders: [device],
      intraOpNumThreads: threads ?? availableParallelism(),
      interOpNumThreads: 1,
      graphOptimizationLevel: 'all',
      // Spinning worker threads burn the cores the tokenizer and other tiers need between runs (measured:
      // 3-6× fewer rows/s on a busy 2-core machine with spinning on).
      extra: { session: { intra_op: { allow_spinning: '0' } } },
    });
  } catch (err) {
    throw new ModelLoadError(`model ${root}: cannot load model.onnx on ${device}: ${(err as Error).message}`);
  }
}
