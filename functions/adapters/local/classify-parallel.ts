/**
 * `aisle classify` on every core for runs of the tiers that run in-process (cache, rules, the local encoder):
 * the input is cut into slices at record boundaries, worker threads parse and classify the slices (each with
 * its own one-thread ONNX session of the encoder's model; with the encoder the main thread classifies slices too,
 * in place of one worker), and the main thread hands the results back in input order (classify-file.ts writes them, stores what must be stored, writes the cache and checkpoints). The
 * output is what one thread writes, reject line numbers included; with the encoder, an item whose key repeats
 * may be decided again by the encoder where one thread found the earlier decision in the cache (same class).
 * A slice may end inside a record where quoting is broken (record-slices.ts): from there the caller reads on.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { Worker } from 'node:worker_threads';
import type { Cascade } from '../../core/cascade.ts';
import type { CsvBatch } from '../../core/csv.ts';
import { RulesTier } from '../../core/rules.ts';
import type { Decision } from '../../core/types.ts';
import type { Cache } from '../../ports.ts';
import { type ChunkContext, type ChunkResult, classifyChunk, classifyRowChunk, type RowSource } from './classify-chunk.ts';
import { type PackedRows, RowPacker, unpackRows } from './classify-rows.ts';
import type { RecordSlices } from './record-slices.ts';
import type { LocalRuntime } from './runtime.ts';

/** What a worker is started with (workerData). */
export interface WorkerSetup extends Pick<ChunkContext, 'header' | 'jobId' | 'batchSize' | 'storeAll' | 'csvRaw' | 'maxRecordBytes'> {
  /** Rows read on the main thread (classify-rows.ts): their columns and the output's delimiter; null: byte slices. */
  rows: RowSource | null;
  taxonomyPath: string;
  /** null: the run has no rules tier. */
  rulesPath: string | null;
  /** The encoder's model folder (ChampionEncoder.location); null: the run has no encoder tier. */
  encoderModel: string | null;
  /** Keys the cache holds for this taxonomy version; null: the run has no cache tier. */
  cachedKeys: Set<string> | null;
  /** The runtime's versionsOutside (runtime.ts): cached decisions of retired versions are misses in workers too. */
  versionsOutside: [string, string][];
}

/** A chunk of the input: a byte slice of a CSV file, or rows the main thread read (classify-rows.ts). */
export type ChunkPayload = { kind: 'chunk'; bytes: Uint8Array } | { kind: 'rows'; packed: PackedRows };

export type ToWorker = (ChunkPayload & { chunk: number }) | { kind: 'cache-hits'; id: number; hits: Map<string, Decision> };

export type ToMain =
  | { kind: 'ready'; versions: string }
  /** `cached`: the decisions the slice's cascade put in the cache (the encoder's), for the main thread to write. */
  | { kind: 'chunk-done'; chunk: number; result: ChunkResult; cached: Decision[] }
  | { kind: 'cache-get'; id: number; keys: string[]; taxonomyVersion: string }
  | { kind: 'failed'; message: string };

/**
 * Whether the run's tiers can go to workers: the rules, and the encoder when it is the local champion (no
 * connection to share) and small enough to load once per worker (workerFitsModel).
 */
export function runsInWorkers(rt: LocalRuntime): boolean {
  return rt.tiers.every((t) => {
    if (t instanceof RulesTier) return true;
    const model = t.name === 'encoder' ? rt.encoderModel() : undefined;
    return model !== undefined && workerFitsModel(model.location);
  });
}

/** Largest model.onnx each worker loads a session of: the project's own models (~8 MB), not a DeBERTa export. */
export const WORKER_MODEL_BYTES = 64 << 20;

/** Whether a model folder's graph is small enough for a session per worker (a bigger one runs on one thread). */
export function workerFitsModel(location: string): boolean {
  try {
    return statSync(join(location, 'model.onnx')).size <= WORKER_MODEL_BYTES;
  } catch {
    return false;
  }
}

/** The versions a worker must have loaded: the taxonomy's, the rules' and the encoder model's ('-' for a tier the run has not). */
export function versionsOf(taxonomyVersion: string, rulesVersion: string | undefined, encoderVersion: string | undefined): string {
  return `${taxonomyVersion} ${rulesVersion ?? '-'} ${encoderVersion ?? '-'}`;
}

/** The input as the workers take it, chunk by chunk; `end`: where the chunk ends in the (decompressed) data, for checkpoints; `read`: bytes of the file read, for progress. */
interface ChunkSource {
  /** `last`: known to be the input's last chunk. */
  next(): Promise<{ payload: ChunkPayload; transfer: ArrayBuffer[]; end: number; read: number; last: boolean; bytes?: Uint8Array } | 'cut' | null>;
  close(): void;
}

