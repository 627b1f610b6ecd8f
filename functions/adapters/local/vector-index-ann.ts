/**
 * The approximate half of the local index: an HNSW graph over a tenant's slots (usearch, Apache-2.0, prebuilt
 * binaries in its npm package), int8 inside as outside. Filters are applied to an over-fetched answer; the
 * caller rescores the candidates exactly (the graph's int8 distances only choose them) and falls back to an
 * exact scan when too few pass (vector-index.ts).
 */
import usearch from 'usearch';

/** Candidates fetched per wanted result when a filter may drop some. */
const OVER_FETCH = 4;

/** HNSW parameters: links per node (M), candidates kept while inserting and while searching. */
export interface GraphOptions {
  connectivity: number;
  expansionAdd: number;
  expansionSearch: number;
}

/**
 * Chosen with `bench/similar.ts` (recall@10 against the exact scan, query and build CPU; docs/similar.md "Scale"):
 * ef_add 64 builds 100k catalog names in half the CPU of 128 for recall 0.9955 against 0.9995; ef_search 40 finds
 * on catalog names what 96 does for 60 % of the CPU, but 0.82 of the top 10 on random vectors (the unit test's hard
 * case) against ≥ 0.95, so 96 stays.
 */
export const DEFAULT_GRAPH: GraphOptions = { connectivity: 16, expansionAdd: 64, expansionSearch: 96 };

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
  private constructor(private readonly index: InstanceType<typeof usearch.Index>) {}

  /**
   * A graph of the given slots, read from `values` (int8, `scale` for 1.0, `dimensions` per slot) a batch at a
   * time: usearch takes unit floats, so a batch is one float buffer, reused.
   */
  static build(dimensions: number, slots: Iterable<number>, values: Int8Array, scale: number, o: GraphOptions): AnnGraph {
    const index = emptyIndex(dimensions, o);
    const keys = new BigUint64Array(BATCH);
    const vectors = new Float32Array(BATCH * dimensions);
    let n = 0;
    const add = () => {
      index.add(keys.subarray(0, n), vectors.subarray(0, n * dimensions), 0);
      n = 0;
    };
    for (const slot of slots) {
      const at = slot * dimensions;
      for (let d = 0; d < dimensions; d++) vectors[n * dimensions + d] = values[at + d] / scale;
      keys[n++] = BigInt(slot);
      if (n === BATCH) add();
    }
    if (n) add();
    return new AnnGraph(index);
  }

  /** A graph written by save(): a restarted process answers without building it again. */
  static load(dimensions: number, file: string, o: GraphOptions): AnnGraph {
    const index = emptyIndex(dimensions, o);
    index.load(file);
    return new AnnGraph(index);
  }

  save(file: string) {
    this.index.save(file);
  }

  set(slot: number, vector: Float32Array) {
    const key = BigInt(slot);
    if (this.index.contains(key)) this.index.remove(key);
    this.index.add(key, vector, 1);
  }

  remove(slot: number) {
    this.index.remove(BigInt(slot));
  }

  /** The graph's nearest slots to `vector`, OVER_FETCH per wanted one: the caller rescores and filters them. */
  candidates(vector: Float32Array, k: number): number[] {
    const found = this.index.search(vector, k * OVER_FETCH, 1);
    return Array.from(found.keys, Number);
  }
}
