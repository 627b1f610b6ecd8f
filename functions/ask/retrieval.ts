/**
 * Lexical retrieval over a tenant's classified items: BM25 over each item's name and brand, with its category
 * folded in. An item's document also holds the words of its class's path at half weight, and a question that
 * names a category (by its name or a word of its description: "snacks", "chips", "shampoo") lifts that
 * category's items, so "gluten-free snacks" finds gluten-free pretzels that never say "snack". Built per tenant
 * from the CatalogItems port and rebuilt when the items' version changes.
 */
import type { Taxonomy } from '../core/taxonomy.ts';
import type { CatalogItem, CatalogItems, ItemRetriever, RetrievalFilters, RetrievedItem } from './ports.ts';
import { terms } from './text.ts';

const K1 = 1.2;
const B = 0.75;
/** Weight of a class path word in an item's document, against 1 for a word of its name. */
const CATEGORY_WEIGHT = 0.5;
/** What a question naming an item's category adds to its score, per matched category word (by the word's idf). */
const CATEGORY_BOOST = 0.6;
/** The same for a word found only in the category's description. */
const DESCRIPTION_BOOST = 0.25;
/** Weight of a compound that holds a question word ("strawberry" for "berry", "multivitamin" for "vitamin"). */
const COMPOUND_WEIGHT = 0.6;
/** Question words shorter than this are not looked for inside compounds. */
const COMPOUND_MIN = 4;

interface Doc {
  item: CatalogItem;
  label: string;
  /** BM25's length normalization of this document: K1 * (1 - B + B * length / average length). */
  norm: number;
  /** The item's class and its ancestors. */
  lineage: string[];
}

/** A term's documents and its weighted frequency in each. */
interface Posting {
  docs: number[];
  tfs: number[];
}

/** A term held by nearly every item (a Level 1 name in every path) ranks nothing: it is skipped below this idf. */
const MIN_IDF = 0.05;

const allowed = (d: Doc, filters: RetrievalFilters) =>
  (!filters.status || d.item.status === filters.status) && (!filters.classIds?.length || filters.classIds.some((c) => d.lineage.includes(c)));

/** A BM25 index over one catalog snapshot. */
export class LexicalIndex {
  private readonly docs: Doc[];
  private readonly postings = new Map<string, Posting>();
  private readonly byKey = new Map<string, number>();
  /** Per class: the words of its name and of its description. */
  private readonly classWords = new Map<string, { name: Set<string>; description: Set<string> }>();
  /** Scratch per search (search is synchronous, so one pair serves every call): score per document, best per term. */
  private readonly scores: Float64Array;
  private readonly best: Float64Array;

  constructor(items: CatalogItem[], taxonomy: Taxonomy) {
    for (const c of taxonomy.classes) {
      this.classWords.set(c.id, { name: new Set(terms(c.name)), description: new Set(terms(c.description)) });
    }
    const lengths: number[] = [];
    this.docs = items.map((item, i) => {
      const tf = new Map<string, number>();
      const add = (t: string, w: number) => tf.set(t, (tf.get(t) ?? 0) + w);
      for (const t of terms(`${item.name} ${item.brand ?? ''}`)) add(t, 1);
      const lineage = item.classId ? taxonomy.lineage(item.classId) : [];
      for (const c of lineage) for (const t of this.classWords.get(c.id)!.name) add(t, CATEGORY_WEIGHT);
      let length = 0;
      for (const [t, w] of tf) {
        length += w;
        let posting = this.postings.get(t);
        if (!posting) this.postings.set(t, (posting = { docs: [], tfs: [] }));
        posting.docs.push(i);
        posting.tfs.push(w);
      }
      lengths.push(length);
      const label = item.classId ? (taxonomy.get(item.classId)?.label ?? '') : '';
      return { item, label, norm: 0, lineage: lineage.map((c) => c.id) };
    });
    const avgLength = lengths.reduce((a, b) => a + b, 0) / Math.max(1, lengths.length);
    this.docs.forEach((d, i) => {
      d.norm = K1 * (1 - B + (B * lengths[i]) / avgLength);
      this.byKey.set(d.item.key, i);
    });
    this.scores = new Float64Array(this.docs.length);
    this.best = new Float64Array(this.docs.length);
  }

  get size(): number {
    return this.docs.length;
  }

  private idf(term: string): number {
    const n = this.postings.get(term)?.docs.length ?? 0;
    return Math.log(1 + (this.docs.length - n + 0.5) / (n + 0.5));
  }

