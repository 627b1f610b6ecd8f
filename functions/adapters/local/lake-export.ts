/**
 * Puts finished local jobs in the results lake ($AISLE_HOME/lake/results/tenant=…/dt=…/job=…/part-0.parquet), in the
 * layout and columns of functions/core/lake.ts. DuckDB reads the job's output CSV and writes the Parquet file
 * itself, so a million-row job costs about 1.5 CPU seconds and no JavaScript per row.
 *
 * The export runs when the lake is next read (DuckDbInsights fills it before a query), or at once when asked
 * (`aisle classify --lake`, `aisle serve`'s jobs): most batch runs never have their insights looked at, and
 * the export is a third of a rules-only run's time. A finished job leaves a marker under lake/pending/ with
 * what the export needs that outlives the run: the output file (checked by size and mtime), the class ids
 * of the job's taxonomy, the time it finished and the cost units its stored decisions spent.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { DEFAULT_TENANT } from '../../core/api-keys.ts';
import { addedColumns, resolveColumns } from '../../core/csv.ts';
import { LAKE_COLUMNS, type LakeSource, lakePartKey, lakeTenantPrefix, promotedColumns } from '../../core/lake.ts';
import type { Taxonomy } from '../../core/taxonomy.ts';

/** Runs SQL on some DuckDB connection: the runtime's database, or the insights' in-memory one. */
export interface SqlRunner {
  exec(sql: string): Promise<void>;
  query<T = Record<string, unknown>>(sql: string): Promise<T[]>;
}

export interface FinishedJob {
  /** Whose job it was: its lake rows carry the tenant. */
  tenant: string;
  jobId: string;
  /** The job's output CSV (input columns + the added columns), written by classifyFile. */
  outputCsv: string;
  /** The input header, as read (the output starts with these columns, in this order). */
  inputHeader: string[];
  /** Rows in the output: the export checks it wrote as many. */
  rows: number;
  taxonomy: Taxonomy;
  /** When the job finished: the partition day and `decided_at`. */
  at: Date;
  /** The output's cells are as they went in; otherwise formulas were neutralised and the lake restores them. */
  csvRaw: boolean;
}

/** What lake/pending/<job>.json holds. */
interface PendingJob extends Pick<FinishedJob, 'tenant' | 'jobId' | 'outputCsv' | 'inputHeader' | 'rows' | 'csvRaw'> {
  outputBytes: number;
  outputMtimeMs: number;
  /** The output's header: the input columns named by position (c0, c1, …), then the added columns. */
  outputHeader: string[];
  /** The taxonomy's level names, and each class as [id, ...its level names]. */
  levels: string[];
  classes: string[][];
  at: string;
}

export interface LakeWrite {
  jobId: string;
  key: string;
  rows: number;
}

/**
 * Rows per Parquet row group. The writer holds a whole group in memory: DuckDB's default (122,880) costs a
 * million-row export ~100 MB more peak RSS than this, for the same time.
 */
const ROW_GROUP_ROWS = 30_000;
/**
 * zstd level 1 instead of DuckDB's default 3: a million-row export costs ~0.2 CPU s less and the file comes out
 * no larger (the columns are short, repetitive strings).
 */
const ZSTD_LEVEL = 1;

const quoteIdent = (s: string) => `"${s.replace(/"/g, '""')}"`;
const quoteText = (s: string) => `'${s.replace(/'/g, "''")}'`;

const PENDING = 'pending';
const markerPath = (lakeRoot: string, jobId: string) => join(lakeRoot, PENDING, `${jobId}.json`);
const costsPath = (lakeRoot: string, jobId: string) => join(lakeRoot, PENDING, `${jobId}.costs.parquet`);

/**
 * Marks a finished job for the lake. `db` is the runtime's database: the cost units of the job's stored
 * decisions are copied out now, since the store may have moved on by the time the export runs.
 */
export async function queueForLake(db: SqlRunner, lakeRoot: string, job: FinishedJob): Promise<void> {
  mkdirSync(join(lakeRoot, PENDING), { recursive: true });
  await db.exec(`
COPY (
  SELECT key, ANY_VALUE(TRY_CAST(json_extract(trace, '$.costUnits') AS DOUBLE)) AS cost_units
  FROM decisions WHERE tenant = ${quoteText(job.tenant)} AND job_id = ${quoteText(job.jobId)} GROUP BY key
) TO ${quoteText(costsPath(lakeRoot, job.jobId))} (FORMAT parquet)`);
  const output = statSync(job.outputCsv);
  const { taxonomy } = job;
  const pending: PendingJob = {
    tenant: job.tenant,
    jobId: job.jobId,
    outputCsv: job.outputCsv,
    outputBytes: output.size,
    outputMtimeMs: output.mtimeMs,
    inputHeader: job.inputHeader,
    // Positional names: input columns may collide with added ones or be odd; c0, c1, … are safe.
    outputHeader: [...job.inputHeader.map((_, i) => `c${i}`), ...addedColumns(taxonomy)],
    rows: job.rows,
    levels: [...taxonomy.levels],
    classes: taxonomy.classes.map((c) => [c.id, ...taxonomy.levelsOf(c.id)]),
    at: job.at.toISOString(),
    csvRaw: job.csvRaw,
  };
  // Written aside and renamed: a reader sees the whole marker or none, and the costs file is there before it.
  const marker = markerPath(lakeRoot, job.jobId);
  const tmp = `${marker}.${randomUUID()}.tmp`;
  writeFileSync(tmp, JSON.stringify(pending));
  renameSync(tmp, marker);
}

