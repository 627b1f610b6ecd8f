/**
 * The interfaces the core and the handlers need. Adapters implement them: functions/adapters/local (DuckDB,
 * folder, in-process) and functions/adapters/aws (DynamoDB, S3, SQS, SageMaker, Athena). Names say what a
 * port does, never which vendor serves it.
 */
import type { Readable } from 'node:stream';
import type { Candidate, Decision, ProductInput } from './core/types.ts';

/** Earlier decisions by key and taxonomy version. Human labels are never expired. */
export interface Cache {
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
export interface ResultStore {
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

export type JobStatus = 'queued' | 'running' | 'finalizing' | 'done' | 'failed';

export interface JobRecord {
  id: string;
  status: JobStatus;
  /** Where the input came from (path or blob key) and where the result goes. */
  input: string;
  output?: string;
  rejects?: string;
  /** Rows read so far; the total once the input is fully read. */
  rowsIn: number;
  totalKnown: boolean;
  classified: number;
  rejected: number;
  /** Counts by tier and by status, for progress and the cost model. */
  tierCounts: Record<string, number>;
  needsReview: number;
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
}

export interface JobStore {
  create(job: Pick<JobRecord, 'id' | 'input'> & Partial<JobRecord>): Promise<JobRecord>;
  get(id: string): Promise<JobRecord | null>;
  list(opts: { limit: number; cursor?: string }): Promise<Page<JobRecord>>;
  update(id: string, patch: Partial<Omit<JobRecord, 'id' | 'createdAt'>>): Promise<JobRecord>;
}

/** Objects by key: a folder locally, S3 on AWS. */
export interface BlobStore {
  put(key: string, body: string | Uint8Array | Readable, contentType?: string): Promise<void>;
  get(key: string): Promise<Readable | null>;
  exists(key: string): Promise<boolean>;
  list(prefix: string): Promise<string[]>;
}

/** A producer's view of a queue; consumers are wired by the runtime (Lambda event source, in-process worker). */
export interface Queue<T> {
  send(messages: T[]): Promise<void>;
}

/** Class probabilities for texts, from a model version. */
export interface Encoder {
  readonly modelVersion: string;
  /** For each text, the classes best first with calibrated probabilities (top-k). */
  predict(texts: string[], topK?: number): Promise<Candidate[][]>;
  /** Per-class acceptance threshold chosen at calibration. */
  threshold(classId: string): number;
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
}

export interface Llm {
  readonly model: string;
  classify(items: LlmItem[]): Promise<LlmAnswer[]>;
  reachable(): Promise<boolean>;
}

/** Named SQL queries over the results lake. */
export interface Insights {
  list(): Promise<{ name: string; description: string }[]>;
  run(name: string, params: { jobId?: string }): Promise<Record<string, unknown>[]>;
}

export interface ModelVersionInfo {
  version: string;
  role: 'champion' | 'challenger' | 'retired';
  /** Contents of metrics.json. */
  metrics: Record<string, unknown>;
  createdAt: string;
}

/** Model versions: the champion serves, challengers wait to beat it on the same held-out set. */
export interface ModelRegistry {
  list(): Promise<ModelVersionInfo[]>;
  champion(): Promise<ModelVersionInfo | null>;
  promote(version: string): Promise<void>;
}
