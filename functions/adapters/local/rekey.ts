import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { KEY_VERSION, toCascadeItem } from '../../core/normalize.ts';

/**
 * Moves a state database to the current item keys (functions/core/normalize.ts KEY_VERSION) once, when it is
 * opened: every decision is re-keyed from the name and brand it was made for, and each human label follows the
 * item it was set on (the name of the latest decision under its old key), so labels survive a key change.
 * Cached decisions are dropped: the cascade decides those items again. A database without a recorded key
 * version was made by version 1.
 */
export async function rekeyItems(c: DuckDBConnection, tmpDir: string): Promise<void> {
  await c.run('CREATE TABLE IF NOT EXISTS meta (name VARCHAR PRIMARY KEY, value VARCHAR NOT NULL)');
  const recorded = (await c.runAndReadAll(`SELECT value FROM meta WHERE name = 'key_version'`)).getRows()[0]?.[0];
  if (recorded === String(KEY_VERSION)) return;
  const items = (await c.runAndReadAll('SELECT DISTINCT tenant, key, name, brand FROM decisions')).getRows() as [
    string,
    string,
    string,
    string | null,
  ][];
  await c.run('BEGIN TRANSACTION');
  const file = join(tmpDir, `rekey-${process.pid}.csv`);
  try {
    if (items.length) {
      const lines = items.map(([tenant, key, name, brand]) => {
        const item = toCascadeItem({ name, brand: brand ?? undefined });
        return [tenant, key, name, brand ?? '', item.key, item.text].map(quoted).join(',');
      });
      writeFileSync(file, `tenant,old_key,name,brand,new_key,new_text\n${lines.join('\n')}\n`);
      await c.run(
        `CREATE TEMP TABLE rekey AS SELECT * FROM read_csv('${file.replace(/'/g, "''")}', header = true, all_varchar = true, quote = '"', escape = '"', allow_quoted_nulls = false)`,
      );
      // Each label goes with the item its key named last (old keys could be shared by names v1 could not tell apart).
      await c.run(`CREATE TEMP TABLE relabel AS
        SELECT l.tenant, l.key AS old_key, arg_max(r.new_key, d.decided_at) AS new_key
        FROM labels l JOIN decisions d ON d.tenant = l.tenant AND d.key = l.key
        JOIN rekey r ON r.tenant = d.tenant AND r.old_key = d.key AND r.name = d.name AND r.brand = coalesce(d.brand, '')
        GROUP BY l.tenant, l.key`);
      await c.run(`UPDATE decisions SET key = r.new_key, text = r.new_text FROM rekey r
        WHERE decisions.tenant = r.tenant AND decisions.key = r.old_key AND decisions.name = r.name
          AND coalesce(decisions.brand, '') = r.brand`);
      // Two old keys may meet in one new key: the later label wins, as a later label of one key does.
      await c.run(`CREATE TEMP TABLE moved AS
        SELECT l.* REPLACE (x.new_key AS key) FROM labels l JOIN relabel x ON x.tenant = l.tenant AND x.old_key = l.key
        QUALIFY row_number() OVER (PARTITION BY l.tenant, x.new_key ORDER BY l.labelled_at DESC) = 1`);
      await c.run('DELETE FROM labels USING relabel x WHERE labels.tenant = x.tenant AND labels.key = x.old_key');
      await c.run('INSERT OR REPLACE INTO labels BY NAME SELECT * FROM moved');
      await c.run('DROP TABLE rekey; DROP TABLE relabel; DROP TABLE moved');
    }
    await c.run('DELETE FROM cache');
    await c.run(`INSERT OR REPLACE INTO meta VALUES ('key_version', '${KEY_VERSION}')`);
    await c.run('COMMIT');
  } catch (err) {
    await c.run('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    rmSync(file, { force: true });
  }
}

/** A CSV field, always quoted: an empty brand stays an empty string (allow_quoted_nulls = false). */
const quoted = (value: string) => `"${value.replace(/"/g, '""')}"`;
