/**
 * The approximate half of the local index: an HNSW graph over a tenant's slots (usearch, Apache-2.0, prebuilt
 * binaries in its npm package), holding the index's one in-memory copy of the vectors (int8). It chooses
 * candidates, which the caller rescores exactly from the vectors file and filters, falling back to an exact scan
 * when too few pass (vector-index.ts).
 */
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

export class AnnGraph {
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
