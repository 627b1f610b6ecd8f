import { join } from 'node:path';
import { DuckDbInsights } from '../../functions/adapters/local/insights.ts';
import { aisleHome } from '../../functions/adapters/local/runtime.ts';
import { csvCell } from '../../functions/core/csv.ts';
import { commandArgs } from './args.ts';
import { terminalText } from './terminal.ts';

const HELP = `usage: aisle insights [NAME] [--job ID] [--format table|csv|json]

Runs a named query over the local results lake ($AISLE_HOME/lake). With no NAME, lists the queries
(--format json: a JSON array of their names). Jobs that \`aisle classify\` finished since the last query are
added to the lake first, from their output files (a million rows take a second or two).

options:
  --job ID          only this job (drift: this job against the jobs before it)
  --format FORMAT   table (default), csv or json
  -h, --help        this help`;

export type Format = 'table' | 'csv' | 'json';

function cell(v: unknown): string {
  if (v === null || v === undefined) return '';
  return typeof v === 'number' && !Number.isInteger(v) ? String(Number(v.toFixed(4))) : terminalText(String(v));
}

/** Columns padded to their widest cell; numbers right-aligned. */
export function formatTable(rows: Record<string, unknown>[]): string {
  if (!rows.length) return '(no rows)';
  const cols = Object.keys(rows[0]);
  const cells = rows.map((r) => cols.map((c) => cell(r[c])));
  const widths = cols.map((c, i) => Math.max(c.length, ...cells.map((row) => row[i].length)));
  const numeric = cols.map((c) => rows.every((r) => r[c] === null || typeof r[c] === 'number'));
  const line = (vals: string[]) =>
    vals
      .map((v, i) => (numeric[i] ? v.padStart(widths[i]) : v.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(cols), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n');
}

/** The rows as a table, CSV (cells neutralised) or JSON. */
export function render(rows: Record<string, unknown>[], format: Format): string {
  if (format === 'json') return JSON.stringify(rows, null, 2);
  // Product names and search terms in the rows are cells a spreadsheet opens: through csvCell, like every CSV Aisle writes.
  if (format === 'csv') {
    if (!rows.length) return '';
    const cols = Object.keys(rows[0]);
    const line = (cells: unknown[]) => cells.map((v) => csvCell(v === null || v === undefined ? '' : String(v))).join(',');
    return [line(cols), ...rows.map((r) => line(cols.map((c) => r[c])))].join('\n');
  }
  return formatTable(rows);
}

export async function run(argv: string[]): Promise<number> {
  const args = commandArgs(argv, HELP, {
    allowPositionals: true,
    options: { job: { type: 'string' }, format: { type: 'string', default: 'table' }, help: { type: 'boolean', short: 'h' } },
  });
  if (!args) return 0;
  const { values, positionals } = args;
  const format = values.format as Format;
  if (!['table', 'csv', 'json'].includes(format)) {
    console.error(`aisle insights: --format must be table, csv or json, not "${values.format}"`);
    return 2;
  }
  if (positionals.length > 1) {
    console.error(`aisle insights: one query name at most, got ${positionals.join(' ')}\n\n${HELP}`);
    return 2;
  }
  const home = aisleHome();
  const insights = new DuckDbInsights(join(home, 'lake'));
  try {
    const [name] = positionals;
    if (!name) {
      const list = await insights.list();
      // The table shows each description's first sentence; csv keeps them whole.
      const shown = format === 'table' ? list.map((q) => ({ ...q, description: q.description.split(/(?<=\.) /)[0] })) : list;
      console.log(format === 'json' ? JSON.stringify(list.map((q) => q.name)) : render(shown, format));
      return 0;
    }
    const rows = await insights.run(name, { jobId: values.job });
    console.log(render(rows, format));
    return 0;
  } finally {
    await insights.close();
  }
}
