/**
 * The local SimilarityIndex: one folder per tenant under $AISLE_HOME/vectors/. One copy of the vectors in memory:
 * int8 (unit vectors × 127: a quarter of float32, cosine error < 1 %) inside the HNSW graph (usearch,
 * vector-index-ann.ts), which answers once a tenant has `annFrom` items. The vectors file is the rest's store:
 * read back by slot for `get` and for the exact scan that answers below `annFrom` (a scan costs ~1.5 ns per item
 * and dimension: 10k items of 640 take ~10 ms) and when a filter leaves the graph's answer short. Keys, classes
 * and names are one packed buffer of JSON lines, parsed only for the items a query returns.
 *
 * Files: `vectors.i8` (slot × dimensions, written in place as items are upserted), `vectors.json` (its
 * dimensions), `items.jsonl` (key, class, name per slot; `null` for a free slot) and `graph.usearch` (the graph,
 * once built), both rewritten by flush(). `items.jsonl` says which slots hold what: a slot written after the last
 * flush is not read after a crash (the lake sync upserts its item again).
 */
import {
  closeSync,
  existsSync,
  fstatSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  renameSync,
  rmSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_TENANT } from '../../core/api-keys.ts';
import { matchScore, type SimilarityIndex, type VectorEntry, type VectorMatch, type VectorQuery } from '../../ports.ts';
import { isClassOrBelow } from '../../similar/filters.ts';
import { DEFAULT_GRAPH, type Graph, type GraphOptions, type GraphThread } from './vector-index-ann.ts';
import { keyOfLine, PackedLines, type Slot } from './vector-index-lines.ts';
import { GRAPH_FILE, TenantGraph } from './vector-index-tenant-graph.ts';

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
  /** Where the graphs live: a thread of their own (`aisle serve`: searches beside HTTP on another core), else this one. */
  graphThread?: GraphThread;
  /** Says what the index recovered from (a graph file that is not one); default: stderr. */
  warn?: (message: string) => void;
}

const SCALE = 127;
const VECTORS_FILE = 'vectors.i8';
const META_FILE = 'vectors.json';
/** Slots read per call by the exact scan. */
const SCAN_SLOTS = 4096;

/** One tenant's vectors. */
class TenantVectors {
  readonly items: PackedLines;
  bySlotKey = new Map<string, number>();
  free: number[] = [];
  /** The HNSW graph over the vectors, once opened. */
  readonly ann: TenantGraph;
  dirty = false;
  /** The vectors file, open for reading and writing in place; -1 until the folder has one. */
  private fd = -1;

  constructor(
    readonly dir: string,
    readonly dimensions: number,
    readonly graph: GraphOptions,
    vectorize: ((name: string) => Float32Array) | undefined,
    warn: (message: string) => void,
    graphThread?: GraphThread,
  ) {
    this.items = this.load(vectorize);
    this.ann = new TenantGraph(this, graph, SCALE, warn, graphThread);
  }

  live(slot: number): boolean {
    return this.items.live(slot);
  }

