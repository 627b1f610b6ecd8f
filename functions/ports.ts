/**
 * The interfaces the core and the handlers need. Adapters implement them: functions/adapters/local (DuckDB,
 * folder, in-process) and functions/adapters/aws (DynamoDB, S3, SQS, SageMaker, Athena). Names say what a
 * port does, never which vendor serves it.
 */

import type { Readable } from 'node:stream';
import type { ApiKeyRecord } from './core/api-keys.ts';
import type { ConfidenceModel, ScoreEvidence } from './core/confidence.ts';
import type { ReadChoice } from './core/input/open.ts';
import type { ReadOptions } from './core/input/read-options.ts';
import type { Candidate, Decision, ProductInput } from './core/types.ts';

/**
 * A store of tenant data (jobs, items, labels, the review queue, the cache, insights): `forTenant(t)` is the view
 * of tenant t's data alone — nothing of another tenant is read, listed or overwritten through it. The store
 * itself is the view of DEFAULT_TENANT (core/api-keys.ts), where local single-user use (`aisle classify`,
 * `aisle serve --no-auth`) works. The API takes the view of its caller's tenant on every request.
 */
export interface TenantScoped<T> {
  forTenant(tenant: string): T;
}

/** Earlier decisions by key and taxonomy version. Human labels are never expired. A tenant's labels answer only its own lookups. */
export interface Cache extends TenantScoped<Cache> {
  getMany(keys: string[], taxonomyVersion: string): Promise<Map<string, Decision>>;
  putMany(decisions: Decision[]): Promise<void>;
}

/** A decision as stored, with the product it was made for. */
export interface ItemRecord {
  decision: Decision;
  input: ProductInput;
  /** Normalized text the tiers saw. */
  text: string;
  jobId?: string;
  /** Data row number in the job's input (1-based, header excluded), when it came from a file. */
  row?: number;
  /** ISO time of the decision. */
  at: string;
}

export interface Page<T> {
  items: T[];
  /** Opaque cursor for the next page; absent on the last page. */
  next?: string;
}

/** Where decisions live: the current decision per key, its history, human labels (gold) and the review queue. */
export interface ResultStore extends TenantScoped<ResultStore> {
  saveDecisions(records: ItemRecord[]): Promise<void>;
  /** The current decision for a key and every earlier one, newest first. */
  getItem(key: string): Promise<{ current: ItemRecord; history: ItemRecord[] } | null>;
  /** Stores a human label as gold: it overrides the cache and every tier from now on. */
  setHumanLabel(key: string, classId: string, labelledBy: string): Promise<ItemRecord | null>;
  /** Items whose current status is needs_review, oldest first. */
  listReview(opts: { limit: number; cursor?: string }): Promise<Page<ItemRecord>>;
  /** Labelled items for retraining: human labels (gold) and, when asked, LLM decisions. */
  exportLabelled(opts: { tiers: ('human' | 'llm')[] }): AsyncIterable<{ input: ProductInput; classId: string; tier: string }>;
}

/**
 * A job ends `done` (every valid row classified), `partial` (some chunks failed for good: their rows are counted
 * in `failed`, listed in `failedChunks`, and can be redriven) or `failed` (nothing usable came out).
 */
export type JobStatus = 'queued' | 'running' | 'finalizing' | 'done' | 'partial' | 'failed';

export interface JobRecord {
  id: string;
  status: JobStatus;
  /** Where the input came from (path or blob key) and where the result goes. */
  input: string;
  output?: string;
  rejects?: string;
  /** Rows read so far; the total once the input is fully read. */
  rowsIn: number;
  /** How much of the input file was read, in bytes (local jobs): progress while the row total is unknown. */
  inputRead?: { bytes: number; total: number };
  totalKnown: boolean;
  classified: number;
  rejected: number;
  /** Counts by tier and by status, for progress and the cost model. */
  tierCounts: Record<string, number>;
  needsReview: number;
  /** Rows of chunks that failed for good (queued jobs): rows in = classified + rejected + failed once the job ends. */
  failed?: number;
  /** Those chunks, each with why it failed. */
  failedChunks?: ChunkFailure[];
  createdAt: string;
  updatedAt: string;
  error?: string;
  /** How far a resumable run got: everything up to here is decided and written. */
  checkpoint?: JobCheckpoint;
}

export interface JobCheckpoint {
  /** Data records of the input consumed (classified + rejected). */
  records: number;
  /** Bytes of the output and rejects files that hold those records. */
  outputBytes: number;
  rejectsBytes: number;
  /** Where those records end in the input, and the CR/LF bytes after the header before that (runs in workers). */
  inputBytes?: number;
  inputLineBreaks?: number;
  /** The counts of those records (the job record's own counts may be further on: progress written since). */
  counts?: ChunkCounts;
  /**
   * Local runs: the decisions of the records after `from`, staged in the job's file (its first `bytes` bytes)
   * and stored when the run ends; the store holds those up to `from`. Absent: the store holds those up to `records`.
   */
  staged?: { from: number; bytes: number };
}

