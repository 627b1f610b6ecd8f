/**
 * A tenant's classified items for `ask` retrieval (functions/ask CatalogItems), read from the local store's
 * decisions: the current decision of each key, as getItem and the review queue choose it.
 */
import type { CatalogItem, CatalogItems } from '../../ask/ports.ts';
import { DEFAULT_TENANT } from '../../core/api-keys.ts';
import type { LocalDb } from './duckdb.ts';

export class DuckDbCatalogItems implements CatalogItems {
  constructor(
    private readonly db: LocalDb,
    readonly tenant = DEFAULT_TENANT,
  ) {}

  forTenant(tenant: string): DuckDbCatalogItems {
    return new DuckDbCatalogItems(this.db, tenant);
  }

  async list(): Promise<CatalogItem[]> {
    const rows = await this.db.query<{ key: string; name: string; brand: string | null; text: string; class_id: string | null; status: string }>(
      `SELECT key, name, brand, text, class_id, status FROM decisions WHERE tenant = $t
       QUALIFY row_number() OVER (PARTITION BY key ORDER BY decided_at DESC, row_no DESC NULLS FIRST) = 1
       ORDER BY key`,
      { t: this.tenant },
    );
    return rows.map((r) => ({
      key: r.key,
      name: r.name,
      ...(r.brand ? { brand: r.brand } : {}),
      text: r.text,
      classId: r.class_id,
      status: r.status === 'needs_review' ? 'needs_review' : 'ok',
    }));
  }

  /** Decisions are only ever added (a label adds one too): their count and latest time change with every change. */
  async version(): Promise<string> {
    const [row] = await this.db.query<{ n: bigint | number; last: unknown }>(
      'SELECT COUNT(*) AS n, CAST(MAX(decided_at) AS VARCHAR) AS last FROM decisions WHERE tenant = $t',
      { t: this.tenant },
    );
    return `${row.n}@${row.last ?? ''}`;
  }
}
