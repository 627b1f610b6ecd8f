import { createReadStream } from 'node:fs';
import { CategoryMapLearner, type CategoryMapping } from '../../functions/core/category-map.ts';
import { csvCell } from '../../functions/core/csv.ts';
import { UserError } from '../../functions/core/errors.ts';
import { openTable } from '../../functions/core/input/open.ts';
import { commandArgs } from './args.ts';

const HELP = `usage: aisle map-categories OUT.csv [options]

Learns how your own categories (a category or department column of the input) map to Aisle's, from the rows
an aisle classify run decided (status ok; rows waiting for review are left out), and prints the mapping:
for each of your categories, its rows and the classes of ours they were put in, with their shares.

options:
  --category-column NAME  your category column (default: found by name: category, department, aisle, ...)
  --levels N              compare on the first N levels of our taxonomy (default: all)
  --top N                 our classes shown per category (default 3)
  --format FMT            table (default), csv or json
  -h, --help              this help`;

export async function run(argv: string[]): Promise<number> {
  const args = commandArgs(argv, HELP, {
    allowPositionals: true,
    options: {
      'category-column': { type: 'string' },
      levels: { type: 'string' },
      top: { type: 'string' },
      format: { type: 'string', default: 'table' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (!args) return 0;
  const { values, positionals } = args;
  if (positionals.length !== 1) throw new UserError(`map-categories takes one classified file (an aisle classify output)\n\n${HELP}`);
  const format = values.format!;
  if (!['table', 'csv', 'json'].includes(format)) throw new UserError(`--format must be table, csv or json, got "${format}"`);
  const top = Number(values.top ?? 3);
  const { reader } = await openTable(createReadStream(positionals[0]), { name: positionals[0], columns: { category: values['category-column'] } });
  const learner = new CategoryMapLearner();
  let levels: number[] | undefined;
  let status = -1;
  for await (const batch of reader.batches()) {
    const c = reader.columns!;
    if (!levels) {
      if (c.category < 0) throw new UserError(`no category column among ${c.header.map((h) => `"${h}"`).join(', ')}: name it with --category-column`);
      status = c.header.indexOf('status');
      const all = c.header.flatMap((h, i) => (/^level\d+$/.test(h) ? [i] : []));
      if (status < 0 || !all.length) throw new UserError(`${positionals[0]} is not an aisle classify output (no status and level columns)`);
      levels = all.slice(0, values.levels ? Number(values.levels) : all.length);
    }
    for (const row of batch.rows) {
      if (row[status] !== 'ok') continue;
      learner.add(
        row[c.category],
        levels
          .map((i) => row[i])
          .filter(Boolean)
          .join(' > '),
      );
    }
  }
  console.log(render(learner.mapping(top), format));
  return 0;
}

function render(mapping: CategoryMapping[], format: string): string {
  if (format === 'json') return JSON.stringify(mapping, null, 2);
  const pct = (s: number) => `${(s * 100).toFixed(1)}%`;
  if (format === 'csv') {
    const lines = ['source_category,rows,our_category,our_rows,share'];
    for (const m of mapping) for (const o of m.ours) lines.push([csvCell(m.source), m.rows, csvCell(o.path), o.rows, o.share.toFixed(4)].join(','));
    return lines.join('\n');
  }
  const width = Math.min(40, Math.max(15, ...mapping.map((m) => m.source.length)));
  const lines = [`${'your category'.padEnd(width)}  ${'rows'.padStart(7)}  ours (share of its decided rows)`];
  for (const m of mapping) {
    lines.push(
      `${m.source.slice(0, width).padEnd(width)}  ${String(m.rows).padStart(7)}  ${m.ours.map((o) => `${o.path} ${pct(o.share)}`).join(' · ')}`,
    );
  }
  return lines.join('\n');
}
