/**
 * Items bought together, from the shopper pipeline's output (`aisle shoppers LOGS --out DIR`: events.parquet):
 * products that share purchase sessions, with lift, keyed by the item key of their name (the key the cascade
 * gives the same name), so recommendations meet the similarity index on one key. Read once, when first asked;
 * a folder belongs to one tenant (locally the default one: $AISLE_HOME/shoppers).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { DEFAULT_TENANT } from '../../core/api-keys.ts';
import { toCascadeItem } from '../../core/normalize.ts';
import type { CoPurchase, CoPurchases } from '../../similar/recommend.ts';

/** Pairs bought together in at least MIN_SESSIONS purchase sessions, the PER_ITEM best by lift for each item. */
const MIN_SESSIONS = 2;
const PER_ITEM = 50;

const PAIRS_SQL = `
WITH baskets AS (
  SELECT DISTINCT session_id, product_name FROM read_parquet($file)
  WHERE event = 'purchase' AND product_name IS NOT NULL AND session_id IS NOT NULL
),
total AS (SELECT COUNT(DISTINCT session_id) AS n FROM baskets),
singles AS (SELECT product_name, COUNT(*) AS cnt FROM baskets GROUP BY product_name),
pairs AS (
  SELECT a.product_name AS a, b.product_name AS b, COUNT(*) AS cnt
  FROM baskets a JOIN baskets b ON a.session_id = b.session_id AND a.product_name <> b.product_name
  GROUP BY a.product_name, b.product_name
  HAVING COUNT(*) >= $min
)
SELECT p.a, p.b, p.cnt AS sessions, CAST(p.cnt AS DOUBLE) * t.n / (CAST(sa.cnt AS DOUBLE) * sb.cnt) AS lift
FROM pairs p JOIN singles sa ON sa.product_name = p.a JOIN singles sb ON sb.product_name = p.b CROSS JOIN total t
WHERE CAST(p.cnt AS DOUBLE) * t.n > CAST(sa.cnt AS DOUBLE) * sb.cnt
QUALIFY ROW_NUMBER() OVER (PARTITION BY p.a ORDER BY lift DESC, p.b) <= ${PER_ITEM}
ORDER BY p.a, lift DESC, p.b`;

export class ShopperCoPurchases implements CoPurchases {
  /** `dirs`: the shopper output folder of each tenant that has one. */
  constructor(
    private readonly dirs: Map<string, string>,
    private readonly tenant = DEFAULT_TENANT,
    private readonly loaded = new Map<string, Promise<Map<string, CoPurchase[]>>>(),
  ) {}

  /** The default tenant's shopper output in $AISLE_HOME/shoppers. */
  static forHome(home: string): ShopperCoPurchases {
    return new ShopperCoPurchases(new Map([[DEFAULT_TENANT, join(home, 'shoppers')]]));
  }

  forTenant(tenant: string): ShopperCoPurchases {
    return new ShopperCoPurchases(this.dirs, tenant, this.loaded);
  }

  async boughtWith(key: string, limit: number): Promise<CoPurchase[]> {
    return ((await this.load()).get(key) ?? []).slice(0, limit);
  }

  private load(): Promise<Map<string, CoPurchase[]>> {
    let pairs = this.loaded.get(this.tenant);
    if (!pairs) {
      pairs = readPairs(this.dirs.get(this.tenant));
      this.loaded.set(this.tenant, pairs);
    }
    return pairs;
  }
}

async function readPairs(dir: string | undefined): Promise<Map<string, CoPurchase[]>> {
  const out = new Map<string, CoPurchase[]>();
  const file = dir && join(dir, 'events.parquet');
  if (!file || !existsSync(file)) return out;
  const db = await DuckDBInstance.create(':memory:');
  const connection = await db.connect();
  try {
    const reader = await connection.runAndReadAll(PAIRS_SQL, { file, min: MIN_SESSIONS });
    const keyOfName = new Map<string, string>();
    const keyOf = (name: string) => {
      let key = keyOfName.get(name);
      if (key === undefined) keyOfName.set(name, (key = toCascadeItem({ name }).key));
      return key;
    };
    for (const [a, b, sessions, lift] of reader.getRows() as [string, string, bigint, number][]) {
      const from = keyOf(a);
      let list = out.get(from);
      if (!list) out.set(from, (list = []));
      list.push({ key: keyOf(b), name: b, sessions: Number(sessions), lift: Math.round(lift * 1e3) / 1e3 });
    }
  } finally {
    connection.closeSync();
  }
  return out;
}
