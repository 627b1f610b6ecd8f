/**
 * The named insight queries (functions/core/insights/*.sql): one SQL text per name, run unchanged by DuckDB
 * locally and Athena on AWS. See functions/core/insights/README.md for the contract each file keeps.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { TENANT_RE } from './api-keys.ts';
import { UserError } from './errors.ts';

export interface NamedQuery {
  name: string;
  description: string;
  sql: string;
}

/** Functions both DuckDB and Athena (Trino) implement with the same meaning; the README explains the list. */
// biome-ignore format: a word list, one kind of function a line
export const ALLOWED_FUNCTIONS = new Set([
  'COUNT', 'SUM', 'AVG', 'MIN', 'MAX',
  'ROW_NUMBER', 'RANK', 'DENSE_RANK', 'LAG', 'LEAD',
  'ROUND', 'FLOOR', 'CEIL', 'ABS', 'LN', 'EXP', 'SQRT', 'POWER', 'GREATEST', 'LEAST',
  'SUBSTR', 'LOWER', 'UPPER', 'LENGTH', 'TRIM',
  'CAST', 'COALESCE', 'NULLIF',
]);

// Words that can stand before "(" without being a function call.
// biome-ignore format: a word list
const SQL_KEYWORDS = new Set(['AS', 'IN', 'OVER', 'EXISTS', 'VALUES', 'AND', 'OR', 'NOT', 'ON', 'FROM', 'JOIN', 'USING', 'WHERE', 'SELECT', 'WITH', 'THEN', 'ELSE', 'WHEN', 'BY']);

/** The function names a SQL text calls (upper-case), comments and string literals left out. */
export function functionsCalled(sql: string): string[] {
  const code = sql.replace(/--[^\n]*/g, ' ').replace(/'(?:[^']|'')*'/g, "''");
  const names = new Set<string>();
  for (const m of code.matchAll(/\b([A-Za-z_][A-Za-z0-9_]*)\s*\(/g)) {
    const name = m[1].toUpperCase();
    if (!SQL_KEYWORDS.has(name)) names.add(name);
  }
  return [...names].sort();
}

export const INSIGHTS_DIR = fileURLToPath(new URL('./insights/', import.meta.url));

/** Reads the named queries from a folder (default: the shipped ones), sorted by name. */
export function loadNamedQueries(dir: string = INSIGHTS_DIR): NamedQuery[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.sql'))
    .sort()
    .map((file) => {
      const sql = readFileSync(`${dir}/${file}`, 'utf8');
      const description = sql
        .split('\n')
        .filter((line) => line.startsWith('--'))
        .map((line) => line.replace(/^--\s?/, ''))
        .join(' ')
        .trim();
      return { name: file.replace(/\.sql$/, ''), description, sql };
    });
}

export class UnknownQueryError extends UserError {
  constructor(name: string, known: string[]) {
    super(`no insight query named "${name}"; known: ${known.join(', ')}`);
  }
}

export class BadJobIdError extends UserError {
  constructor(jobId: string) {
    super(`job id "${jobId}" may hold only letters, digits, ".", "_" and "-"`);
  }
}

/** Job ids reach SQL as a bound value locally and as a literal on Athena: keep them to a safe alphabet. */
export function checkJobId(jobId: string | undefined): string | undefined {
  if (jobId !== undefined && !/^[A-Za-z0-9_.-]{1,128}$/.test(jobId)) throw new BadJobIdError(jobId);
  return jobId;
}

/** The two lines every named query starts with (README), where DuckDB binds the job and the tenant. */
export const PARAMS_HEADER =
  'WITH params AS (SELECT CAST(? AS VARCHAR) AS job, CAST(? AS VARCHAR) AS tenant),\n' +
  'tenant_results AS (SELECT r.* FROM results r CROSS JOIN params p WHERE r.tenant = p.tenant)';

/**
 * A named query's text for Athena: the job and tenant written in as literals, and the tenant compared with the
 * partition column directly. Athena takes `?` only in a WHERE clause, and partition projection of the injected
 * `tenant` column needs a static equality there, so the bound header would fail or scan every tenant. Both values
 * are checked to a safe alphabet first (resolve), so a literal cannot end early.
 */
export function athenaQueryText(sql: string, jobId: string | undefined, tenant: string): string {
  if (!sql.includes(PARAMS_HEADER)) throw new Error('a named query must start with the params header (functions/core/insights/README.md)');
  if (!TENANT_RE.test(tenant)) throw new Error(`tenant "${tenant}" has characters a query cannot hold`);
  const job = checkJobId(jobId);
  const header =
    `WITH params AS (SELECT CAST(${job === undefined ? 'NULL' : `'${job}'`} AS VARCHAR) AS job, CAST('${tenant}' AS VARCHAR) AS tenant),\n` +
    `tenant_results AS (SELECT r.* FROM results r WHERE r.tenant = '${tenant}')`;
  return sql.replace(PARAMS_HEADER, header);
}

/** The named queries as every insights adapter serves them: the list, and a query by name with its checked job id. */
export class NamedQueries {
  private readonly queries = loadNamedQueries();

  list(): { name: string; description: string }[] {
    return this.queries.map(({ name, description }) => ({ name, description }));
  }

  /** The query, its checked job id and tenant: its two parameters, bound in that order. */
  resolve(name: string, params: { jobId?: string }, tenant: string): { query: NamedQuery; jobId?: string; tenant: string } {
    // The tenant reaches Athena as a literal, like the job id: a key's tenant is checked when the key is made, and again here.
    if (!TENANT_RE.test(tenant)) throw new Error(`tenant "${tenant}" has characters a query cannot hold`);
    const query = this.queries.find((q) => q.name === name);
    if (!query)
      throw new UnknownQueryError(
        name,
        this.queries.map((q) => q.name),
      );
    return { query, jobId: checkJobId(params.jobId), tenant };
  }
}