  private load(vectorize?: (name: string) => Float32Array): PackedLines {
    const file = join(this.dir, 'items.jsonl');
    if (!existsSync(file)) return new PackedLines();
    const read = readFileSync(file);
    // Every line ends with its newline in the buffer (PackedLines), the last one too.
    const text = read.length && read[read.length - 1] !== 0x0a ? Buffer.concat([read, Buffer.from('\n')]) : read;
    const items = new PackedLines(text);
    for (let at = 0; at < text.length; ) {
      let end = text.indexOf(0x0a, at);
      if (end < 0) end = text.length;
      if (end > at) {
        const slot = items.count;
        const key = keyOfLine(text, at, end);
        if (key === null) {
          items.adopt(at, 0);
          this.free.push(slot);
        } else {
          items.adopt(at, end - at);
          this.bySlotKey.set(key, slot);
        }
      }
      at = end + 1;
    }
    const vectors = join(this.dir, VECTORS_FILE);
    const meta = join(this.dir, META_FILE);
    // A folder written before vectors.json: its dimensions are the vectors file's size over its slots.
    const stored = existsSync(meta)
      ? (JSON.parse(readFileSync(meta, 'utf8')) as { dimensions: number }).dimensions
      : items.count
        ? Math.floor(fstatSize(vectors) / items.count)
        : this.dimensions;
    if (stored === this.dimensions) {
      this.open();
      if (!existsSync(meta)) this.writeMeta();
      return items;
    }
    if (!vectorize) throw new Error(`${this.dir}: vectors of ${stored} dimensions, the index is made with ${this.dimensions}`);
    // Another layout's vectors: made again from the names into a new file that replaces the old one when done,
    // and its graph (over those vectors) dropped.
    this.open(`${VECTORS_FILE}.tmp`);
    for (const slot of this.bySlotKey.values()) this.writeVector(slot, vectorize(items.get(slot)!.name));
    renameSync(join(this.dir, `${VECTORS_FILE}.tmp`), vectors);
    this.writeMeta();
    rmSync(join(this.dir, GRAPH_FILE), { force: true });
    this.dirty = true;
    return items;
  }

  /** Opens the vectors file (creating it and the folder when new) for reading and writing in place. */
  private open(file = VECTORS_FILE) {
    if (this.fd >= 0) return;
    mkdirSync(this.dir, { recursive: true });
    const path = join(this.dir, file);
    const created = !existsSync(path);
    this.fd = openSync(path, created ? 'w+' : 'r+');
    if (created && file === VECTORS_FILE) this.writeMeta();
  }

  private writeMeta() {
    writeFileSync(join(this.dir, META_FILE), `${JSON.stringify({ dimensions: this.dimensions })}\n`);
  }

  get size() {
    return this.bySlotKey.size;
  }

  upsert(entries: VectorEntry[]): void | Promise<void> {
    const dims = this.dimensions;
    for (const e of entries) if (e.vector.length !== dims) throw new Error(`vector of ${e.vector.length} dimensions; the index has ${dims}`);
    this.open();
    const slots = new Uint32Array(entries.length);
    const bytes = new Int8Array(entries.length * dims);
    entries.forEach((entry, i) => {
      let slot = this.bySlotKey.get(entry.key);
      if (slot === undefined) {
        slot = this.free.pop() ?? this.items.count;
        this.bySlotKey.set(entry.key, slot);
      }
      this.items.set(slot, { key: entry.key, classId: entry.classId, name: entry.name });
      slots[i] = slot;
      quantize(entry.vector, bytes, i * dims);
    });
    // Runs of consecutive slots (a bulk load's) are one write each.
    for (let i = 0; i < entries.length; ) {
      let j = i + 1;
      while (j < entries.length && slots[j] === slots[j - 1] + 1) j++;
      writeSync(this.fd, bytes, i * dims, (j - i) * dims, slots[i] * dims);
      i = j;
    }
    this.dirty = true;
    return this.ann.set(slots, bytes);
  }

  private writeVector(slot: number, vector: Float32Array) {
    const bytes = new Int8Array(this.dimensions);
    quantize(vector, bytes, 0);
    writeSync(this.fd, bytes, 0, bytes.length, slot * this.dimensions);
  }

  remove(key: string) {
    const slot = this.bySlotKey.get(key);
    if (slot === undefined) return;
    this.bySlotKey.delete(key);
    this.items.set(slot, null);
    this.free.push(slot);
    this.ann.remove(slot);
    this.dirty = true;
  }

  graphOf(): Promise<Graph> {
    return this.ann.open();
  }

  /** The vectors of the `among` slots, one after the other. */
  rows(among: number[]): Int8Array {
    const dims = this.dimensions;
    const bytes = new Int8Array(among.length * dims);
    if (this.fd >= 0) for (let i = 0; i < among.length; i++) readSync(this.fd, bytes, i * dims, dims, among[i] * dims);
    return bytes;
  }