/** A new job's record: queued, nothing counted yet, unless `job` says otherwise. */
export function newJob(job: Pick<JobRecord, 'id' | 'input'> & Partial<JobRecord>): JobRecord {
  const now = new Date().toISOString();
  return {
    status: 'queued',
    rowsIn: 0,
    totalKnown: false,
    classified: 0,
    rejected: 0,
    tierCounts: {},
    needsReview: 0,
    createdAt: now,
    updatedAt: now,
    ...job,
  };
}

export interface JobStore extends TenantScoped<JobStore> {
  create(job: Pick<JobRecord, 'id' | 'input'> & Partial<JobRecord>): Promise<JobRecord>;
  get(id: string): Promise<JobRecord | null>;
  list(opts: { limit: number; cursor?: string }): Promise<Page<JobRecord>>;
  update(id: string, patch: JobPatch): Promise<JobRecord>;
}

/** What an update may change in a job. */
export type JobPatch = Partial<Omit<JobRecord, 'id' | 'createdAt'>>;

/** What one chunk of a job's rows added to its counts. */
export interface ChunkCounts {
  classified: number;
  rejected: number;
  needsReview: number;
  tierCounts: Record<string, number>;
}

/**
 * Counting a job's progress when chunks are processed by workers that may see a message twice (SQS delivers
 * at least once): a chunk id counts once, and a status move succeeds for exactly one caller.
 */
export interface JobProgress {
  /** Adds the chunk's counts unless this chunk id was counted before; returns the job after the call. */
  addChunk(jobId: string, chunkId: string, counts: ChunkCounts): Promise<{ applied: boolean; job: JobRecord }>;
  /** Sets status `to` only when the job is in status `from`; true for the one caller that moved it. */
  transition(jobId: string, from: JobStatus, to: JobStatus, patch?: Omit<JobPatch, 'status'>): Promise<boolean>;
  /**
   * The rows counted as classified in each count shard (the chunks whose ids start with `shard`), in chunk order:
   * what finalize needs to number a segment's rows without reading the earlier segments.
   */
  shardCounts(jobId: string): Promise<{ shard: string; classified: number }[]>;
}

/** A chunk of a queued job that failed for good (its message reached the dead-letter queue). */
export interface ChunkFailure {
  chunkId: string;
  rows: number;
  reason: string;
  at: string;
}

/**
 * The chunks of a queued job that failed for good. A chunk is counted once, as classified or as failed (never
 * both), so rows in = classified + rejected + failed holds however often messages are delivered.
 */
export interface FailedChunks {
  /** Keeps the latest error of a chunk that is still being retried, so that its failure can say why. */
  noteError(jobId: string, chunkId: string, reason: string): Promise<void>;
  /** Counts the chunk as failed unless it was counted before (as classified or as failed); returns the job after the call. */
  failChunk(jobId: string, failure: { chunkId: string; rows: number; reason?: string }): Promise<{ applied: boolean; job: JobRecord }>;
  /** Takes failed chunks back out of the failed count (a redrive sends them again); returns those that were failed. */
  reopenChunks(jobId: string, chunkIds: string[]): Promise<ChunkFailure[]>;
}

/** Objects by key: a folder locally, S3 on AWS. */
export interface BlobStore {
  put(key: string, body: string | Uint8Array | Readable, contentType?: string): Promise<void>;
  get(key: string): Promise<Readable | null>;
  exists(key: string): Promise<boolean>;
  list(prefix: string): Promise<string[]>;
  /** Writes `key` as the sources' bytes one after the other, without a caller holding them (S3: a multipart copy). */
  compose(key: string, sources: string[], contentType?: string): Promise<void>;
  /** The object's size and user metadata (S3's `x-amz-meta-*`, keys without the prefix; a folder's files have none); null when absent. */
  head(key: string): Promise<BlobHead | null>;
  /** Bytes [start, end) of an object: formats read by seeking (Parquet) never hold a big file whole. */
  getRange(key: string, start: number, end: number): Promise<Uint8Array>;
}

export interface BlobHead {
  size: number;
  metadata: Record<string, string>;
}

/** A producer's view of a queue; consumers are wired by the runtime (a Lambda event source, the LLM worker's poll). */
export interface Queue<T> {
  send(messages: T[]): Promise<void>;
}

/** Per-class acceptance thresholds on calibrated probabilities. */
export interface ClassThresholds {
  perClass: Record<string, number>;
  /** For classes without a threshold of their own. */
  pooled: number;
}

/**
 * How a model weighs the rules tier (metrics.json `rules`), measured when it was trained: each rule's
 * precision on the training rows (never the held-out ones), and thresholds calibrated on the validation slice.
 */
