import { LocalModelRegistry } from '../../functions/adapters/local/model-registry.ts';
import { aisleHome } from '../../functions/adapters/local/runtime.ts';
import type { ModelVersionInfo } from '../../functions/ports.ts';
import { commandArgs } from './args.ts';
import { formatTable } from './insights.ts';

const HELP = `usage: aisle models [promote VERSION] [--json]

Lists the model versions of the registry ($AISLE_HOME/models and the shipped models/encoder/starter-*):
role (champion, challenger, retired), the validation figures of their metrics.json, when they were made.
"promote VERSION" makes a registered or shipped version the champion by hand (e.g. to roll back); the
encoder tier loads the champion when aisle classify or aisle serve starts.

options:
  --json       print the list as JSON
  -h, --help   this help`;

function summary(metrics: ModelVersionInfo['metrics']): Record<string, number | undefined> {
  return (metrics as { summary?: Record<string, number> }).summary ?? {};
}

const pct = (x: number | undefined) => (typeof x === 'number' ? `${(x * 100).toFixed(2)}%` : '—');

export async function run(argv: string[]): Promise<number> {
  const args = commandArgs(argv, HELP, {
    allowPositionals: true,
    options: { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
  });
  if (!args) return 0;
  const { values, positionals } = args;
  const registry = LocalModelRegistry.forHome(aisleHome());
  const [action, version, ...rest] = positionals;
  if (action === 'promote') {
    if (!version || rest.length) {
      console.error(`aisle models: promote takes one version\n\n${HELP}`);
      return 2;
    }
    const before = await registry.champion();
    await registry.promote(version);
    console.log(`champion: ${version} (was ${before?.version ?? 'none'})`);
    return 0;
  }
  if (action) {
    console.error(`aisle models: unknown action "${action}"\n\n${HELP}`);
    return 2;
  }
  const versions = await registry.list();
  if (values.json) {
    const listed = versions.map(({ metrics, ...v }) => ({ ...v, summary: summary(metrics) }));
    console.log(JSON.stringify(listed, null, 2));
    return 0;
  }
  const rows = versions.map((v) => {
    const s = summary(v.metrics);
    const figures = { 'L1 accuracy': pct(s.level1Accuracy), 'L2 macro-F1': pct(s.level2MacroF1), coverage: pct(s.coverage) };
    return { version: v.version, role: v.role, ...figures, created: v.createdAt.slice(0, 19), location: v.location ?? '' };
  });
  console.log(formatTable(rows));
  console.log("\n(figures: each version's own validation slice, from its metrics.json; compare versions on the same rows with aisle eval)");
  return 0;
}
