/**
 * The shopper insights (issue 17 item 4) on DuckDB: the named queries of the registry (registry.ts) over the
 * Parquet files `aisle shoppers` writes. The SQL is the engines' common dialect
 * (functions/core/shoppers/insights/README.md).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { DEFAULT_TENANT, TENANT_RE } from '../core/api-keys.ts';
import { UserError } from '../core/errors.ts';
import type { ShopperInsightsService } from './ports.ts';
import { listShopperInsights, resolveShopperInsight, SHOPPER_TABLES, type ShopperInsightParams } from './registry.ts';

/** DuckDB values as JSON-friendly ones: BIGINT as a number when it is safe, else as text. */
const plain = (value: unknown): unknown =>
  typeof value === 'bigint' ? (Number.isSafeInteger(Number(value)) ? Number(value) : value.toString()) : value;

/** Where a tenant's shopper tables live under the Aisle home: the default tenant's in `shoppers`, another's in `tenants/T/shoppers`. */
export function shopperDirOf(home: string, tenant: string): string {
  // A tenant name is checked when its key is made; checked again here, as it becomes part of a path.
  if (!TENANT_RE.test(tenant)) throw new RangeError(`tenant "${tenant}" cannot name a folder`);
  return tenant === DEFAULT_TENANT ? join(home, 'shoppers') : join(home, 'tenants', tenant, 'shoppers');
}

export class ShopperInsights {
  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly c: DuckDBConnection,
  ) {}

  static hasTables(dir: string): boolean {
    return SHOPPER_TABLES.every((t) => existsSync(join(dir, `${t}.parquet`)));
  }

  /** Opens the output folder of `aisle shoppers`: a view per table over its Parquet file. */
  static async open(dir: string): Promise<ShopperInsights> {
    const missing = SHOPPER_TABLES.filter((t) => !existsSync(join(dir, `${t}.parquet`)));
    if (missing.length)
      throw new UserError(`${dir}: no ${missing.map((t) => `${t}.parquet`).join(', ')}; run \`aisle shoppers LOGS.csv --out ${dir}\` first`);
    const instance = await DuckDBInstance.create(':memory:');
    const c = await instance.connect();
    for (const table of SHOPPER_TABLES) {
      await c.run(`CREATE VIEW ${table} AS SELECT * FROM read_parquet('${join(dir, `${table}.parquet`).replaceAll("'", "''")}')`);
    }
    return new ShopperInsights(instance, c);
  }

  list(): { name: string; description: string }[] {
    return listShopperInsights();
  }

  /** Runs a named query of the registry with its parameters (checked there). */
  async run(name: string, params: Partial<ShopperInsightParams> = {}): Promise<Record<string, unknown>[]> {
    const { query, values } = resolveShopperInsight(name, params);
    const reader = await this.c.runAndReadAll(query.sql, values);
    const columns = reader.columnNames();
    return reader.getRowsJS().map((row) => Object.fromEntries(row.map((v, i) => [columns[i], plain(v)])));
  }

  close(): void {
    this.c.closeSync();
    this.instance.closeSync();
  }
}

/**
 * The shopper insights of `aisle serve`, one folder per tenant (shopperDirOf): each run opens the tenant's folder
 * afresh (a DuckDB in memory over its Parquet files, a few milliseconds), so a new `aisle shoppers` run shows at once;
 * a tenant without tables gets no rows.
 */
export class LocalShopperInsights implements ShopperInsightsService {
  constructor(
    private readonly home: string,
    readonly tenant = DEFAULT_TENANT,
  ) {}

  forTenant(tenant: string): LocalShopperInsights {
    return new LocalShopperInsights(this.home, tenant);
  }

  async list() {
    return listShopperInsights();
  }

  async run(name: string, params: Partial<ShopperInsightParams> = {}): Promise<Record<string, unknown>[]> {
    resolveShopperInsight(name, params); // an unknown name or bad parameters say so before the folder is looked at
    const dir = shopperDirOf(this.home, this.tenant);
    // A tenant that has processed no shopper logs yet has no rows, as the lake's insights have none before a job.
    if (!ShopperInsights.hasTables(dir)) return [];
    const insights = await ShopperInsights.open(dir);
    try {
      return await insights.run(name, params);
    } finally {
      insights.close();
    }
  }
}