  /** The vectors of every slot, a chunk of consecutive slots at a time (one reused buffer). */
  *chunks(): Generator<[Uint32Array, Int8Array]> {
    const dims = this.dimensions;
    if (this.fd < 0) return;
    const buffer = new Int8Array(SCAN_SLOTS * dims);
    for (let first = 0; first < this.items.count; first += SCAN_SLOTS) {
      const n = Math.min(SCAN_SLOTS, this.items.count - first);
      readSync(this.fd, buffer, 0, n * dims, first * dims);
      const slots = new Uint32Array(n);
      for (let i = 0; i < n; i++) slots[i] = first + i;
      yield [slots, buffer.subarray(0, n * dims)];
    }
  }

  slot(slot: number): Slot | null {
    return this.items.get(slot);
  }

  vectorAt(slot: number): Float32Array {
    return unquantize(this.rows([slot]), 0, this.dimensions);
  }

  /**
   * Every live slot (or the `among` ones, their vectors `rows` read by rows()) scored against `query` exactly, the
   * best `k` that `keep` accepts.
   */
  scan(query: Float32Array, k: number, keep: (slot: number) => boolean, among?: number[], rows?: Int8Array): [number, number][] {
    const dims = this.dimensions;
    const q = new Float32Array(dims);
    for (let d = 0; d < dims; d++) q[d] = query[d] / SCALE;
    const best: [number, number][] = [];
    let floor = -Infinity;
    const scores = new Float64Array(4);
    const batches: Iterable<[ArrayLike<number>, Int8Array]> = among ? [[among, rows ?? this.rows(among)]] : this.chunks();
    for (const [slots, values] of batches) {
      for (let i = 0; i < slots.length; i += 4) {
        const n = Math.min(4, slots.length - i);
        dot4(q, values, i * dims, n, scores);
        for (let j = 0; j < n; j++) {
          const slot = slots[i + j];
          const s = scores[j];
          if (!this.items.live(slot)) continue;
          if (best.length >= k && s <= floor) continue;
          if (!keep(slot)) continue;
          insertSorted(best, [slot, s], k);
          if (best.length >= k) floor = best[best.length - 1][1];
        }
      }
    }
    return best;
  }

