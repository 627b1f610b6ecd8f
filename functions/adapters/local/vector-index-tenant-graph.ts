/**
 * A tenant's HNSW graph over its vectors file (vector-index.ts): opened when first needed, kept in step with every
 * upsert and removal, saved by the index's flush. The vectors file and the items are the source of truth; the graph
 * is made from them, so it can always be made again: from `graph.usearch` (the last save) with the slots changed
 * since applied again as the vectors file holds them now, or, without a usable file, built from every vector.
 * That is how a graph opens at start, when its thread died (GraphThread: reopened at once in the new thread) and
 * when its file is not a graph (checked before usearch reads it: a warning, then a build).
 */
import { existsSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { AnnGraph, type Graph, type GraphOptions, type GraphThread, GraphThreadError } from './vector-index-ann.ts';
import { graphFileProblem } from './vector-index-graph-file.ts';

export const GRAPH_FILE = 'graph.usearch';
/** Changed slots applied again per message. */
const REAPPLY_SLOTS = 4096;

/** What the graph is made from: the tenant's folder and vectors (TenantVectors). */
export interface GraphSource {
  readonly dir: string;
  readonly dimensions: number;
  /** Whether a slot holds an item (a free one's row is stale). */
  live(slot: number): boolean;
  /** The rows of `slots`, one after the other. */
  rows(slots: number[]): Int8Array;
  /** Every slot's row, a chunk of consecutive slots at a time (one reused buffer). */
  chunks(): Iterable<[Uint32Array, Int8Array]>;
}

/** A set of slots, a bit each: the slots changed since a save of a graph of millions. */
class SlotSet {
  private bits = new Uint32Array(1024);
  size = 0;

  add(slot: number) {
    const word = slot >>> 5;
    if (word >= this.bits.length) {
      const grown = new Uint32Array(Math.max(word + 1, this.bits.length * 2));
      grown.set(this.bits);
      this.bits = grown;
    }
    const bit = 1 << (slot & 31);
    if (this.bits[word] & bit) return;
    this.bits[word] |= bit;
    this.size++;
  }

  list(): number[] {
    const slots: number[] = [];
    for (let w = 0; w < this.bits.length; w++) for (let b = 0, word = this.bits[w]; word; b++, word >>>= 1) if (word & 1) slots.push(w * 32 + b);
    return slots;
  }
}

export class TenantGraph {
  private graph: Graph | null = null;
  private opening: Promise<Graph> | null = null;
  /** Counts the graphs lost with their thread: an open begun before the last loss is dropped. */
  private losses = 0;
  private readonly file: string;
  /** Slots upserted or removed since `file` was written (or read with the items): what a graph loaded from it lacks. */
  private changed = new SlotSet();
  /** Whether `file`, with the changed slots applied again, is the graph (false: never written, removed, or unreadable). */
  private fileCurrent: boolean;
  /** A graph built or changed since its file was written: the next flush saves it. */
  unsaved = false;

  constructor(
    private readonly source: GraphSource,
    private readonly options: GraphOptions,
    /** The rows' scale: int8 × `scale` for 1.0. */
    private readonly scale: number,
    private readonly warn: (message: string) => void,
    private readonly thread?: GraphThread,
  ) {
    this.file = join(source.dir, GRAPH_FILE);
    this.fileCurrent = existsSync(this.file);
  }

  /** Whether opening loads the saved file (and applies the slots changed since) rather than builds from every vector. */
  loadable(): boolean {
    return this.fileCurrent && existsSync(this.file) && !graphFileProblem(this.file, this.source.dimensions);
  }

  /** Applies the rows of `slots` (already written to the vectors file) to the open graph. */
  set(slots: Uint32Array, bytes: Int8Array): void | Promise<void> {
    for (const slot of slots) this.changed.add(slot);
    const applied = this.graph?.set(slots, bytes, this.scale);
    // A thread that dies before adding them takes nothing stored with it: the graph reopened applies them again.
    if (applied instanceof Promise)
      return applied.catch((err: unknown) => {
        if (!(err instanceof GraphThreadError)) throw err;
      });
  }

  remove(slot: number) {
    this.changed.add(slot);
    this.graph?.remove(slot);
  }

  /** The graph, opened when first needed (one open however many queries wait for it). */
  open(): Promise<Graph> {
    if (this.opening) return this.opening;
    const opening: Promise<Graph> = this.opened(this.losses).catch((err: unknown) => {
      // A graph that could not be opened is tried again by the next query.
      if (this.opening === opening) this.graph = this.opening = null;
      throw err;
    });
    this.opening = opening;
    return opening;
  }

  /** Told by the graph thread that the graph died with it: opened again at once in the new thread. */
  private readonly lost = () => {
    const losses = ++this.losses;
    this.graph = this.opening = null;
    this.open().catch((err: Error) => {
      if (losses === this.losses) this.warn(`${this.source.dir}: its similarity graph could not be opened again: ${err.message}`);
    });
  };

  private async opened(losses: number): Promise<Graph> {
    const current = () => {
      if (losses !== this.losses) throw new GraphThreadError('the graph was lost with its thread while it opened');
    };
    const loaded = this.fileCurrent && existsSync(this.file) ? await this.loaded() : null;
    current();
    const graph = loaded ?? (await this.empty());
    current();
    // Upserts from here on change it too.
    this.graph = graph;
    if (loaded) {
      // The saved graph lacks what changed since it was written: those slots again, as the vectors file holds them now.
      const slots = this.changed.list();
      for (let i = 0; i < slots.length; i += REAPPLY_SLOTS) {
        const chunk = slots.slice(i, i + REAPPLY_SLOTS);
        const live = chunk.filter((slot) => this.source.live(slot));
        for (const slot of chunk) if (!this.source.live(slot)) graph.remove(slot);
        // Read and posted in one turn: an upsert between two chunks reaches the graph after the row read before it.
        if (live.length) await graph.set(Uint32Array.from(live), this.source.rows(live), this.scale);
        current();
      }
      if (slots.length) this.unsaved = true;
      return graph;
    }
    for (const [slots, bytes] of this.source.chunks()) {
      // Free slots' rows are moved out: the live ones, packed to the front of the chunk, go in one call.
      const dims = this.source.dimensions;
      let n = 0;
      for (let i = 0; i < slots.length; i++) {
        if (!this.source.live(slots[i])) continue;
        if (n !== i) bytes.copyWithin(n * dims, i * dims, (i + 1) * dims);
        slots[n++] = slots[i];
      }
      // Each chunk added before the next is read: a graph thread is never sent the whole file at once.
      await graph.set(slots.subarray(0, n), bytes.subarray(0, n * dims), this.scale);
      current();
    }
    this.unsaved = true;
    return graph;
  }

  /** The saved graph, or null (with a warning) when its file is not one: usearch is not handed a file it cannot read. */
  private async loaded(): Promise<Graph | null> {
    let problem = graphFileProblem(this.file, this.source.dimensions);
    if (!problem) {
      try {
        return this.thread
          ? await this.thread.graph(this.source.dimensions, this.options, this.file, this.lost)
          : AnnGraph.load(this.source.dimensions, this.file, this.options);
      } catch (err) {
        if (err instanceof GraphThreadError) throw err;
        problem = (err as Error).message;
      }
    }
    this.warn(`${this.file}: not a usable graph (${problem}): built again from the stored vectors`);
    this.fileCurrent = false;
    return null;
  }

  private async empty(): Promise<Graph> {
    return this.thread
      ? this.thread.graph(this.source.dimensions, this.options, undefined, this.lost)
      : AnnGraph.empty(this.source.dimensions, this.options);
  }

  /**
   * Writes the graph to its file (written aside, then renamed: a save cut short leaves the last one). The graph goes
   * with the items it was built over, or not at all: a file that lacks changes is opened and brought up to date (a
   * load costs far less than the build its removal would cause), else removed.
   */
  async save(): Promise<void> {
    if (!this.opening && this.changed.size && this.fileCurrent && existsSync(this.file)) await this.open().catch(() => undefined);
    // A graph being opened is saved once it is whole.
    for (let opening = this.opening; opening; opening = this.opening === opening ? null : this.opening) await opening.catch(() => undefined);
    if (!this.graph) {
      if (this.changed.size) rmSync(this.file, { force: true });
      this.fileCurrent &&= !this.changed.size;
      return;
    }
    // The slots changed from here on are the ones the new file lacks (the save is posted in this turn).
    const changed = this.changed;
    this.changed = new SlotSet();
    try {
      await this.graph.save(`${this.file}.tmp`);
      renameSync(`${this.file}.tmp`, this.file);
    } catch (err) {
      for (const slot of changed.list()) this.changed.add(slot);
      throw err;
    }
    this.fileCurrent = true;
    this.unsaved = false;
  }
}
