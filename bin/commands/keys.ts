import { join } from 'node:path';
import { DuckDbKeyStore } from '../../functions/adapters/local/keys.ts';
import { configOf } from '../../functions/config/deployables.ts';
import { type ApiKeyRecord, DEFAULT_TENANT, newApiKey, TENANT_RE } from '../../functions/core/api-keys.ts';
import { commandArgs } from './args.ts';
import { terminalText } from './terminal.ts';

const USAGE = `usage: aisle keys create --name NAME [--read-only] [--tenant TENANT]
       aisle keys list [--json]
       aisle keys revoke ID

API keys for \`aisle serve\` (Authorization: Bearer <key>). Only a hash is stored, in $AISLE_HOME/keys.duckdb;
create prints the key once. Read-only keys may classify and read; other keys may also label, upload jobs and retrain.
--tenant: whose data the key sees (jobs, items, labels, review, insights); a key sees its tenant's data only.
Default: ${DEFAULT_TENANT}, the tenant of \`aisle classify\` and of keys made before tenants existed.`;

/** Where the local key store lives. */
export function keyStorePath(): string {
  return join(configOf('local').aisleHome, 'keys.duckdb');
}

/**
 * The lines of `aisle keys list`. A key's name is whatever its maker typed (`--name`): control characters in it
 * are shown as markers (terminal.ts), so a name cannot rewrite the operator's screen.
 */
function keysTable(keys: Omit<ApiKeyRecord, 'hash'>[]): string[] {
  const rows = keys.map((k) => [k.id, k.name, k.role, k.tenant, k.createdAt, k.revokedAt ? `revoked ${k.revokedAt}` : 'active'].map(terminalText));
  const head = ['id', 'name', 'role', 'tenant', 'created', 'state'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  return [head, ...rows].map((r) =>
    r
      .map((c, i) => c.padEnd(widths[i]))
      .join('  ')
      .trimEnd(),
  );
}

/** `aisle keys create|list|revoke`: one short branch per action over one key store, opened after the options are read. */
export async function run(argv: string[]): Promise<number> {
  const [action, ...rest] = argv;
  if (!action || action === '--help' || action === '-h') {
    console.log(USAGE);
    return action ? 0 : 2;
  }
  // Opened only once the arguments are read: `--help` touches no key store.
  const store = () => new DuckDbKeyStore(keyStorePath());
  switch (action) {
    case 'create': {
      const args = commandArgs(rest, USAGE, {
        options: {
          name: { type: 'string' },
          'read-only': { type: 'boolean', default: false },
          tenant: { type: 'string', default: DEFAULT_TENANT },
          help: { type: 'boolean', short: 'h' },
        },
      });
      if (!args) return 0;
      const { values } = args;
      const name = values.name?.trim();
      if (!name) {
        console.error('aisle keys create: --name NAME is required (who or what uses the key)');
        return 2;
      }
      const tenant = values.tenant;
      if (!TENANT_RE.test(tenant)) {
        console.error(`aisle keys create: --tenant "${tenant}": lowercase letters, digits, "-" and "_" only (at most 63)`);
        return 2;
      }
      const { key, record } = newApiKey(name, values['read-only'] ? 'read' : 'write', { tenant });
      await store().put(record);
      console.log(key);
      console.error(
        `created ${record.role} key ${record.id} "${terminalText(name)}" of tenant ${tenant}; it is shown only now — keep it somewhere safe`,
      );
      return 0;
    }
    case 'list': {
      const args = commandArgs(rest, USAGE, { options: { json: { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h' } } });
      if (!args) return 0;
      const { values } = args;
      const keys = await store().list();
      if (values.json) {
        console.log(JSON.stringify(keys.map(({ hash: _hash, ...k }) => k)));
        return 0;
      }
      if (!keys.length) {
        console.log('no keys yet: aisle keys create --name NAME');
        return 0;
      }
      for (const line of keysTable(keys)) console.log(line);
      return 0;
    }
    case 'revoke': {
      const args = commandArgs(rest, USAGE, { options: { help: { type: 'boolean', short: 'h' } }, allowPositionals: true });
      if (!args) return 0;
      const id = args.positionals[0];
      if (!id) {
        console.error('aisle keys revoke: give the key id (see aisle keys list)');
        return 2;
      }
      if (!(await store().revoke(id, new Date().toISOString()))) {
        console.error(`aisle keys revoke: no key with id ${terminalText(id)}`);
        return 1;
      }
      console.log(`revoked key ${id} (a running server stops accepting it within 5 s)`);
      return 0;
    }
    default:
      console.error(`aisle keys: unknown action "${action}"\n\n${USAGE}`);
      return 2;
  }
}
