/**
 * "Bought together" on AWS (the CoPurchases port of functions/similar/recommend.ts). Each shopper run ends by
 * UNLOADing the tenant's pairs with lift (functions/similar/co-purchase-pairs.ts, over every event of the tenant's
 * runs) as Parquet into a folder of its own, then pointing the tenant's `latest.json` at it; the API reads the
 * folder that pointer names with hyparquet, once per warm Lambda and tenant, and looks at the pointer again at most
 * once a minute. Layout in the lake (SHOPPER_LAKE_PREFIXES.boughtTogether):
 *   shoppers/bought-together/tenant=T/run=R/   the pairs (a, b, sessions, lift) of run R, Parquet parts
 *   shoppers/bought-together/tenant=T/latest.json   {"runId", "folder"}: the folder to read, written last
 */
import { buffer } from 'node:stream/consumers';
import { parquetReadObjects } from 'hyparquet';
import { DEFAULT_TENANT, TENANT_RE } from '../../core/api-keys.ts';
import { PARQUET_COMPRESSORS } from '../../core/input/parquet.ts';
import { SHOPPER_LAKE_PREFIXES } from '../../handlers/shoppers-layout.ts';
import type { BlobStore } from '../../ports.ts';
import { coPurchasePairsSql, coPurchasesByKey, type PairRow } from '../../similar/co-purchase-pairs.ts';
import type { CoPurchase, CoPurchases } from '../../similar/recommend.ts';
import { type AthenaSql, athenaShopperTable } from './athena-shoppers.ts';

const tenantFolder = (tenant: string) => `${SHOPPER_LAKE_PREFIXES.boughtTogether}tenant=${tenant}/`;
const latestKey = (tenant: string) => `${tenantFolder(tenant)}latest.json`;
export const boughtTogetherFolder = (tenant: string, runId: string) => `${tenantFolder(tenant)}run=${runId}/`;

/** How long a warm API trusts the pairs it read before it looks at the tenant's pointer again. */
const RECHECK_MS = 60_000;

export interface BoughtTogetherWriter {
  athena: AthenaSql;
  lake: BlobStore;
  lakeBucket: string;
  /** Empties a folder of the lake first: UNLOAD refuses a folder that holds files (a retried run's). */
  clearLakeFolder: (prefix: string) => Promise<void>;
}

/**
 * The tenant's pairs over all its shopper events, written for run `runId` and then made the ones the API reads.
 * The tenant reaches the SQL as a literal: checked here as it is when its key is made.
 */
export async function writeBoughtTogether(deps: BoughtTogetherWriter, tenant: string, runId: string): Promise<string> {
  if (!TENANT_RE.test(tenant)) throw new RangeError(`tenant "${tenant}" has characters a query cannot hold`);
  const folder = boughtTogetherFolder(tenant, runId);
  const previous = await pointedFolder(deps.lake, tenant);
  await deps.clearLakeFolder(folder);
  const events = `(SELECT event, session_id, product_name FROM ${athenaShopperTable('events')} WHERE tenant = '${tenant}')`;
  // Its WITH inside a subquery: Athena's parser has refused a WITH right after an opening parenthesis.
  const pairs = `SELECT * FROM (${coPurchasePairsSql(events)}) AS pairs`;
  await deps.athena.run(`UNLOAD (${pairs}) TO 's3://${deps.lakeBucket}/${folder}' WITH (format = 'PARQUET')`);
  await deps.lake.put(latestKey(tenant), JSON.stringify({ runId, folder }), 'application/json');
  // Two generations are kept: a warm API may still be reading the previous one; older ones are read by nobody.
  const stale = new Set((await deps.lake.list(tenantFolder(tenant))).map((key) => /^.*?\/run=[^/]+\//.exec(key)?.[0]).filter((f) => f !== undefined));
  for (const old of stale) if (old !== folder && old !== previous) await deps.clearLakeFolder(old);
  return folder;
}

/** The folder the tenant's pointer names, null without one; only one under the tenant's own prefix is ever named. */
async function pointedFolder(lake: BlobStore, tenant: string): Promise<string | null> {
  const body = await lake.get(latestKey(tenant));
  if (!body) return null;
  const { folder } = JSON.parse((await buffer(body)).toString('utf8')) as { folder?: unknown };
  if (typeof folder !== 'string' || !folder.startsWith(tenantFolder(tenant)) || folder.includes('..')) {
    throw new Error(`${latestKey(tenant)}: names no folder of its tenant`);
  }
  return folder;
}

interface Loaded {
  checkedAt: number;
  folder: string | null;
  pairs: Promise<Map<string, CoPurchase[]>>;
}

export class S3CoPurchases implements CoPurchases {
  constructor(
    private readonly lake: BlobStore,
    private readonly tenant = DEFAULT_TENANT,
    private readonly loaded = new Map<string, Loaded>(),
    private readonly now: () => number = Date.now,
  ) {}

  forTenant(tenant: string): S3CoPurchases {
    return new S3CoPurchases(this.lake, tenant, this.loaded, this.now);
  }

  async boughtWith(key: string, limit: number): Promise<CoPurchase[]> {
    return ((await this.load()).get(key) ?? []).slice(0, limit);
  }

  private async load(): Promise<Map<string, CoPurchase[]>> {
    const seen = this.loaded.get(this.tenant);
    const now = this.now();
    if (seen && now - seen.checkedAt < RECHECK_MS) return seen.pairs;
    const folder = await pointedFolder(this.lake, this.tenant);
    if (seen && seen.folder === folder) {
      seen.checkedAt = now;
      return seen.pairs;
    }
    const pairs = folder ? this.readFolder(folder) : Promise.resolve(new Map<string, CoPurchase[]>());
    this.loaded.set(this.tenant, { checkedAt: now, folder, pairs });
    // A failed read is not kept: the next request tries again.
    pairs.catch(() => this.loaded.get(this.tenant)?.pairs === pairs && this.loaded.delete(this.tenant));
    return pairs;
  }

  private async readFolder(folder: string): Promise<Map<string, CoPurchase[]>> {
    const rows: PairRow[] = [];
    for (const key of await this.lake.list(folder)) {
      const body = await this.lake.get(key);
      if (!body) continue;
      const bytes = await buffer(body);
      if (!bytes.length) continue; // a folder marker
      const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
      rows.push(...((await parquetReadObjects({ file, compressors: PARQUET_COMPRESSORS })) as unknown as PairRow[]));
    }
    return coPurchasesByKey(rows);
  }
}
