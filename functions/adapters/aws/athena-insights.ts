import {
  type AthenaClient,
  type ColumnInfo,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  type Row,
  StartQueryExecutionCommand,
} from '@aws-sdk/client-athena';
import { DEFAULT_TENANT } from '../../core/api-keys.ts';
import { athenaQueryText, NamedQueries } from '../../core/insights.ts';
import type { Insights } from '../../ports.ts';

export interface AthenaInsightsOptions {
  client: AthenaClient;
  workGroup: string;
  database: string;
  /** First wait between polls of the query state, in ms (default 200; grows ×2 between polls, up to MAX_POLL_MS). */
  pollMs?: number;
}

const MAX_POLL_MS = 2_000;
/** Gives up on a query after this long (Athena keeps running it; the caller gets an error). */
const TIMEOUT_MS = 60_000;

export class AthenaQueryError extends Error {}

const NUMERIC = new Set(['tinyint', 'smallint', 'integer', 'int', 'bigint', 'double', 'float', 'real', 'decimal']);

/** Athena returns every value as a string: convert by the column's declared type. */
function convert(value: string | undefined, column: ColumnInfo): unknown {
  if (value === undefined) return null;
  const type = (column.Type ?? 'varchar').toLowerCase();
  if (NUMERIC.has(type)) return Number(value);
  if (type === 'boolean') return value === 'true';
  return value;
}

/**
 * The named queries on Athena over the lake bucket (Glue table `results`). The SQL text is the same file
 * DuckDB runs, with the job id and the tenant written in as literals (athenaQueryText: both of a safe alphabet).
 */
export class AthenaInsights implements Insights {
  private readonly named = new NamedQueries();

  constructor(
    private readonly opts: AthenaInsightsOptions,
    readonly tenant = DEFAULT_TENANT,
  ) {}

  forTenant(tenant: string): AthenaInsights {
    return new AthenaInsights(this.opts, tenant);
  }

  async list() {
    return this.named.list();
  }

  async run(name: string, params: { jobId?: string } = {}): Promise<Record<string, unknown>[]> {
    const { query, jobId, tenant } = this.named.resolve(name, params, this.tenant);
    const { client, workGroup, database } = this.opts;
    const started = await client.send(
      new StartQueryExecutionCommand({
        QueryString: athenaQueryText(query.sql, jobId, tenant),
        WorkGroup: workGroup,
        QueryExecutionContext: { Database: database },
      }),
    );
    const id = started.QueryExecutionId;
    if (!id) throw new AthenaQueryError(`Athena started "${name}" without a query execution id`);
    await this.waitFor(id, name);
    return this.readResults(id);
  }

  private async waitFor(id: string, name: string): Promise<void> {
    const deadline = Date.now() + TIMEOUT_MS;
    let wait = this.opts.pollMs ?? 200;
    for (;;) {
      const { QueryExecution } = await this.opts.client.send(new GetQueryExecutionCommand({ QueryExecutionId: id }));
      const state = QueryExecution?.Status?.State;
      if (state === 'SUCCEEDED') return;
      if (state === 'FAILED' || state === 'CANCELLED') {
        throw new AthenaQueryError(
          `insight "${name}" ${state.toLowerCase()} on Athena: ${QueryExecution?.Status?.StateChangeReason ?? 'no reason given'}`,
        );
      }
      if (Date.now() > deadline)
        throw new AthenaQueryError(`insight "${name}" still ${state ?? 'pending'} on Athena after ${TIMEOUT_MS} ms (execution ${id})`);
      await new Promise((r) => setTimeout(r, wait));
      wait = Math.min(wait * 2, MAX_POLL_MS);
    }
  }

  private async readResults(id: string): Promise<Record<string, unknown>[]> {
    const out: Record<string, unknown>[] = [];
    let columns: ColumnInfo[] | undefined;
    let token: string | undefined;
    let first = true;
    do {
      const page = await this.opts.client.send(new GetQueryResultsCommand({ QueryExecutionId: id, NextToken: token }));
      columns ??= page.ResultSet?.ResultSetMetadata?.ColumnInfo ?? [];
      let rows: Row[] = page.ResultSet?.Rows ?? [];
      // A SELECT's first page starts with the header row.
      if (first && rows.length && rows[0].Data?.every((d, i) => d.VarCharValue === columns![i]?.Name)) rows = rows.slice(1);
      first = false;
      for (const row of rows) {
        const data = row.Data ?? [];
        out.push(Object.fromEntries(columns.map((c, i) => [c.Name ?? `col${i}`, convert(data[i]?.VarCharValue, c)])));
      }
      token = page.NextToken;
    } while (token);
    return out;
  }
}
