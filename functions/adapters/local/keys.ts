import { chmodSync, existsSync, linkSync, mkdirSync, mkdtempSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { type ApiKeyRecord, type ApiKeyRole, DEFAULT_TENANT } from '../../core/api-keys.ts';
import { UnavailableError } from '../../core/errors.ts';
import type { KeyStore } from '../../ports.ts';

const SCHEMA = `CREATE TABLE IF NOT EXISTS api_keys (
  id VARCHAR PRIMARY KEY, name VARCHAR NOT NULL, role VARCHAR NOT NULL, hash VARCHAR NOT NULL,
  created_at VARCHAR NOT NULL, revoked_at VARCHAR, tenant VARCHAR NOT NULL DEFAULT '${DEFAULT_TENANT}');
ALTER TABLE api_keys ADD COLUMN IF NOT EXISTS tenant VARCHAR DEFAULT '${DEFAULT_TENANT}'`;

/**
 * API keys in their own DuckDB file ($AISLE_HOME/keys.duckdb). DuckDB lets one process hold a file at a time,
 * so each operation opens the file, works and closes it: `aisle keys create|revoke` then works while
 * `aisle serve` runs (the server caches lookups for a few seconds, see AppDeps.keyCacheMs).
 * ':memory:' keeps one database open instead (tests). The file is readable by its owner only (0600): it is
 * created in a private folder, restricted there and only then linked into place; an older file is tightened.
 */
export class DuckDbKeyStore implements KeyStore {
  private memory?: Promise<DuckDBConnection>;

  constructor(private readonly path: string) {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  }

  async put(r: ApiKeyRecord): Promise<void> {
    await this.with((db) =>
      db.run('INSERT INTO api_keys (id, name, role, hash, created_at, revoked_at, tenant) VALUES ($1, $2, $3, $4, $5, $6, $7)', [
        r.id,
        r.name,
        r.role,
        r.hash,
        r.createdAt,
        r.revokedAt ?? null,
        r.tenant,
      ]),
    );
  }

  async get(id: string): Promise<ApiKeyRecord | null> {
    if (this.path === ':memory:') {
      const rows = await this.rows('SELECT * FROM api_keys WHERE id = $1', [id]);
      return rows.length ? toRecord(rows[0]) : null;
    }
    return (await this.snapshot()).get(id) ?? null;
  }

  private loaded?: { stamp: string; byId: Map<string, ApiKeyRecord> };
  private loading?: Promise<Map<string, ApiKeyRecord>>;

  /**
   * Every key, read once and kept while the file stays as it was: opening the file costs ~15 ms and one process
   * at a time, so a lookup per request queued behind the lock (a flood of made-up keys made real calls wait
   * seconds, then fail). A change by any process (`aisle keys create|revoke`) changes the file's stamp.
   */
  private async snapshot(): Promise<Map<string, ApiKeyRecord>> {
    const stamp = fileStamp(this.path);
    if (this.loaded?.stamp === stamp) return this.loaded.byId;
    this.loading ??= this.rows('SELECT * FROM api_keys')
      .then((rows) => {
        const byId = new Map(rows.map((row) => [String(row.id), toRecord(row)]));
        this.loaded = { stamp, byId };
        return byId;
      })
      .finally(() => {
        this.loading = undefined;
      });
    return this.loading;
  }

  async list(): Promise<ApiKeyRecord[]> {
    return (await this.rows('SELECT * FROM api_keys ORDER BY created_at, id')).map(toRecord);
  }

  async revoke(id: string, at: string): Promise<boolean> {
    return (await this.rows('UPDATE api_keys SET revoked_at = coalesce(revoked_at, $2) WHERE id = $1 RETURNING id', [id, at])).length > 0;
  }

  private rows(sql: string, params: string[] = []): Promise<Record<string, unknown>[]> {
    return this.with(async (db) => (await db.runAndReadAll(sql, params)).getRowObjectsJson());
  }

  private privateFile?: Promise<void>;

  private async ensurePrivateFile(): Promise<void> {
    if (existsSync(this.path)) return tighten(this.path);
    const dir = mkdtempSync(join(dirname(this.path), '.keys-')); // 0700: nobody else can open what is made here
    try {
      const fresh = join(dir, 'keys.duckdb');
      const instance = await DuckDBInstance.create(fresh);
      try {
        const db = await instance.connect();
        await db.run(SCHEMA);
        db.closeSync();
      } finally {
        instance.closeSync();
      }
      chmodSync(fresh, 0o600);
      try {
        linkSync(fresh, this.path);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'EEXIST')
          tighten(this.path); // another process made it first: use theirs
        else if (!existsSync(this.path))
          renameSync(fresh, this.path); // a file system without hard links
        else throw err;
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  private async with<T>(work: (db: DuckDBConnection) => Promise<T>): Promise<T> {
    if (this.path !== ':memory:') {
      this.privateFile ??= this.ensurePrivateFile().catch((err) => {
        this.privateFile = undefined; // the next call tries again
        throw err;
      });
      await this.privateFile;
    }
    if (this.path === ':memory:') {
      this.memory ??= DuckDBInstance.create(':memory:').then(async (i) => {
        const db = await i.connect();
        await db.run(SCHEMA);
        return db;
      });
      return work(await this.memory);
    }
    // Another process may hold the file for a moment (a concurrent `aisle keys` or lookup): retry briefly.
    for (let attempt = 0; ; attempt++) {
      let instance: DuckDBInstance | undefined;
      try {
        instance = await DuckDBInstance.create(this.path);
        const db = await instance.connect();
        try {
          await db.run(SCHEMA);
          return await work(db);
        } finally {
          db.closeSync();
        }
      } catch (err) {
        const locked = /lock/i.test((err as Error).message);
        if (!locked) throw err;
        if (attempt >= 20) throw new UnavailableError('key store', `${this.path} stays locked by another process`, 1);
        await new Promise((r) => setTimeout(r, 50 + attempt * 25));
      } finally {
        instance?.closeSync();
      }
    }
  }
}

/** What changes when the key file is written: its change time, size and inode, and its write-ahead log's. */
function fileStamp(path: string): string {
  return [path, `${path}.wal`]
    .map((p) => {
      const st = statSync(p, { bigint: true, throwIfNoEntry: false });
      return st ? `${st.ctimeNs}:${st.mtimeNs}:${st.size}:${st.ino}` : '-';
    })
    .join(' ');
}

/** Owner-only permissions on an existing key store; a file this user may not change is left as it is. */
function tighten(path: string): void {
  try {
    chmodSync(path, 0o600);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') throw err;
  }
}

function toRecord(row: Record<string, unknown>): ApiKeyRecord {
  return {
    id: String(row.id),
    name: String(row.name),
    role: row.role as ApiKeyRole,
    tenant: row.tenant ? String(row.tenant) : DEFAULT_TENANT, // keys made before tenants existed
    hash: String(row.hash),
    createdAt: String(row.created_at),
    ...(row.revoked_at ? { revokedAt: String(row.revoked_at) } : {}),
  };
}
