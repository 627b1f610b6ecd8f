/**
 * The approximate half of the local index: an HNSW graph over a tenant's slots (usearch, Apache-2.0, prebuilt
 * binaries in its npm package), holding the index's one in-memory copy of the vectors (int8). It chooses
 * candidates, which the caller rescores exactly from the vectors file and filters, falling back to an exact scan
 * when too few pass (vector-index.ts).
 */
import { Worker } from 'node:worker_threads';
import usearch from 'usearch';

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

  /** A graph written by save(): a restarted process answers without building it again. */
  static load(dimensions: number, file: string, o: GraphOptions): AnnGraph {
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

/**
 * A thread of its own holding the graphs (usearch's searches and inserts), so that HTTP, the texts' vectors and the
 * exact rescoring on the serving thread run beside them on another core. A graph's changes and searches are
 * messages, read in the order they are posted: a search sees every change made before it. usearch's index object
 * cannot be shared between threads, so every graph of the process lives here (`aisle serve`).
 */
export class GraphThread {
  private readonly worker: Worker;
  private graphs = 0;
  private calls = 0;
  private readonly pending = new Map<number, { resolve: (reply: GraphReply) => void; reject: (err: Error) => void }>();
  private failed: Error | null = null;

  /** `script`: a bundle of vector-index-graph-worker.ts (a worker thread does not inherit tsx). */
  constructor(script: string) {
    this.worker = new Worker(script);
    // Only a search or a save under way keeps the process alive (ref'd while one is pending).
    this.worker.unref();
    this.worker.on('message', (reply: GraphReply) => {
      const call = this.pending.get(reply.call);
      this.pending.delete(reply.call);
      if (!this.pending.size) this.worker.unref();
      if (call && 'error' in reply) call.reject(new Error(reply.error));
      else call?.resolve(reply);
    });
    const fail = (err: Error) => {
      this.failed = err;
      for (const call of this.pending.values()) call.reject(err);
      this.pending.clear();
    };
    this.worker.on('error', fail);
    this.worker.on('exit', (code) => fail(new Error(`the vector graph's thread exited (code ${code})`)));
  }

  /** A graph in the thread: empty, or loaded from a file save() wrote. */
  graph(dimensions: number, options: GraphOptions, file?: string): Graph {
    const graph = ++this.graphs;
    this.post(file ? { graph, op: 'load', dimensions, options, file } : { graph, op: 'empty', dimensions, options });
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
    await this.worker.terminate();
  }

  private post(message: GraphMessage) {
    if (this.failed) throw this.failed;
    this.worker.postMessage(message);
  }

  private call(message: GraphMessage, transfer: ArrayBuffer[] = []): Promise<GraphReply> {
    if (this.failed) return Promise.reject(this.failed);
    const call = ++this.calls;
    if (!this.pending.size) this.worker.ref();
    return new Promise((resolve, reject) => {
      this.pending.set(call, { resolve, reject });
      this.worker.postMessage({ ...message, call }, transfer);
    });
  }
}
