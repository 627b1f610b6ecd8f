/**
 * "Bought together" pairs from the shopper pipeline's events: one SQL text for DuckDB (locally, over an output
 * folder's events.parquet) and Athena (on AWS, over the tenant's events table), and one way to turn its rows into
 * each item's co-purchases, keyed by the item key of their names (the key the cascade gives the same name), so
 * recommendations meet the similarity index on one key.
 */
import { toCascadeItem } from '../core/normalize.ts';
import type { CoPurchase } from './recommend.ts';

/** Pairs bought together in at least MIN_SESSIONS purchase sessions, the PER_ITEM best by lift for each item. */
export const MIN_SESSIONS = 2;
export const PER_ITEM = 50;

/**
 * The pairs (a, b, sessions, lift) of the purchase events of `events`: a table expression with the columns event,
 * session_id and product_name (`read_parquet($file)`, a subquery). Plain SQL both engines read alike (a ranked
 * subquery rather than DuckDB's QUALIFY); rows come in no order.
 */
export function coPurchasePairsSql(events: string): string {
  return `
WITH baskets AS (
  SELECT DISTINCT session_id, product_name FROM ${events} AS e
  WHERE event = 'purchase' AND product_name IS NOT NULL AND session_id IS NOT NULL
),
total AS (SELECT COUNT(DISTINCT session_id) AS n FROM baskets),
singles AS (SELECT product_name, COUNT(*) AS cnt FROM baskets GROUP BY product_name),
pairs AS (
  SELECT a.product_name AS a, b.product_name AS b, COUNT(*) AS cnt
  FROM baskets a JOIN baskets b ON a.session_id = b.session_id AND a.product_name <> b.product_name
  GROUP BY a.product_name, b.product_name
  HAVING COUNT(*) >= ${MIN_SESSIONS}
),
scored AS (
  SELECT p.a, p.b, p.cnt AS sessions, CAST(p.cnt AS DOUBLE) * t.n / (CAST(sa.cnt AS DOUBLE) * sb.cnt) AS lift
  FROM pairs p JOIN singles sa ON sa.product_name = p.a JOIN singles sb ON sb.product_name = p.b CROSS JOIN total t
  WHERE CAST(p.cnt AS DOUBLE) * t.n > CAST(sa.cnt AS DOUBLE) * sb.cnt
),
ranked AS (SELECT a, b, sessions, lift, ROW_NUMBER() OVER (PARTITION BY a ORDER BY lift DESC, b) AS pos FROM scored)
SELECT a, b, sessions, lift FROM ranked WHERE pos <= ${PER_ITEM}`;
}

export interface PairRow {
  a: string;
  b: string;
  sessions: number | bigint;
  lift: number;
}

/** Each item's co-purchases, highest lift first (then by name), lift rounded to 3 places. */
export function coPurchasesByKey(rows: Iterable<PairRow>): Map<string, CoPurchase[]> {
  const keyOfName = new Map<string, string>();
  const keyOf = (name: string) => {
    let key = keyOfName.get(name);
    if (key === undefined) keyOfName.set(name, (key = toCascadeItem({ name }).key));
    return key;
  };
  const byName = new Map<string, PairRow[]>();
  for (const row of rows) {
    let list = byName.get(row.a);
    if (!list) byName.set(row.a, (list = []));
    list.push(row);
  }
  const out = new Map<string, CoPurchase[]>();
  for (const [a, list] of byName) {
    list.sort((x, y) => y.lift - x.lift || (x.b < y.b ? -1 : x.b > y.b ? 1 : 0));
    const key = keyOf(a);
    // Two names of one key (they normalize alike) share a list.
    const seen = out.get(key) ?? [];
    for (const r of list) seen.push({ key: keyOf(r.b), name: r.b, sessions: Number(r.sessions), lift: Math.round(r.lift * 1e3) / 1e3 });
    out.set(key, seen);
  }
  return out;
}
