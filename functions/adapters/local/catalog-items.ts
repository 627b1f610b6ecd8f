/**
 * A tenant's classified items for `ask` retrieval (functions/ask CatalogItems): the local store's decisions
 * (review, encoder and LLM decisions, human labels, what the API classified) merged with the results lake
 * (every row of every finished job, rules and cache decisions included), the latest decision of each key winning.
 */
import type { CatalogItem, CatalogItems } from '../../ask/ports.ts';
import { DEFAULT_TENANT } from '../../core/api-keys.ts';
import { normalizeText } from '../../core/normalize.ts';
import type { LocalDb } from './duckdb.ts';
import type { DuckDbInsights } from './insights.ts';

interface Dated {
  item: CatalogItem;
  at: number;
}

export class DuckDbCatalogItems implements CatalogItems {
  constructor(
    private readonly db: LocalDb,
    /** The lake; without it, the store's decisions alone. */
    private readonly lake?: DuckDbInsights,
    readonly tenant = DEFAULT_TENANT,
  ) {}

  forTenant(tenant: string): DuckDbCatalogItems {
    return new DuckDbCatalogItems(this.db, this.lake?.forTenant(tenant), tenant);
  }

  async list(): Promise<CatalogItem[]> {
    const latest = new Map<string, Dated>();
    const keep = (d: Dated) => {
      const seen = latest.get(d.item.key);
      if (!seen || d.at >= seen.at) latest.set(d.item.key, d);
    };
    for (const r of (await this.lake?.latestItems()) ?? []) {
      const item: CatalogItem = { key: r.key, name: r.name, text: normalizeText(r.name), classId: r.classId, status: statusOf(r.status) };
      keep({ item, at: Date.parse(r.decidedAt) || 0 });
    }
    const rows = await this.db.query<{
      key: string;
      name: string;
      brand: string | null;
      text: string;
      class_id: string | null;
      status: string;
      at: number | bigint;
    }>(
      `SELECT key, name, brand, text, class_id, status, epoch_ms(decided_at) AS at FROM decisions WHERE tenant = $t
       QUALIFY row_number() OVER (PARTITION BY key ORDER BY decided_at DESC, row_no DESC NULLS FIRST) = 1`,
      { t: this.tenant },
    );
    for (const r of rows) {
      const item: CatalogItem = {
        key: r.key,
        name: r.name,
        ...(r.brand ? { brand: r.brand } : {}),
        text: r.text,
        classId: r.class_id,
        status: statusOf(r.status),
      };
      keep({ item, at: Number(r.at) });
    }
    return [...latest.values()].map((d) => d.item).sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  /** Decisions and lake rows are only ever added (a label adds a decision): their counts and latest times move with every change. */
  async version(): Promise<string> {
    const [store] = await this.db.query<{ n: bigint | number; last: unknown }>(
      'SELECT COUNT(*) AS n, CAST(MAX(decided_at) AS VARCHAR) AS last FROM decisions WHERE tenant = $t',
      { t: this.tenant },
    );
    const lake = this.lake ? await this.lake.lakeVersion() : '';
    return `${store.n}@${store.last ?? ''}|${lake}`;
  }
}

const statusOf = (s: string): CatalogItem['status'] => (s === 'needs_review' ? 'needs_review' : 'ok');
