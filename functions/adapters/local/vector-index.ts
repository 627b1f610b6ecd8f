/**
 * The local SimilarityIndex: one folder per tenant under $AISLE_HOME/vectors/, the vectors in memory as int8
 * (unit vectors × 127: a quarter of float32, cosine error < 1 %). Exact search while a tenant has fewer than
 * `annFrom` items (a scan costs ~1.5 ns per item and dimension: 10k items of 1,024 take ~15 ms); above it an HNSW graph (usearch, vector-index-ann.ts)
 * answers, built when first needed and kept up to date by upserts. Files: `items.jsonl` (key, class, name per
 * slot), `vectors.i8` (slot × dimensions) and `graph.usearch` (the graph, once built), rewritten by flush().
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_TENANT } from '../../core/api-keys.ts';
import type { SimilarityIndex, VectorEntry, VectorMatch, VectorQuery } from '../../ports.ts';
import { isClassOrBelow } from '../../similar/filters.ts';
import { AnnGraph, DEFAULT_GRAPH, type GraphOptions } from './vector-index-ann.ts';

export interface LocalVectorIndexOptions {
  dimensions: number;
  /** Items from which a tenant's queries go through the HNSW graph instead of a scan (default 10,000). */
  annFrom?: number;
  /** The HNSW graph's parameters (default DEFAULT_GRAPH). */
  graph?: Partial<GraphOptions>;
  /**
   * Makes an item's vector from its name: a folder written with other dimensions (an older vector layout) is then
   * re-embedded from the names it keeps, once, instead of refused. Given the folder's tenant: a tenant's vectors
   * can carry its own category model (functions/similar/tenant-categories.ts).
   */
  vectorize?: (name: string, tenant: string) => Float32Array;
}

interface Slot {
  key: string;
  classId: string | null;
  name: string;
}

const SCALE = 127;
const GRAPH_FILE = 'graph.usearch';

/** One tenant's vectors. */
class TenantVectors {
  slots: (Slot | null)[] = [];
  bySlotKey = new Map<string, number>();
  values: Int8Array;
  free: number[] = [];
  ann: AnnGraph | null = null;
  dirty = false;

  constructor(
    readonly dir: string,
    readonly dimensions: number,
    readonly graph: GraphOptions,
    vectorize?: (name: string) => Float32Array,
  ) {
    this.values = new Int8Array(1024 * dimensions);
    this.load(vectorize);
  }

  private load(vectorize?: (name: string) => Float32Array) {
    const items = join(this.dir, 'items.jsonl');
    if (!existsSync(items)) return;
    const bytes = readFileSync(join(this.dir, 'vectors.i8'));
    const lines = readFileSync(items, 'utf8').split('\n').filter(Boolean);
    const stored = lines.length ? bytes.byteLength / lines.length : this.dimensions;
    if (stored !== this.dimensions && !vectorize) {
      throw new Error(`${this.dir}: vectors of ${stored} dimensions, the index is made with ${this.dimensions}`);
    }
    this.grow(lines.length);
    if (stored === this.dimensions) this.values.set(new Int8Array(bytes.buffer, bytes.byteOffset, lines.length * this.dimensions));
    for (const line of lines) {
      const slot = JSON.parse(line) as Slot | null;
      if (slot) this.bySlotKey.set(slot.key, this.slots.length);
      else this.free.push(this.slots.length);
      this.slots.push(slot);
    }
    if (stored !== this.dimensions) {
      // Another layout's vectors: made again from the names, and its graph (over those vectors) dropped now.
      for (const slot of this.bySlotKey.values()) this.write(slot, vectorize!(this.slots[slot]!.name));
      rmSync(join(this.dir, GRAPH_FILE), { force: true });
      this.dirty = true;
    }
  }

  private grow(slots: number) {
    if (slots * this.dimensions <= this.values.length) return;
    const next = new Int8Array(Math.max(slots, (this.values.length / this.dimensions) * 2) * this.dimensions);
    next.set(this.values);
    this.values = next;
  }

  get size() {
    return this.bySlotKey.size;
  }

  upsert(entry: VectorEntry) {
    if (entry.vector.length !== this.dimensions) throw new Error(`vector of ${entry.vector.length} dimensions; the index has ${this.dimensions}`);
    let slot = this.bySlotKey.get(entry.key);
    if (slot === undefined) {
      slot = this.free.pop() ?? this.slots.length;
      if (slot === this.slots.length) this.slots.push(null);
      this.grow(slot + 1);
      this.bySlotKey.set(entry.key, slot);
    }
    this.slots[slot] = { key: entry.key, classId: entry.classId, name: entry.name };
    this.write(slot, entry.vector);
    this.ann?.set(slot, this.vectorAt(slot));
    this.dirty = true;
  }

  private write(slot: number, vector: Float32Array) {
    const at = slot * this.dimensions;
    for (let d = 0; d < this.dimensions; d++) this.values[at + d] = Math.round(vector[d] * SCALE);
  }

  remove(key: string) {
    const slot = this.bySlotKey.get(key);
    if (slot === undefined) return;
    this.bySlotKey.delete(key);
    this.slots[slot] = null;
    this.free.push(slot);
    this.ann?.remove(slot);
    this.dirty = true;
  }

  /** Every live slot. */
  *live(): Generator<number> {
    for (let slot = 0; slot < this.slots.length; slot++) if (this.slots[slot]) yield slot;
  }

  /** The graph, built or loaded when first needed. The saved one only while nothing changed since loading: it holds the saved items alone. */
  graphOf(): AnnGraph {
    if (this.ann) return this.ann;
    const file = join(this.dir, GRAPH_FILE);
    if (!this.dirty && existsSync(file)) this.ann = AnnGraph.load(this.dimensions, file, this.graph);
    else {
      this.ann = AnnGraph.build(this.dimensions, this.live(), this.values, SCALE, this.graph);
      this.dirty = true; // the next flush keeps the graph
    }
    return this.ann;
  }