export interface RuleCalibration {
  /** Version of the rules file the rules were measured with. */
  rulesVersion: string;
  /** Per rule id: [decisions on the training rows, correct ones]. */
  hits: Record<string, [number, number]>;
  /** Precision of all rule decisions on the training rows: the prior of a rule with few decisions. */
  pooledPrecision: number;
  /** Exponent on a rule's precision odds when its class is weighed into the encoder's probabilities. */
  weight: number;
  /** For items a rule decided, on the probabilities with the rule weighed in. */
  ruled: ClassThresholds;
  /** For items no rule decided: those the encoder decides alone in a cascade with rules (harder than most). */
  unruled: ClassThresholds;
}

/** Class probabilities for texts, from a model version. */
export interface Encoder {
  readonly modelVersion: string;
  /** For each text, the classes best first with calibrated probabilities (top-k). */
  predict(texts: string[], topK?: number): Promise<Candidate[][]>;
  /**
   * Optional, for an in-process model: every class's probability, [texts × classes] row-major, in the order of
   * classIds. Reviewing the rules needs all of them; as arrays of candidates they cost a row's time in garbage.
   */
  scores?(texts: string[]): Promise<ClassScores>;
  /** Per-class acceptance threshold chosen at calibration. */
  threshold(classId: string): number;
  /** How the model weighs the rules tier's decisions, when it measured them (core/encoder-tier.ts). */
  readonly ruleCalibration?: RuleCalibration;
}

/** Probabilities of every class for a batch of texts (Encoder.scores). */
export interface ClassScores {
  classIds: readonly string[];
  probabilities: Float32Array;
  /** The model's learned confidence (confidence.json) and what it reads of each text; absent: per-class thresholds. */
  confidence?: { model: ConfidenceModel; evidence: ScoreEvidence };
}

/** One product for the LLM, with the encoder's candidates as hints. */
export interface LlmItem {
  text: string;
  name: string;
  hints: Candidate[];
}

/** The LLM's answer for one item: a class id from the taxonomy, or null when it could not answer. */
export interface LlmAnswer {
  classId: string | null;
  confidence: number;
  reason?: string;
  /** Set when no usable answer came back (off-taxonomy, missing, malformed, even after one corrective retry). */
  problem?: string;
  /** This item's share of the request's prompt + completion tokens, when the server reports them. */
  tokens?: number;
}

/**
 * An LLM that labels products. classify() throws LlmUnavailableError (core/llm-tier) for transport
 * failures — timeouts, refused connections, 5xx, out-of-memory — so the tier can retry, shrink batches or
 * open its breaker; answers it could not use come back per item with `problem` set.
 */
export interface Llm {
  readonly model: string;
  /** Where it runs, for messages ("ollama at http://127.0.0.1:11434"). */
  readonly where?: string;
  classify(items: LlmItem[]): Promise<LlmAnswer[]>;
  reachable(): Promise<boolean>;
  /** Like reachable(), with a sentence saying why not (server down, model not pulled). */
  probe?(): Promise<{ ok: boolean; message: string }>;
}

/** Named SQL queries over the results lake. */
export interface Insights extends TenantScoped<Insights> {
  list(): Promise<{ name: string; description: string }[]>;
  run(name: string, params: { jobId?: string }): Promise<Record<string, unknown>[]>;
}

export interface ModelVersionInfo {
  version: string;
  role: 'champion' | 'challenger' | 'retired';
  /** Contents of metrics.json. */
  metrics: Record<string, unknown>;
  createdAt: string;
  /** Where the version's artifact folder lives: a local path, or an S3 URI on AWS. */
  location?: string;
  /** True for the model shipped with the code (models/encoder/starter-*), the champion until one is promoted. */
  shipped?: boolean;
}

/** Model versions: the champion serves, challengers wait to beat it on the same held-out set. */
export interface ModelRegistry {
  list(): Promise<ModelVersionInfo[]>;
  champion(): Promise<ModelVersionInfo | null>;
  promote(version: string): Promise<void>;
}

/** A registry trainers write to: a new version is written at `locationFor` and recorded as a challenger. */
export interface WritableModelRegistry extends ModelRegistry {
  /** Where the artifact folder of a new version goes. */
  locationFor(version: string): string;
  /** Records a version already written at locationFor(version) as a challenger. */
  addChallenger(version: string): Promise<ModelVersionInfo>;
  /** Moves a challenger out of the running (the champion is retired only by promoting another version). */
  retire(version: string): Promise<void>;
}

/** API keys by id (see core/api-keys.ts for the key format and the hash check). */
export interface KeyStore {
  put(record: ApiKeyRecord): Promise<void>;
  get(id: string): Promise<ApiKeyRecord | null>;
  list(): Promise<ApiKeyRecord[]>;
  /** Marks a key revoked; false when no key has that id. */
  revoke(id: string, at: string): Promise<boolean>;
}

