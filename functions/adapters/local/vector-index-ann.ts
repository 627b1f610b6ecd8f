/**
 * The approximate half of the local index: an HNSW graph over a tenant's slots (usearch, Apache-2.0, prebuilt
 * binaries in its npm package), holding the index's one in-memory copy of the vectors (int8). It chooses
 * candidates, which the caller rescores exactly from the vectors file and filters, falling back to an exact scan
 * when too few pass (vector-index.ts).
 */
import { Worker } from 'node:worker_threads';
import usearch from 'usearch';
import { UnavailableError } from '../../core/errors.ts';
import { graphFileProblem } from './vector-index-graph-file.ts';

/** Candidates fetched per wanted result when a filter may drop some (at least). */
const OVER_FETCH = 4;

/**
 * HNSW parameters: links per node (M), candidates kept while inserting and while searching; and the candidates
 * rescored exactly per wanted result (the graph's int8 query reorders near ties).
 */
export interface GraphOptions {
  connectivity: number;
  expansionAdd: number;
  expansionSearch: number;
  rescore: number;
}

/**
 * Chosen with `bench/similar.ts` (recall@10 against the exact scan, query and build CPU; docs/similar.md "Scale"):
 * ef_add 64 builds 100k catalog names in half the CPU of 128 for recall 0.9955 against 0.9995; ef_search 40 finds
 * on catalog names what 96 does for 60 % of the CPU, but 0.82 of the top 10 on random vectors (the unit test's hard
 * case) against ≥ 0.95, so 96 stays.
 */
export const DEFAULT_GRAPH: GraphOptions = { connectivity: 16, expansionAdd: 64, expansionSearch: 96, rescore: 4 };

const emptyIndex = (dimensions: number, o: GraphOptions) =>
  new usearch.Index({
    dimensions,
    metric: usearch.MetricKind.Cos,
    quantization: usearch.ScalarKind.I8,
    connectivity: o.connectivity,
    expansion_add: o.expansionAdd,
    expansion_search: o.expansionSearch,
    multi: false,
  });

/** Vectors added per call: usearch spreads one call's vectors over every core. */
const BATCH = 8192;

/**
 * What the index asks of a graph, wherever it lives: this thread's AnnGraph, or one in the graph thread
 * (GraphThread). Changes are applied in the order they are made, before any later search.
 */
export interface Graph {
  /** Settles when applied (a graph thread's: the caller posts no more than it has added). */
  set(slots: ArrayLike<number>, bytes: Int8Array, scale: number): void | Promise<void>;
  remove(slot: number): void;
  candidates(vector: Float32Array, k: number, filtered: boolean): number[] | Promise<number[]>;
  save(file: string): void | Promise<void>;
}

export class AnnGraph implements Graph {
  private constructor(
    private readonly index: InstanceType<typeof usearch.Index>,
    private readonly rescore: number,
  ) {}

  static empty(dimensions: number, o: GraphOptions): AnnGraph {
    return new AnnGraph(emptyIndex(dimensions, o), o.rescore);
  }

  /** A graph written by save(): a restarted process answers without building it again. Refuses a file that is not one. */
  static load(dimensions: number, file: string, o: GraphOptions): AnnGraph {
    const problem = graphFileProblem(file, dimensions);
    if (problem) throw new Error(`${file}: ${problem}`);
    const index = emptyIndex(dimensions, o);
    index.load(file);
    return new AnnGraph(index, o.rescore);
  }

  save(file: string) {
    this.index.save(file);
  }