/** Whether any job waits for the lake. */
export function hasPendingJobs(lakeRoot: string): boolean {
  const dir = join(lakeRoot, PENDING);
  return existsSync(dir) && readdirSync(dir).some((f) => f.endsWith('.json'));
}

/**
 * Exports every job marked for the lake. A job whose output file was changed or removed since it finished
 * cannot be exported: `say` says so and the mark goes (classifying the input again brings the job back). `say`
 * also hears of each export before it starts (a million rows take a second or two).
 */
export async function fillLake(db: SqlRunner, lakeRoot: string, say: (message: string) => void): Promise<LakeWrite[]> {
  const dir = join(lakeRoot, PENDING);
  if (!existsSync(dir)) return [];
  const written: LakeWrite[] = [];
  for (const name of readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()) {
    const jobId = name.slice(0, -'.json'.length);
    const text = readText(join(dir, name));
    if (text === null) continue; // a concurrent fill took it
    let pending: PendingJob | null = null;
    try {
      pending = JSON.parse(text) as PendingJob;
    } catch (err) {
      say(`job ${jobId} is not in the results lake: its lake marker ${join(dir, name)} is unreadable (${(err as Error).message})`);
    }
    if (pending) {
      try {
        const problem = outputProblem(pending);
        if (problem) throw new Error(`its output ${pending.outputCsv} ${problem} since the job finished`);
        say(`adding job ${jobId} (${pending.rows.toLocaleString('en-US')} rows) to the results lake`);
        written.push(await exportPending(db, lakeRoot, pending));
      } catch (err) {
        say(`job ${jobId} is not in the results lake: ${(err as Error).message}; classify its input again to add it`);
      }
    }
    // Unless a rerun of the job marked it again meanwhile: that mark is for the next fill.
    if (readText(markerPath(lakeRoot, jobId)) === text) {
      rmSync(markerPath(lakeRoot, jobId), { force: true });
      rmSync(costsPath(lakeRoot, jobId), { force: true });
    }
  }
  return written;
}