/** Where the workers' chunks come from: byte slices of a UTF-8 CSV (record-slices.ts), or rows read on the main thread. */
export type ParallelInput =
  | {
      kind: 'slices';
      /** The input's bytes up to the end of the header record. */
      header: Buffer;
      slices: RecordSlices;
      /** Each slice's bytes are kept for deliver (a copy goes to the worker): rejects numbered by record, not line. */
      keepBytes?: boolean;
    }
  | {
      kind: 'rows';
      source: RowSource;
      /** The reader's batches, the first of them (columns known) already taken. */
      batches: AsyncIterator<CsvBatch>;
      /** Records before the first batch (skipped on a resume). */
      base: number;
      /** Field characters per chunk. */
      chunkChars: number;
    };

export interface ParallelRun extends Omit<WorkerSetup, 'header' | 'rows' | 'cachedKeys' | 'versionsOutside' | 'encoderModel'> {
  /** The run's cache (a RunCache): it answers the workers' lookups and takes the decisions they put. */
  cache: Cache;
  input: ParallelInput;
  /** Threads that classify: worker threads, and this one when `here` is given. */
  workers: number;
  /**
   * This thread's cascade (over the run's cache), when this thread classifies chunks too, as one of `workers`:
   * with the encoder a worker's isolate and ONNX session cost ~100 MB at the run's peak, while this thread
   * mostly waited for them (docs/benchmarks.md, "The full cascade"). null: worker threads alone.
   */
  here: Cascade | null;
  /** The worker's script: a bundle of classify-worker.ts (a worker thread does not inherit tsx). */
  workerScript(): Promise<string>;
  /** Takes each chunk's result, in input order; the next one waits until it resolves. */
  deliver(result: ChunkResult, chunk: { end: number; read: number; bytes?: Uint8Array }): Promise<void>;
}

function chunksOf(input: ParallelInput): ChunkSource {
  if (input.kind === 'rows') return rowChunks(input);
  const { slices, keepBytes } = input;
  return {
    next: async () => {
      const slice = await slices.next();
      if (!slice) return null;
      if (slice.cutInRecord) return 'cut';
      const sent = keepBytes ? new Uint8Array(slice.bytes) : slice.bytes;
      return {
        payload: { kind: 'chunk', bytes: sent },
        transfer: [sent.buffer as ArrayBuffer],
        end: slice.end,
        read: slice.fileBytesRead,
        last: slice.last,
        ...(keepBytes && { bytes: slice.bytes }),
      };
    },
    close: () => slices.close(),
  };
}

/** Batches gathered into chunks of about chunkChars field characters. */
function rowChunks(input: Extract<ParallelInput, { kind: 'rows' }>): ChunkSource {
  const packer = new RowPacker(input.base);
  let done = false;
  return {
    next: async () => {
      let last: CsvBatch | undefined;
      while (!done && packer.chars < input.chunkChars) {
        const next = await input.batches.next();
        if (next.done) done = true;
        else packer.add((last = next.value));
      }
      if (!last) return null;
      const { packed, transfer } = packer.take(last.recordsRead);
      return { payload: { kind: 'rows', packed }, transfer, end: last.bytesRead, read: last.bytesRead, last: done };
    },
    close: () => void input.batches.return?.(),
  };
}

/**
 * Chunks sent but not yet delivered, per thread, before a thread that asks for more waits: results wait for
 * delivery in input order, and a thread that is slower on a chunk (this one, which also delivers) would
 * otherwise let the others' results pile up (1,000,000 rows with the encoder: ~70 MB of them at times).
 */
const MAX_AHEAD = 3;

/**
 * How much (percent) a V8 heap's old generation may grow past what its last full GC left live before the next
 * one. Left to V8, the factor follows the allocation rate up to 4×: with the encoder, whichever thread allocated
 * fastest held 110–140 MB of old space for ~30 MB live, and the run's peak RSS moved with it (docs/benchmarks.md,
 * "The full cascade: the heaps' growth bounded"). V8's flags are the process's: set here, it holds for this
 * thread and the workers it starts.
 */
const HEAP_GROWING_PERCENT = 40;

/**
 * Classifies run.input, delivering chunks in order. Resolves true when the whole input was delivered, false
 * when it stopped before a byte slice that may not end on a record boundary (the caller reads on from there).
 * Longer than most: one closure over the dispatch state (slices sent, results waiting, the delivery in
 * progress) that every worker event reads and changes.
 */
