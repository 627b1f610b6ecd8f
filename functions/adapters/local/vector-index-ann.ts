/**
 * The approximate half of the local index: an HNSW graph over a tenant's slots (usearch, Apache-2.0, prebuilt
 * binaries in its npm package), int8 inside as outside. Filters are applied to an over-fetched answer; the
 * caller rescores the candidates exactly (the graph's int8 distances only choose them) and falls back to an
 * exact scan when too few pass (vector-index.ts).
 */
import usearch from 'usearch';

/** Candidates fetched per wanted result when a filter may drop some. */
const OVER_FETCH = 4;

const emptyIndex = (dimensions: number) =>
  new usearch.Index({
    dimensions,
    metric: usearch.MetricKind.Cos,
    quantization: usearch.ScalarKind.I8,
    connectivity: 16,
    expansion_add: 128,
    expansion_search: 96,
    multi: false,
  });

export class AnnGraph {
  private constructor(private readonly index: InstanceType<typeof usearch.Index>) {}

  /** A graph of the given slots and their vectors (added in batches, on all cores). */
  static build(dimensions: number, live: Iterable<[number, Float32Array]>): AnnGraph {
    const index = emptyIndex(dimensions);
    const batch = 4096;
    let keys: bigint[] = [];
    let vectors = new Float32Array(batch * dimensions);
    for (const [slot, vector] of live) {
      vectors.set(vector, keys.length * dimensions);
      keys.push(BigInt(slot));
      if (keys.length === batch) {
        index.add(keys, vectors, 0);
        keys = [];
        vectors = new Float32Array(batch * dimensions);
      }
    }
    if (keys.length) index.add(keys, vectors.subarray(0, keys.length * dimensions), 0);
    return new AnnGraph(index);
  }

  /** A graph written by save(): a restarted process answers without building it again. */
  static load(dimensions: number, file: string): AnnGraph {
    const index = emptyIndex(dimensions);
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