  /**
   * Adds (or replaces) the vectors of `slots`, int8 (× `scale` for 1.0) one after the other in `bytes`, a batch
   * per call: usearch takes unit floats, so a batch is one float buffer.
   */
  set(slots: ArrayLike<number>, bytes: Int8Array, scale: number) {
    const dims = this.index.dimensions();
    const keys = BigUint64Array.from(Array.from(slots), BigInt);
    // An upserted key's slot is replaced: usearch keeps one vector per key.
    const present = this.index.size() ? (this.index.contains(keys) as boolean[]) : [];
    const replaced = keys.filter((_, i) => present[i]);
    if (replaced.length) this.index.remove(replaced);
    for (let from = 0; from < slots.length; from += BATCH) {
      const n = Math.min(BATCH, slots.length - from);
      const vectors = new Float32Array(n * dims);
      for (let i = 0; i < n * dims; i++) vectors[i] = bytes[from * dims + i] / scale;
      // One vector on the calling thread; a batch on every core.
      this.index.add(keys.subarray(from, from + n), vectors, n === 1 ? 1 : 0);
    }
  }

  remove(slot: number) {
    this.index.remove(BigInt(slot));
  }

  /**
   * The graph's nearest slots to `vector`, `rescore` per wanted one (OVER_FETCH at least when a filter may drop
   * some): the caller rescores them exactly and filters them.
   */
  candidates(vector: Float32Array, k: number, filtered: boolean): number[] {
    return Array.from(this.index.search(vector, k * (filtered ? Math.max(OVER_FETCH, this.rescore) : this.rescore), 1).keys, Number);
  }
}

/** A message to the graph thread (vector-index-graph-worker.ts): `call` numbers a request that wants a reply. */
export type GraphMessage = { graph: number; call?: number } & (
  | { op: 'empty'; dimensions: number; options: GraphOptions }
  | { op: 'load'; dimensions: number; options: GraphOptions; file: string }
  | { op: 'set'; slots: Uint32Array; bytes: Int8Array; scale: number }
  | { op: 'remove'; slot: number }
  | { op: 'candidates'; vector: Float32Array; k: number; filtered: boolean }
  | { op: 'save'; file: string }
);

export type GraphReply = { call: number } & ({ keys: number[] } | { done: true } | { error: string });

/** A call the graph thread did not answer: it died (the cause named), was given up on, or closed. The API answers 503. */
export class GraphThreadError extends UnavailableError {
  constructor(message: string) {
    super("the similar index's graph thread", message);
    this.name = 'GraphThreadError';
  }
}

/** Deaths in a row, with no answer between them, after which the thread is not started again (one dying on start). */
export const MAX_RESTARTS = 3;

/**
 * A thread of its own holding the graphs (usearch's searches and inserts), so that HTTP, the texts' vectors and the
 * exact rescoring on the serving thread run beside them on another core. A graph's changes and searches are
 * messages, read in the order they are posted: a search sees every change made before it. usearch's index object
 * cannot be shared between threads, so every graph of the process lives here (`aisle serve`).
 *
 * When the thread dies (an uncaught error, a crash or out of memory in usearch's native code) the calls it had not
 * answered fail with the cause, a new thread is started at once, and each graph's owner is told (`lost`): it opens
 * its graph again in the new thread. After MAX_RESTARTS deaths with no answer between them every call fails.
 */
export class GraphThread {
  private worker!: Worker;
  private graphs = 0;
  private calls = 0;
  private readonly pending = new Map<number, { resolve: (reply: GraphReply) => void; reject: (err: Error) => void }>();
  /** The running thread's graphs, each with what its owner does when the thread dies with it. */
  private readonly owners = new Map<number, () => void>();
  /** Deaths since the thread last answered. */
  private deaths = 0;
  /** Why every call fails: the thread was given up on, or closed. */
  private failed: GraphThreadError | null = null;

  /** `script`: a bundle of vector-index-graph-worker.ts (a worker thread does not inherit tsx). */
  constructor(
    private readonly script: string,
    private readonly say: (message: string) => void = (m) => process.stderr.write(`aisle: ${m}\n`),
  ) {
    this.start();
  }