/** Where the client sends a CSV on AWS: a presigned S3 PUT to inbox/. */
export interface PresignedUpload {
  jobId: string;
  method: 'PUT';
  url: string;
  /** Headers the PUT must carry (e.g. Content-Type), as signed. */
  headers: Record<string, string>;
  expiresAt: string;
}

/** A job's output file: a stream to relay (local) or a URL to redirect to (a presigned S3 GET on AWS). */
/** A result or rejects CSV: streamed (csvRaw: its cells are as they went in, not neutralised) or a presigned URL. */
export type JobArtifact =
  | { kind: 'stream'; body: Readable; filename: string; contentType: string; csvRaw: boolean }
  | { kind: 'redirect'; url: string };

/**
 * CSV jobs as the API sees them. Locally the CSV comes in the request and is processed in-process
 * (`submit`); on AWS the client gets a presigned URL to inbox/ (`createUpload`) and the ingest handler takes
 * it from there. A flavour implements the one it supports.
 */
export interface JobsService extends TenantScoped<JobsService> {
  /**
   * `read`: the upload's encoding and columns, when the client names them (input/open.ts); a promise when they are
   * known only once the body is read (form fields after the file): its rejection refuses the upload, no job made.
   */
  submit?(upload: { filename: string; body: Readable; read?: ReadChoice | Promise<ReadChoice | undefined> }): Promise<JobRecord>;
  /** `options`: how to read the file and write its output; they travel with the upload (S3 object metadata). */
  createUpload?(filename: string, options?: ReadOptions): Promise<PresignedUpload>;
  get(id: string): Promise<JobRecord | null>;
  list(opts: { limit: number; cursor?: string }): Promise<Page<JobRecord>>;
  /** The result CSV or the rejects CSV of a finished job; null when there is none (yet). */
  artifact(id: string, which: 'result' | 'rejects'): Promise<JobArtifact | null>;
}

export interface TrainingRun {
  id: string;
  status: 'running' | 'succeeded' | 'failed';
  startedAt: string;
  finishedAt?: string;
  /** Where to look: a log file locally, a Step Functions execution ARN on AWS. */
  detail?: string;
  /** What the run is doing now (locally: the trainer's latest line, e.g. "epoch 3/8 loss 0.41"). */
  progress?: string;
  error?: string;
}

/** Starts retraining (export → train → evaluate → promote) in the background: `aisle train` locally, Step Functions on AWS. */
export interface Retrainer {
  start(): Promise<TrainingRun>;
  get(id: string): Promise<TrainingRun | null>;
}

/** An item's vector in a similarity index, with what a query filters and shows without another read. */
export interface VectorEntry {
  /** The item key (core/normalize.ts keyOf). */
  key: string;
  /** Unit length, the index's dimensions. */
  vector: Float32Array;
  /** The item's current class (null: none decided), filtered on by class id or any of its ancestors. */
  classId: string | null;
  /** The name it was classified by, to show. */
  name: string;
}

export interface VectorMatch {
  key: string;
  /** Cosine similarity, 1 = same direction. */
  score: number;
  classId: string | null;
  name: string;
  /** The item's vector, with `withVectors` where the index has it at hand. */
  vector?: Float32Array;
}

/**
 * A cosine as a VectorMatch reports it: within −1..1 (an int8-stored vector is a little off unit length, and a
 * service's float32 distance can step a hair past 0..2) and rounded to 4 decimals. Clamped after ranking: order kept.
 */
export function matchScore(cosine: number): number {
  return Math.round(Math.min(1, Math.max(-1, cosine)) * 1e4) / 1e4;
}

export interface VectorQuery {
  k: number;
  /** Only items of this class or below it ("food" matches "food.dairy-eggs"). */
  classId?: string;
  /** Keys left out of the answer (the item a query started from). */
  exclude?: string[];
  /**
   * Each match's vector too, where the index has it at hand (the local one read it to rescore the match): a match
   * without one is read with get().
   */
  withVectors?: boolean;
}

/**
 * Nearest items by cosine over item vectors (functions/similar/): a file on disk locally, Amazon S3 Vectors on AWS.
 * Upserting a key replaces its vector; `forTenant(t)` sees only tenant t's items.
 */
export interface SimilarityIndex extends TenantScoped<SimilarityIndex> {
  upsert(entries: VectorEntry[]): Promise<void>;
  remove(keys: string[]): Promise<void>;
  get(key: string): Promise<VectorEntry | null>;
  /** The k nearest to `vector`, best first, that pass the query's filters. */
  query(vector: Float32Array, query: VectorQuery): Promise<VectorMatch[]>;
  size(): Promise<number>;
}