  search(question: string, k: number, filters: RetrievalFilters = {}): RetrievedItem[] {
    const query = [...new Set(terms(question))];
    const { scores, best } = this;
    const touched: number[] = [];
    for (const t of query) {
      // A word counts once per item: as itself, else through the compound that holds it.
      const hit: number[] = [];
      for (const [term, weight] of [[t, 1] as const, ...this.compoundsOf(t).map((c) => [c, COMPOUND_WEIGHT] as const)]) {
        const idf = this.idf(term);
        if (idf < MIN_IDF) continue;
        const { docs, tfs } = this.postings.get(term) ?? { docs: [], tfs: [] };
        for (let j = 0; j < docs.length; j++) {
          const i = docs[j];
          const s = (weight * idf * tfs[j] * (K1 + 1)) / (tfs[j] + this.docs[i].norm);
          if (best[i] === 0) hit.push(i);
          if (s > best[i]) best[i] = s;
        }
      }
      for (const i of hit) {
        if (scores[i] === 0) touched.push(i);
        scores[i] += best[i];
        best[i] = 0;
      }
    }
    // Category-aware expansion: classes the question names lift their items (only items that matched a word of their own).
    const boosts = this.categoryBoosts(query);
    // The k best, kept sorted while scanning (k is small): no sort of every item touched.
    const top: { i: number; score: number }[] = [];
    for (const i of touched) {
      const d = this.docs[i];
      let boost = 0;
      for (const c of d.lineage) boost = Math.max(boost, boosts.get(c) ?? 0);
      const score = scores[i] + boost;
      scores[i] = 0;
      if (!allowed(d, filters)) continue;
      if (top.length === k && !(score > top[k - 1].score || (score === top[k - 1].score && i < top[k - 1].i))) continue;
      let at = top.length;
      while (at > 0 && (top[at - 1].score < score || (top[at - 1].score === score && top[at - 1].i > i))) at--;
      top.splice(at, 0, { i, score });
      if (top.length > k) top.pop();
    }
    return top.map(({ i, score }) => this.retrieved(i, score));
  }

  /** The item of this catalog under `key` as a retrieved item with `score`; null when there is none or `filters` leave it out. */
  itemOf(key: string, score: number, filters: RetrievalFilters = {}): RetrievedItem | null {
    const i = this.byKey.get(key);
    return i === undefined || !allowed(this.docs[i], filters) ? null : this.retrieved(i, score);
  }

  private retrieved(i: number, score: number): RetrievedItem {
    const { item, label } = this.docs[i];
    return {
      key: item.key,
      name: item.name,
      ...(item.brand ? { brand: item.brand } : {}),
      classId: item.classId,
      label,
      status: item.status,
      score: Number(score.toFixed(4)),
    };
  }

  /** Indexed words that start or end with `term` and are longer ("berry" → "strawberry", "blueberry"). */
  private compoundsOf(term: string): string[] {
    if (term.length < COMPOUND_MIN) return [];
    const out: string[] = [];
    for (const word of this.postings.keys()) if (word.length > term.length && (word.endsWith(term) || word.startsWith(term))) out.push(word);
    return out;
  }

  /** Per class: how strongly the question names it (by the idf of the words it shares with its name or description). */
  private categoryBoosts(query: string[]): Map<string, number> {
    const boosts = new Map<string, number>();
    for (const [id, words] of this.classWords) {
      let boost = 0;
      for (const t of query) {
        const weight = words.name.has(t) ? CATEGORY_BOOST : words.description.has(t) ? DESCRIPTION_BOOST : 0;
        if (weight) boost += weight * Math.max(1, this.idf(t));
      }
      if (boost) boosts.set(id, boost);
    }
    return boosts;
  }
}

/**
 * The lexical retriever of a tenant's catalog: builds the index on first use and again when the catalog's
 * version moves on; concurrent questions share one build.
 */
export class LexicalRetriever implements ItemRetriever {
  private built: { version: string; index: Promise<LexicalIndex> } | undefined;

  constructor(
    private readonly catalog: CatalogItems,
    private readonly taxonomy: Taxonomy,
  ) {}

  async retrieveItems(question: string, k: number, filters?: RetrievalFilters): Promise<RetrievedItem[]> {
    return (await this.index()).search(question, k, filters);
  }

  async index(): Promise<LexicalIndex> {
    const version = await this.catalog.version();
    if (this.built?.version !== version) {
      const index = this.catalog.list().then((items) => new LexicalIndex(items, this.taxonomy));
      this.built = { version, index };
      index.catch(() => {
        if (this.built?.index === index) this.built = undefined;
      });
    }
    return this.built.index;
  }
}
