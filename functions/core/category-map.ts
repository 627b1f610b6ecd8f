/**
 * A retailer's categories mapped to ours, learned from decided rows (issue 20 item 4): for each of their
 * categories, how its decided rows spread over our classes. A mapping is only as good as its share: a source
 * category whose rows split across several of ours (a "Seasonal" department) maps to none of them confidently.
 */
import type { Candidate } from './types.ts';

/** One source category: its decided rows and our classes among them, most rows first. */
export interface CategoryMapping {
  source: string;
  rows: number;
  ours: { path: string; rows: number; share: number }[];
}

/** Counts (source category, our class) pairs; `path` is our class's level names joined (`Food > Dairy & Eggs`) or its id. */
export class CategoryMapLearner {
  private readonly counts = new Map<string, Map<string, number>>();

  /** `maxSources` bounds memory: once that many source categories are known, rows of new ones are not counted. */
  constructor(private readonly maxSources = Number.POSITIVE_INFINITY) {}

  add(source: string, path: string): void {
    if (!source || !path) return;
    let ours = this.counts.get(source);
    if (!ours) {
      if (this.counts.size >= this.maxSources) return;
      this.counts.set(source, (ours = new Map()));
    }
    ours.set(path, (ours.get(path) ?? 0) + 1);
  }

  /** Our classes among one source category's decided rows, with their counts. */
  rowsOf(source: string): ReadonlyMap<string, number> | undefined {
    return this.counts.get(source);
  }

  /** The mapping, source categories with the most rows first; `top` classes kept per source category. */
  mapping(top = 3): CategoryMapping[] {
    return [...this.counts]
      .map(([source, ours]) => {
        const rows = [...ours.values()].reduce((a, b) => a + b, 0);
        const sorted = [...ours].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
        return { source, rows, ours: sorted.slice(0, top).map(([path, n]) => ({ path, rows: n, share: n / rows })) };
      })
      .sort((a, b) => b.rows - a.rows || a.source.localeCompare(b.source));
  }
}

/** Pseudo-rows of the overall class mix added to each source category's own rows (smoothing toward "no information"). */
const PRIOR_ROWS = 5;
/** Source categories one prior learns at most (a file with a random category per row must not grow memory). */
const MAX_SOURCES = 10_000;

/** What a hint did to one item's probabilities: the combined candidates (best first) and P(top class | their category). */
export interface HintedCandidates {
  candidates: Candidate[];
  /** The smoothed share of the top class among the source category's decided rows. */
  share: number;
  /** Decided rows the source category had when it was read. */
  rows: number;
}

/**
 * P(our class | their category), learned during a run from the rows decided confidently, used as a prior for
 * unsure rows: the model's probabilities are multiplied by P(class | category) / P(class) (Bayes' rule with the
 * category as a second, independent piece of evidence) and renormalized. Counts are smoothed toward the overall
 * class mix, so a category with few decided rows barely moves anything, and one whose rows spread over several of
 * our classes favours none of them.
 */
export class CategoryPrior {
  private readonly learner = new CategoryMapLearner(MAX_SOURCES);
  private readonly classRows = new Map<string, number>();
  private rows = 0;

  /** A row decided confidently (by a rule, the cache or the model above its threshold), with its source category. */
  observe(source: string, classId: string): void {
    if (!source) return;
    this.learner.add(source, classId);
    if (!this.learner.rowsOf(source)) return;
    this.classRows.set(classId, (this.classRows.get(classId) ?? 0) + 1);
    this.rows++;
  }

  /** The probabilities (all classes) with the category weighed in; undefined when the category has no decided rows yet. */
  apply(source: string, probabilities: Candidate[]): HintedCandidates | undefined {
    const mine = this.learner.rowsOf(source);
    if (!mine) return undefined;
    let rows = 0;
    for (const n of mine.values()) rows += n;
    const K = probabilities.length;
    const overall = (classId: string) => ((this.classRows.get(classId) ?? 0) + 1) / (this.rows + K);
    const given = (classId: string) => ((mine.get(classId) ?? 0) + PRIOR_ROWS * overall(classId)) / (rows + PRIOR_ROWS);
    let sum = 0;
    const out = probabilities.map((c) => {
      const score = c.score * (given(c.classId) / overall(c.classId));
      sum += score;
      return { classId: c.classId, score };
    });
    if (!(sum > 0)) return undefined;
    for (const c of out) c.score /= sum;
    out.sort((a, b) => b.score - a.score);
    return { candidates: out, share: given(out[0].classId), rows };
  }
}
