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
import { coPurchasePairsSql, coPurchasesByKey, type PairRow } from '../../similar/co-purchase-pairs.ts';
import type { CoPurchase, CoPurchases } from '../../similar/recommend.ts';

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
  const file = dir && join(dir, 'events.parquet');
  if (!file || !existsSync(file)) return new Map();
  const db = await DuckDBInstance.create(':memory:');
  const connection = await db.connect();
  try {
    const reader = await connection.runAndReadAll(coPurchasePairsSql('read_parquet($file)'), { file });
    return coPurchasesByKey(reader.getRowObjects() as unknown as PairRow[]);
  } finally {
    connection.closeSync();
  }
}