function readText(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

function outputProblem(pending: PendingJob): string | null {
  try {
    const st = statSync(pending.outputCsv);
    return st.size === pending.outputBytes && st.mtimeMs === pending.outputMtimeMs ? null : 'was changed';
  } catch {
    return 'was removed';
  }
}

async function exportPending(db: SqlRunner, lakeRoot: string, job: PendingJob): Promise<LakeWrite> {
  const dt = job.at.slice(0, 10);
  const key = lakePartKey(job.tenant, dt, job.jobId, 0);
  const file = join(lakeRoot, key);
  mkdirSync(dirname(file), { recursive: true });
  // Written aside and renamed, so a query never reads half a part; a rerun of the job on another day replaces it.
  // A name of its own: two fills of one job (aisle serve's, and a query's in the same process) may overlap.
  const tmp = `${file}.${randomUUID()}.tmp`;

  await db.exec(exportSql(lakeRoot, job, tmp));
  const [{ rows }] = await db.query<{ rows: number }>(`SELECT COUNT(*)::INTEGER AS rows FROM read_parquet(${quoteText(tmp)})`);
  if (rows !== job.rows) {
    rmSync(tmp, { force: true });
    throw new Error(`internal error: the lake export of job ${job.jobId} wrote ${rows} rows, its output holds ${job.rows}`);
  }
  const tenantDir = join(lakeRoot, lakeTenantPrefix(job.tenant));
  for (const day of readdirSync(tenantDir)) {
    if (day !== `dt=${dt}`) rmSync(join(tenantDir, day, `job=${job.jobId}`), { recursive: true, force: true });
  }
  renameSync(tmp, file);
  return { jobId: job.jobId, key, rows };
}

/** The DuckDB statement that writes a pending job's lake part to `tmp`, from its output CSV. */
function exportSql(lakeRoot: string, job: PendingJob, tmp: string): string {
  // Class ids back from the level names the output holds (every level, so deeper taxonomies join exactly).
  const { levels } = job;
  // A marker from before outputs were neutralised has no csvRaw: its output is raw.
  const restore = job.csvRaw === false;
  const classIds = job.classes.map((c) => `(${c.map(quoteText).join(', ')})`).join(', ');
  const levelCol = (i: number) => `COALESCE(o.${quoteIdent(levels[i])}, '')`;
  return `
COPY (
  WITH o AS (
    SELECT ${job.outputHeader.map((c) => `${restore ? restoredCellSql(quoteIdent(c)) : quoteIdent(c)} AS ${quoteIdent(c)}`).join(', ')},
      row_number() OVER () AS row_no
    FROM read_csv(${quoteText(job.outputCsv)}, header = true, all_varchar = true, parallel = false,
                  names = [${job.outputHeader.map(quoteText).join(', ')}])
  ),
  t AS (SELECT * FROM (VALUES ${classIds}) v(class_id, ${levels.map((_, i) => `l${i}`).join(', ')})),
  d AS (SELECT * FROM read_parquet(${quoteText(costsPath(lakeRoot, job.jobId))}))
  SELECT ${lakeProjection(job, levelCol)}
  FROM o
  LEFT JOIN t ON ${levels.map((_, i) => `t.l${i} = ${levelCol(i)}`).join(' AND ')}
  LEFT JOIN d ON d.key = o.item_key
  -- No ORDER BY: row_no keeps each row's input position, and sorting would hold the whole job in memory
  -- (a million rows: +180 MB peak RSS and a third more time).
) TO ${quoteText(tmp)} (FORMAT parquet, COMPRESSION zstd, COMPRESSION_LEVEL ${ZSTD_LEVEL}, ROW_GROUP_SIZE ${ROW_GROUP_ROWS})`;
}

/**
 * core/csv.ts restoreCell in SQL: the lake keeps the text as it went in, not the `'` the output CSV put before a
 * formula.
 */
function restoredCellSql(cell: string): string {
  const afterQuotes = `ltrim(${cell}, '''')`;
  return `CASE WHEN starts_with(${cell}, '''') AND regexp_matches(${afterQuotes}, '^[-=+@\\t\\r]')
    AND NOT regexp_matches(${afterQuotes}, '^[+-]?(\\d+(\\.\\d*)?|\\.\\d+)([eE][+-]?\\d+)?$') THEN substr(${cell}, 2) ELSE ${cell} END`;
}

/** The lake columns as SQL over the output row `o`: each column's source (core/lake.ts LAKE_COLUMNS) in SQL. */
function lakeProjection(job: PendingJob, levelCol: (i: number) => string): string {
  const { levels } = job;
  const columns = resolveColumns(job.inputHeader);
  const inputCols = job.outputHeader.slice(0, job.inputHeader.length);
  const promoted = promotedColumns(job.inputHeader);
  const inputCol = (name: string | undefined) => (name ? `NULLIF(TRIM(o.${quoteIdent(inputCols[job.inputHeader.indexOf(name)])}), '')` : 'NULL');
  // The input as given: DuckDB reads an empty field as NULL, the row held an empty string. json_object, not a
  // struct: a header may name a column twice or leave one unnamed (`name,brand,`), which a struct cannot hold.
  const inputJson = inputCols.length
    ? `json_object(${inputCols.map((c, i) => `${quoteText(job.inputHeader[i])}, COALESCE(o.${quoteIdent(c)}, '')`).join(', ')})::VARCHAR`
    : `'{}'`;
  const fromDecision = {
    key: 'o.item_key',
    classId: 't.class_id',
    confidence: 'TRY_CAST(o.confidence AS DOUBLE)',
    tier: 'o.tier',
    status: 'o.status',
    ruleId: "NULLIF(o.rule_id, '')",
    modelVersion: "NULLIF(o.model_version, '')",
  };
  const sqlOf = (source: LakeSource): string => {
    switch (source) {
      case 'tenant':
        // Markers written before tenants existed are the default tenant's.
        return quoteText(job.tenant ?? DEFAULT_TENANT);
      case 'job_id':
        return quoteText(job.jobId);
      case 'row_no':
        return 'o.row_no';
      case 'product_name':
        return `o.${quoteIdent(inputCols[columns.name])}`;
      case 'cost_units':
        return 'COALESCE(d.cost_units, 0)';
      case 'decided_at':
        return quoteText(job.at);
      case 'input':
        return inputJson;
    }
    if ('decision' in source) return fromDecision[source.decision];
    if ('level' in source) return source.level < levels.length ? levelCol(source.level) : "''";
    const value = inputCol(promoted[source.promoted]);
    return source.day ? `CASE WHEN regexp_matches(${value}, '^\\d{4}-\\d{2}-\\d{2}') THEN substr(${value}, 1, 10) END` : value;
  };
  return LAKE_COLUMNS.map(([n, t, , source]) => `CAST(${sqlOf(source)} AS ${t}) AS ${n}`).join(',\n    ');
}
