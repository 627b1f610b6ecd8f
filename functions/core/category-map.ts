/**
 * A retailer's categories mapped to ours, learned from decided rows (issue 20 item 4): for each of their
 * categories, how its decided rows spread over our classes. A mapping is only as good as its share: a source
 * category whose rows split across several of ours (a "Seasonal" department) maps to none of them confidently.
 */

/** One source category: its decided rows and our classes among them, most rows first. */
export interface CategoryMapping {
  source: string;
  rows: number;
  ours: { path: string; rows: number; share: number }[];
}

/** Counts (source category, our class path) pairs; `path` is our class's level names joined (`Food > Dairy & Eggs`). */
export class CategoryMapLearner {
  private readonly counts = new Map<string, Map<string, number>>();

  add(source: string, path: string): void {
    if (!source || !path) return;
    let ours = this.counts.get(source);
    if (!ours) this.counts.set(source, (ours = new Map()));
    ours.set(path, (ours.get(path) ?? 0) + 1);
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