export async function classifyInParallel(rt: LocalRuntime, run: ParallelRun): Promise<boolean> {
  // Opened first, so that whatever fails from here on closes it.
  const chunks = chunksOf(run.input);
  const workers: Worker[] = [];
  try {
    const script = await run.workerScript();
    const rulesTier = rt.tiers.find((t): t is RulesTier => t instanceof RulesTier);
    const encoder = rt.tiers.some((t) => t.name === 'encoder') ? rt.encoderModel() : undefined;
    if (encoder) setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
    const expectedVersions = versionsOf(rt.taxonomy.version, rulesTier?.version, encoder?.version);
    const setup: WorkerSetup = {
      taxonomyPath: run.taxonomyPath,
      rulesPath: run.rulesPath,
      header: run.input.kind === 'slices' ? run.input.header : Buffer.alloc(0),
      rows: run.input.kind === 'rows' ? run.input.source : null,
      jobId: run.jobId,
      batchSize: run.batchSize,
      storeAll: run.storeAll,
      csvRaw: run.csvRaw,
      maxRecordBytes: run.maxRecordBytes,
      encoderModel: encoder?.location ?? null,
      cachedKeys: rt.useCache ? await rt.db.keysFor(rt.tenant, rt.taxonomy.version) : null,
      versionsOutside: [...rt.versionsOutside],
    };
    const here: ChunkContext | null = run.here && { ...setup, cascade: run.here, taxonomy: rt.taxonomy };
    // The workers run the model: this thread's session would only hold memory (it opens again if the rest of the file is read here).
    if (encoder && !here) await rt.releaseEncoder();
    return await new Promise<boolean>((resolve, reject) => {
      const sent: { end: number; read: number; last: boolean; bytes?: Uint8Array }[] = [];
      const results = new Map<number, ChunkResult>();
      let delivered = 0;
      let delivering = false;
      let exhausted = false;
      // The slices stopped at a record too long to gather (RecordSlice.cutInRecord): this thread reads on from there.
      let cut = false;
      let settled = false;
      const fail = (err: Error) => {
        if (!settled) reject(err);
        settled = true;
      };
      const finish = (complete: boolean) => {
        if (!settled) resolve(complete);
        settled = true;
      };
      // One read at a time (chunks are numbered in input order); reading is asynchronous for rows.
      let reading = Promise.resolve();
      type Take = (payload: ChunkPayload, chunk: number, transfer: ArrayBuffer[]) => void;
      /** Threads that wait for the next chunk until delivery catches up (MAX_AHEAD). */
      const held: Take[] = [];
      /** Sends the next chunk to a thread that classifies (`take`). */
      const feed = (take: Take) => {
        reading = reading
          .then(async () => {
            if (exhausted || settled) return;
            if (sent.length - delivered >= MAX_AHEAD * run.workers) return void held.push(take);
            const next = await chunks.next();
            if (!next || next === 'cut') {
              exhausted = true;
              cut = next === 'cut';
              return void deliverReady();
            }
            const chunk = sent.length;
            sent.push({ end: next.end, read: next.read, last: next.last, bytes: next.bytes });
            take(next.payload, chunk, next.transfer);
          })
          .catch(fail);
      };
      // Deliveries run one at a time, in order; a worker's result waits in `results` until its turn.
      const deliverReady = async () => {
        if (delivering) return;
        delivering = true;
        try {
          while (!settled && results.has(delivered)) {
            const result = results.get(delivered)!;
            results.delete(delivered);
            if (result.endsInMalformedRecord && !sent[delivered].last) return finish(false);
            await run.deliver(result, sent[delivered]);
            sent[delivered].bytes = undefined;
            delivered++;
            for (const take of held.splice(0)) feed(take);
          }
          if (exhausted && delivered === sent.length) finish(!cut);
        } catch (err) {
          fail(err as Error);
        } finally {
          delivering = false;
        }
      };
      if (here) {
        // One chunk at a time: this thread takes the next once it is done with one (and first, while the workers load).
        const classifyHere = (payload: ChunkPayload, chunk: number) => {
          const classified =
            payload.kind === 'rows'
              ? classifyRowChunk(here, setup.rows!, unpackRows(payload.packed), payload.packed.text.length)
              : classifyChunk(here, payload.bytes);
          classified.then((result) => {
            results.set(chunk, result);
            feed(classifyHere);
            void deliverReady();
          }, fail);
        };
        feed(classifyHere);
      }
      for (let i = here ? 1 : 0; i < run.workers; i++) {
        const worker = new Worker(script, { workerData: setup });
        workers.push(worker);
        const toWorker = (payload: ChunkPayload, chunk: number, transfer: ArrayBuffer[]) =>
          worker.postMessage({ ...payload, chunk } satisfies ToWorker, transfer);
        worker.on('error', fail);
        worker.on('exit', (code) => {
          if (code !== 0) fail(new Error(`a classify worker stopped (exit code ${code})`));
        });
        worker.on('message', (message: ToMain) => {
          switch (message.kind) {
            case 'ready':
              if (message.versions !== expectedVersions) {
                return fail(
                  new Error(
                    `a classify worker loaded ${message.versions}, not ${expectedVersions}: were the taxonomy, rules or model changed just now?`,
                  ),
                );
              }
              // Two slices in flight per worker: the next is there when one is done.
              feed(toWorker);
              feed(toWorker);
              break;
            case 'chunk-done':
              // Cached as it arrives, not in input order: the worker's next lookups ask for these keys.
              if (message.cached.length) run.cache.putMany(message.cached).catch(fail);
              results.set(message.chunk, message.result);
              feed(toWorker);
              void deliverReady();
              break;
            case 'cache-get':
              run.cache
                .getMany(message.keys, message.taxonomyVersion)
                .then((hits) => worker.postMessage({ kind: 'cache-hits', id: message.id, hits } satisfies ToWorker), fail);
              break;
            case 'failed':
              fail(new Error(`a classify worker failed: ${message.message}`));
              break;
          }
        });
      }
    });
  } finally {
    chunks.close();
    await Promise.all(workers.map((w) => w.terminate()));
  }
}