  vectorAt(slot: number): Float32Array {
    const v = new Float32Array(this.dimensions);
    const at = slot * this.dimensions;
    for (let d = 0; d < this.dimensions; d++) v[d] = this.values[at + d] / SCALE;
    return v;
  }

  /** Every live slot (or the `among` ones) scored against `query` exactly, the best `k` that `keep` accepts. */
  scan(query: Float32Array, k: number, keep: (slot: number) => boolean, among?: number[]): [number, number][] {
    const q = new Float32Array(this.dimensions);
    for (let d = 0; d < this.dimensions; d++) q[d] = query[d] / SCALE;
    const best: [number, number][] = [];
    let floor = -Infinity;
    const values = this.values;
    const dims = this.dimensions;
    const count = among ? among.length : this.slots.length;
    for (let i = 0; i < count; i++) {
      const slot = among ? among[i] : i;
      if (!this.slots[slot]) continue;
      let s = 0;
      const at = slot * dims;
      for (let d = 0; d < dims; d++) s += q[d] * values[at + d];
      if (best.length >= k && s <= floor) continue;
      if (!keep(slot)) continue;
      insertSorted(best, [slot, s], k);
      if (best.length >= k) floor = best[best.length - 1][1];
    }
    return best;
  }

  flush() {
    if (!this.dirty) return;
    mkdirSync(this.dir, { recursive: true });
    // The graph goes with the items it was built over, or not at all (a stale one would answer for other slots).
    if (this.ann) this.ann.save(join(this.dir, GRAPH_FILE));
    else rmSync(join(this.dir, GRAPH_FILE), { force: true });
    const lines = this.slots.map((s) => JSON.stringify(s)).join('\n');
    writeFileSync(join(this.dir, 'vectors.i8.tmp'), this.values.subarray(0, this.slots.length * this.dimensions));
    writeFileSync(join(this.dir, 'items.jsonl.tmp'), `${lines}\n`);
    renameSync(join(this.dir, 'vectors.i8.tmp'), join(this.dir, 'vectors.i8'));
    renameSync(join(this.dir, 'items.jsonl.tmp'), join(this.dir, 'items.jsonl'));
    this.dirty = false;
  }
}

/** Keeps `list` sorted by score, best first, at most k long. */
function insertSorted(list: [number, number][], item: [number, number], k: number) {
  let i = list.length;
  while (i > 0 && list[i - 1][1] < item[1]) i--;
  list.splice(i, 0, item);
  if (list.length > k) list.pop();
}

/** Folder name of a tenant: its id in hex, so no id can name a path outside the index's root. */
const tenantFolder = (tenant: string) => Buffer.from(tenant, 'utf8').toString('hex');

export class LocalVectorIndex implements SimilarityIndex {
  private readonly tenants: Map<string, TenantVectors>;
  private readonly annFrom: number;
  private readonly graph: GraphOptions;

  constructor(
    readonly root: string,
    private readonly options: LocalVectorIndexOptions,
    private readonly tenant = DEFAULT_TENANT,
    shared?: Map<string, TenantVectors>,
  ) {
    this.tenants = shared ?? new Map();
    this.annFrom = options.annFrom ?? 10_000;
    this.graph = { ...DEFAULT_GRAPH, ...options.graph };
  }

  forTenant(tenant: string): LocalVectorIndex {
    return new LocalVectorIndex(this.root, this.options, tenant, this.tenants);
  }

  private own(): TenantVectors {
    let t = this.tenants.get(this.tenant);
    if (!t) {
      const vectorize = this.options.vectorize;
      const tenant = this.tenant;
      t = new TenantVectors(
        join(this.root, tenantFolder(tenant)),
        this.options.dimensions,
        this.graph,
        vectorize && ((name) => vectorize(name, tenant)),
      );
      this.tenants.set(this.tenant, t);
    }
    return t;
  }

  async upsert(entries: VectorEntry[]): Promise<void> {
    const t = this.own();
    for (const e of entries) t.upsert(e);
  }

  async remove(keys: string[]): Promise<void> {
    const t = this.own();
    for (const k of keys) t.remove(k);
  }

  async get(key: string): Promise<VectorEntry | null> {
    const t = this.own();
    const slot = t.bySlotKey.get(key);
    if (slot === undefined) return null;
    return { ...t.slots[slot]!, vector: t.vectorAt(slot) };
  }

  async size(): Promise<number> {
    return this.own().size;
  }

  async query(vector: Float32Array, query: VectorQuery): Promise<VectorMatch[]> {
    const t = this.own();
    const exclude = new Set(query.exclude ?? []);
    const keep = (slot: number) => {
      const s = t.slots[slot];
      return !!s && !exclude.has(s.key) && (!query.classId || isClassOrBelow(s.classId, query.classId));
    };
    let best: [number, number][];
    if (t.size < this.annFrom) best = t.scan(vector, query.k, keep);
    else {
      best = t.scan(vector, query.k, keep, t.graphOf().candidates(vector, query.k));
      // A rare class can be missing from the graph's neighbourhood of the query: then the scan answers exactly.
      if (best.length < Math.min(query.k, t.size)) best = t.scan(vector, query.k, keep);
    }
    return best.map(([slot, score]) => {
      const s = t.slots[slot]!;
      return { key: s.key, score: Math.round(score * 1e4) / 1e4, classId: s.classId, name: s.name };
    });
  }

  /** Writes every tenant's changes to disk. */
  async flush(): Promise<void> {
    for (const t of this.tenants.values()) t.flush();
  }
}