  private start() {
    const worker = new Worker(this.script);
    this.worker = worker;
    // Only a call under way keeps the process alive (ref'd while one is pending).
    worker.unref();
    let uncaught: Error | null = null;
    worker.on('message', (reply: GraphReply) => {
      this.deaths = 0;
      const call = this.pending.get(reply.call);
      this.pending.delete(reply.call);
      if (!this.pending.size) worker.unref();
      if (call && 'error' in reply) call.reject(new Error(reply.error));
      else call?.resolve(reply);
    });
    // An uncaught error in the thread comes before its exit: the exit names it.
    worker.on('error', (err) => {
      uncaught = err;
    });
    worker.on('exit', (code) => {
      if (worker === this.worker && !this.failed) this.died(uncaught ? `${uncaught.name}: ${uncaught.message}` : `exit code ${code}`);
    });
  }

  private died(cause: string) {
    const lost = [...this.owners.values()];
    this.owners.clear();
    this.rejectPending(new GraphThreadError(`the thread died (${cause}) before answering`));
    if (++this.deaths > MAX_RESTARTS) {
      this.failed = new GraphThreadError(`the thread died ${this.deaths} times in a row (last: ${cause}); restart aisle serve`);
      this.say(
        `the similar index's graph thread died ${this.deaths} times in a row (last: ${cause}): not started again, similar products are unavailable`,
      );
    } else {
      this.say(`the similar index's graph thread died (${cause}): started again (${this.deaths} of ${MAX_RESTARTS} restarts), its graphs reopened`);
      this.start();
    }
    for (const reopen of lost) reopen();
  }

  /** Throws why the graphs cannot answer (the readiness check of `aisle serve`). */
  async check(): Promise<void> {
    if (this.failed) throw this.failed;
  }

  /**
   * A graph in the thread: empty, or loaded from a file save() wrote (rejected when usearch refuses it); settles once
   * the thread has it. `lost` is called if the thread dies, the graph with it.
   */
  async graph(dimensions: number, options: GraphOptions, file: string | undefined, lost: () => void): Promise<Graph> {
    const graph = ++this.graphs;
    this.owners.set(graph, lost);
    try {
      await this.call(file ? { graph, op: 'load', dimensions, options, file } : { graph, op: 'empty', dimensions, options });
    } catch (err) {
      this.owners.delete(graph);
      throw err;
    }
    return {
      set: (slots, bytes, scale) => {
        // Copies of the caller's arrays (a chunk's view of a reused buffer), handed over whole.
        const copy = { slots: Uint32Array.from(slots), bytes: bytes.slice() };
        return this.call({ graph, op: 'set', ...copy, scale }, [copy.slots.buffer, copy.bytes.buffer]).then(() => {});
      },
      remove: (slot) => this.post({ graph, op: 'remove', slot }),
      candidates: async (vector, k, filtered) => ((await this.call({ graph, op: 'candidates', vector, k, filtered })) as { keys: number[] }).keys,
      save: async (file) => void (await this.call({ graph, op: 'save', file })),
    };
  }

  async close(): Promise<void> {
    this.failed = new GraphThreadError('the thread is closed');
    this.rejectPending(this.failed);
    await this.worker.terminate();
  }

  private rejectPending(err: Error) {
    for (const call of this.pending.values()) call.reject(err);
    this.pending.clear();
  }

  /** A change that wants no reply. Dropped for a graph lost with a thread: its owner applies it again on reopening. */
  private post(message: GraphMessage) {
    if (this.owners.has(message.graph)) this.worker.postMessage(message);
  }

  private call(message: GraphMessage, transfer: ArrayBuffer[] = []): Promise<GraphReply> {
    if (this.failed) return Promise.reject(this.failed);
    if (!this.owners.has(message.graph)) return Promise.reject(new GraphThreadError('the graph was lost with the thread that held it'));
    const call = ++this.calls;
    if (!this.pending.size) this.worker.ref();
    return new Promise((resolve, reject) => {
      this.pending.set(call, { resolve, reject });
      this.worker.postMessage({ ...message, call }, transfer);
    });
  }
}
