import { listValue } from '@duckdb/node-api';
import { DEFAULT_TENANT } from '../../core/api-keys.ts';
import type { Decision } from '../../core/types.ts';
import type { Cache } from '../../ports.ts';
import type { Cell } from './decision-rows.ts';
import { type CacheRow, cacheScope, decisionOf, GroupCommit, type LocalDb } from './duckdb.ts';
import { appendRows } from './duckdb-append.ts';

/**
 * The inference cache: decisions of expensive tiers by key and taxonomy version, with an optional TTL; human
 * labels answer first and never expire. Expiry is judged by `now` (injectable, so tests need not wait).
 */
export class DuckDbCache implements Cache {
  constructor(
    private readonly db: LocalDb,
    private readonly ttlSeconds?: number,
    private readonly now: () => number = Date.now,
    readonly tenant = DEFAULT_TENANT,
    private readonly views = new Map<string, DuckDbCache>(),
  ) {
    views.set(tenant, this);
  }

  forTenant(tenant: string): DuckDbCache {
    return this.views.get(tenant) ?? new DuckDbCache(this.db, this.ttlSeconds, this.now, tenant, this.views);
  }

  async getMany(keys: string[], taxonomyVersion: string): Promise<Map<string, Decision>> {
    const out = new Map<string, Decision>();
    const now = this.now();
    const scope = cacheScope(this.tenant, taxonomyVersion);
    const known = await this.db.keysFor(this.tenant, taxonomyVersion, now);
    if (!known.size) return out;
    const recent = this.db.recentHits;
    const wanted: string[] = [];
    for (const k of keys) {
      if (!known.has(k)) continue;
      const hit = recent.get(scope, k, now);
      if (hit) out.set(k, hit);
      else wanted.push(k);
    }
    if (!wanted.length) return out;
    const sql = `SELECT key, class_id, 1.0 AS confidence, 'human' AS tier, 'ok' AS status, NULL AS rule_id, NULL AS model_version,
              'labelled by ' || labelled_by AS reason, taxonomy_version, true AS human, NULL::TIMESTAMP AS expires_at
         FROM labels WHERE tenant = $t AND taxonomy_version = $v AND list_contains($keys, key)
       UNION ALL
       SELECT key, class_id, confidence, tier, status, rule_id, model_version, reason, taxonomy_version, false AS human, expires_at
         FROM cache WHERE tenant = $t AND taxonomy_version = $v AND list_contains($keys, key)
          AND (expires_at IS NULL OR expires_at > $now::TIMESTAMP)`;
    const read = await this.db.exclusive(async (c) => {
      const rows = (
        await c.runAndReadAll(sql, { t: this.tenant, v: taxonomyVersion, keys: listValue(wanted), now: new Date(now).toISOString() })
      ).getRowObjectsJS() as unknown as (CacheRow & { human: boolean; expires_at: Date | null })[];
      const answers = new Map<string, { decision: Decision; expiresAt: number }>();
      for (const r of rows) {
        if (answers.has(r.key) && !r.human) continue; // a human label wins
        answers.set(r.key, { decision: decisionOf(r), expiresAt: r.expires_at ? r.expires_at.getTime() : Infinity });
      }
      for (const answer of answers.values()) recent.keep(scope, answer);
      return answers;
    });
    for (const [k, { decision }] of read) out.set(k, decision);
    return out;
  }

  private readonly cacheWrites = new GroupCommit<Decision>((decisions) => this.writeCache(decisions));

  putMany(decisions: Decision[]): Promise<void> {
    const fresh = decisions.filter((d) => d.tier !== 'human' && d.tier !== 'cache');
    return fresh.length ? this.cacheWrites.add(fresh) : Promise.resolve();
  }

  private async writeCache(fresh: Decision[]): Promise<void> {
    const now = new Date(this.now());
    const at = now.toISOString();
    const expires = this.ttlSeconds ? new Date(now.getTime() + this.ttlSeconds * 1000).toISOString() : null;
    // One row per key and version (the last wins), as the primary key requires.
    const byKey = new Map(fresh.map((d) => [`${d.key}\u0000${d.taxonomyVersion}`, d]));
    const rowOf = (d: Decision): Cell[] => [
      d.key,
      d.taxonomyVersion,
      d.classId,
      d.confidence,
      d.tier,
      d.status,
      d.ruleId,
      d.modelVersion,
      d.reason,
      at,
      expires,
      this.tenant,
    ];
    // Keys the cache is known not to hold are appended (cheap); the rest replace what is there (several times
    // dearer). A key held but not known (an expired entry) breaks the primary key: then all go the dear way.
    const unheld: Decision[] = [];
    const held: Decision[] = [];
    const known = (d: Decision) => this.db.cachedKeys.get(cacheScope(this.tenant, d.taxonomyVersion));
    for (const d of byKey.values()) (known(d)?.has(d.key) === false ? unheld : held).push(d);
    if (unheld.length) {
      try {
        await this.db.append('cache', unheld.map(rowOf));
      } catch {
        held.push(...unheld);
      }
    }
    if (held.length) await this.replaceCache(held.map(rowOf));
    for (const d of byKey.values()) {
      known(d)?.add(d.key);
    }
  }

  private async replaceCache(rows: Cell[][]): Promise<void> {
    await this.db.transaction(async (c) => {
      await c.run('CREATE TEMP TABLE IF NOT EXISTS cache_stage AS SELECT * FROM cache LIMIT 0');
      await c.run('DELETE FROM cache_stage');
      await appendRows(c, 'cache_stage', rows);
      await c.run('INSERT OR REPLACE INTO cache SELECT * FROM cache_stage');
      for (const [key, version] of rows) this.db.recentHits.forget(cacheScope(this.tenant, version as string), key as string);
    });
  }
}