  async flush() {
    if (!this.dirty && !this.ann.unsaved) return;
    // A change made while the graph is saved is written by the next flush (the graph saved may lack it).
    this.dirty = false;
    mkdirSync(this.dir, { recursive: true });
    try {
      await this.ann.save();
    } catch (err) {
      this.dirty = true;
      throw err;
    }
    if (this.fd >= 0) ftruncateSync(this.fd, this.items.count * this.dimensions);
    const fd = openSync(join(this.dir, 'items.jsonl.tmp'), 'w');
    try {
      this.items.writeTo(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(join(this.dir, 'items.jsonl.tmp'), join(this.dir, 'items.jsonl'));
  }
}

const fstatSize = (file: string) => {
  const fd = openSync(file, 'r');
  try {
    return fstatSync(fd).size;
  } finally {
    closeSync(fd);
  }
};

/**
 * The dot products of `q` with the `n` (≤ 4) rows of `values` from `at`, into `out`. Four rows a pass, each `q[d]`
 * read once for them: ~1.7× faster than a row at a time, each sum in the same order (the same scores to the bit).
 */
function dot4(q: Float32Array, values: Int8Array, at: number, n: number, out: Float64Array) {
  const dims = q.length;
  const r1 = at + (n > 1 ? dims : 0);
  const r2 = at + (n > 2 ? 2 * dims : 0);
  const r3 = at + (n > 3 ? 3 * dims : 0);
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  for (let d = 0; d < dims; d++) {
    const x = q[d];
    s0 += x * values[at + d];
    s1 += x * values[r1 + d];
    s2 += x * values[r2 + d];
    s3 += x * values[r3 + d];
  }
  out[0] = s0;
  out[1] = s1;
  out[2] = s2;
  out[3] = s3;
}

/** The float vector of the int8 one at `bytes[at…]`, as the index stores it. */
function unquantize(bytes: Int8Array, at: number, dims: number): Float32Array {
  const v = new Float32Array(dims);
  for (let d = 0; d < dims; d++) v[d] = bytes[at + d] / SCALE;
  return v;
}

/** A unit vector as int8 (× SCALE) at `out[at…]`. */
function quantize(vector: Float32Array, out: Int8Array, at: number) {
  for (let d = 0; d < vector.length; d++) out[at + d] = Math.round(vector[d] * SCALE);
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
        this.options.warn ?? ((m) => process.stderr.write(`aisle: ${m}\n`)),
        this.options.graphThread,
      );
      this.tenants.set(this.tenant, t);
    }
    return t;
  }

  async upsert(entries: VectorEntry[]): Promise<void> {
    if (entries.length) await this.own().upsert(entries);
  }

  async remove(keys: string[]): Promise<void> {
    const t = this.own();
    for (const k of keys) t.remove(k);
  }

  async get(key: string): Promise<VectorEntry | null> {
    const t = this.own();
    const slot = t.bySlotKey.get(key);
    if (slot === undefined) return null;
    return { ...t.slot(slot)!, vector: t.vectorAt(slot) };
  }

  async size(): Promise<number> {
    return this.own().size;
  }

  async query(vector: Float32Array, query: VectorQuery): Promise<VectorMatch[]> {
    const t = this.own();
    const exclude = new Set<number>();
    for (const key of query.exclude ?? []) {
      const slot = t.bySlotKey.get(key);
      if (slot !== undefined) exclude.add(slot);
    }
    const classId = query.classId;
    // An item's line is parsed only when a class filter reads it.
    const keep = (slot: number) => !exclude.has(slot) && (!classId || isClassOrBelow(t.slot(slot)!.classId, classId));
    let best: [number, number][] | null = null;
    // With `withVectors`, a match's vector is the row read to rescore it (the candidates'), else read again.
    let vectorOf = (slot: number) => t.vectorAt(slot);
    if (t.size >= this.annFrom) {
      // The graph chooses candidates by its int8 cosine to an int8 query; they are rescored exactly (float query).
      const candidates = await (await t.graphOf()).candidates(vector, query.k + exclude.size, !!classId);
      const rows = t.rows(candidates);
      best = t.scan(vector, query.k, keep, candidates, rows);
      // A rare class can be missing from the graph's neighbourhood of the query: then the scan answers exactly.
      if (best.length < Math.min(query.k, t.size - exclude.size)) best = null;
      else vectorOf = (slot) => unquantize(rows, candidates.indexOf(slot) * t.dimensions, t.dimensions);
    }
    return (best ?? t.scan(vector, query.k, keep)).map(([slot, score]) => {
      const s = t.slot(slot)!;
      const match: VectorMatch = { key: s.key, score: matchScore(score), classId: s.classId, name: s.name };
      if (query.withVectors) match.vector = vectorOf(slot);
      return match;
    });
  }

  /**
   * Opens every tenant's folder under the root and loads its saved graph, so that no request waits for them:
   * `aisle serve` calls it before it listens (at 1M items the first request would wait seconds: docs/similar.md).
   * A graph that must be built (none saved, or its file not a graph) is left to the first query: minutes at 1M, the
   * server up meanwhile.
   * The items opened.
   */
  async preload(): Promise<number> {
    let items = 0;
    const folders = existsSync(this.root) ? readdirSync(this.root, { withFileTypes: true }).filter((f) => f.isDirectory()) : [];
    for (const folder of folders) {
      const tenant = Buffer.from(folder.name, 'hex').toString('utf8');
      if (tenantFolder(tenant) !== folder.name) continue; // not a tenant's folder
      const t = this.forTenant(tenant).own();
      items += t.size;
      if (t.size >= this.annFrom && t.ann.loadable()) await t.graphOf();
    }
    return items;
  }

  /** Writes every tenant's changes to disk. */
  async flush(): Promise<void> {
    for (const t of this.tenants.values()) await t.flush();
  }
}
