/**
 * Analytics questions answered by named queries, never by SQL: a plan names one of the queries the runner lists
 * and parameters a zod schema checks (a job id from a safe alphabet, dates, a demographic, a category, a row limit).
 * The query runs unchanged; the plan's filters then select its rows here, in code, and the answer is those rows,
 * a headline figure where the query has one, and the plan itself ("the query used").
 */
import { z } from 'zod';
import type { AskableQuery, QueryRunner } from './ports.ts';
import { terms } from './text.ts';

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date YYYY-MM-DD');

/** What a plan may say besides the query's name; every field is optional and checked. */
export const planParamsSchema = z
  .object({
    job: z
      .string()
      .regex(/^[A-Za-z0-9_.-]{1,128}$/)
      .optional(),
    /** Rows dated on or after / on or before (their dt, event_date or month column). */
    since: isoDate.optional(),
    until: isoDate.optional(),
    gender: z.enum(['female', 'male']).optional(),
    /** Age bands that overlap [ageFrom, ageTo]. */
    ageFrom: z.number().int().min(0).max(120).optional(),
    ageTo: z.number().int().min(0).max(120).optional(),
    /** Rows whose category (level1, level2 or category column) contains this text. */
    category: z.string().trim().min(1).max(80).optional(),
    /** A numeric column of the rows to sort by, largest first. */
    sortBy: z
      .string()
      .regex(/^[a-z0-9_]{1,64}$/)
      .optional(),
    limit: z.number().int().min(1).max(100).optional(),
  })
  .strict();
export type PlanParams = z.infer<typeof planParamsSchema>;

export interface QueryPlan {
  query: AskableQuery;
  params: PlanParams;
  /** Who chose it: the LLM, or the keyword match when no LLM answered. */
  plannedBy: 'llm' | 'keywords';
}

export const DEFAULT_ROW_LIMIT = 20;

/** A plan as a model writes it, checked against the runner's queries; a string says what is wrong. */
export function checkPlan(raw: unknown, queries: AskableQuery[]): { query: AskableQuery; params: PlanParams } | string {
  const shape = z.object({ query: z.string(), params: z.unknown().optional() }).safeParse(raw);
  if (!shape.success) return 'the plan is not {"query", "params"}';
  const query = queries.find((q) => q.name === shape.data.query);
  if (!query) return `there is no query named ${JSON.stringify(shape.data.query.slice(0, 64))}`;
  // Models write null for "not given": it means absent here.
  const given = Object.fromEntries(Object.entries((shape.data.params ?? {}) as Record<string, unknown>).filter(([, v]) => v !== null && v !== ''));
  const params = planParamsSchema.safeParse(given);
  if (!params.success) return `bad parameters: ${params.error.issues.map((i) => `${i.path.join('.') || 'params'}: ${i.message}`).join('; ')}`;
  if (params.data.ageFrom !== undefined && params.data.ageTo !== undefined && params.data.ageFrom > params.data.ageTo)
    return 'ageFrom is above ageTo';
  return { query, params: params.data };
}

// Words that point at a query without being in its description (the demographics queries talk of "gender" and "age band").
// biome-ignore format: a word list
const SYNONYMS: Record<string, string[]> = {
  women: ['gender', 'demographic'], woman: ['gender', 'demographic'], men: ['gender', 'demographic'], female: ['gender', 'demographic'],
  male: ['gender', 'demographic'], aged: ['age', 'demographic'], age: ['demographic'], old: ['age', 'demographic'],
  together: ['basket', 'pair'], bought: ['purchase'], buy: ['purchase'], purchased: ['purchase'], tier: ['tier'],
  uncertain: ['confident', 'least'], month: ['month', 'seasonality'], seasonal: ['seasonality', 'month'], changed: ['drift'],
  fired: ['rule', 'decided'], certain: ['confident'],
};

/** The query whose name and description share the most words with the question (by how rare the word is among them). */
export function keywordPlan(question: string, queries: AskableQuery[], today: Date): QueryPlan | undefined {
  if (!queries.length) return undefined;
  const words = (q: AskableQuery) => new Set(terms(`${q.name.replaceAll('_', ' ')} ${q.description}`));
  const bags = queries.map(words);
  const df = new Map<string, number>();
  for (const bag of bags) for (const w of bag) df.set(w, (df.get(w) ?? 0) + 1);
  // A time span is a parameter, not a topic: "last week" must not pick the weekly query.
  const topic = question.toLowerCase().replace(RELATIVE_SPAN, ' ');
  const asked = terms(topic).flatMap((t) => [t, ...(SYNONYMS[t] ?? []).flatMap((s) => terms(s))]);
  let best = -1;
  let bestScore = 0;
  bags.forEach((bag, i) => {
    let score = 0;
    for (const t of new Set(asked)) if (bag.has(t)) score += Math.log(1 + queries.length / df.get(t)!);
    // Its name's words count double: "review rate" over a description that mentions review in passing.
    for (const t of new Set(asked)) if (terms(queries[i].name.replaceAll('_', ' ')).includes(t)) score += 1;
    if (score > bestScore) [best, bestScore] = [i, score];
  });
  if (best < 0) return undefined;
  return { query: queries[best], params: paramsFromWords(question, today), plannedBy: 'keywords' };
}

const DAY_MS = 86_400_000;
const RELATIVE_SPAN = /\b(?:(?:last|past|this) (?:week|month|\d{1,3} days?)|yesterday|today)\b/g;
const day = (d: Date) => d.toISOString().slice(0, 10);

/** The parameters plain words say: "last week", "women", "30-45"; what the keyword plan can tell without a model. */
export function paramsFromWords(question: string, today: Date): PlanParams {
  const q = question.toLowerCase();
  const params: PlanParams = {};
  const ago = (days: number) => day(new Date(today.getTime() - days * DAY_MS));
  const lastDays = /\b(?:last|past) (\d{1,3}) days?\b/.exec(q);
  if (lastDays) params.since = ago(Number(lastDays[1]));
  else if (/\b(?:last|past) week\b/.test(q)) [params.since, params.until] = [ago(7), ago(1)];
  else if (/\bthis week\b/.test(q)) params.since = ago((today.getUTCDay() + 6) % 7);
  else if (/\b(?:last|past) month\b/.test(q)) [params.since, params.until] = [ago(30), ago(1)];
  else if (/\byesterday\b/.test(q)) [params.since, params.until] = [ago(1), ago(1)];
  else if (/\btoday\b/.test(q)) params.since = day(today);
  if (/\b(?:women|woman|female|females|ladies)\b/.test(q)) params.gender = 'female';
  else if (/\b(?:men|man|male|males)\b/.test(q)) params.gender = 'male';
  const ages = /\b(\d{1,3})\s*(?:-|–|to)\s*(\d{1,3})\b/.exec(q);
  if (ages && /\b(?:age|aged|years?|women|men|shoppers|people|customers|buyers|female|male)\b/.test(q)) {
    const [from, to] = [Number(ages[1]), Number(ages[2])];
    if (from <= to && to <= 120) [params.ageFrom, params.ageTo] = [from, to];
  }
  if (/\b(?:top|most|largest|biggest|highest)\b/.test(q)) params.limit = 10;
  return params;
}

/** An age band's years: "25-34" → [25, 34], "65+" → [65, 120], "under 18" → [0, 17], "42" → [42, 42]. */
export function ageRange(band: string): [number, number] | undefined {
  const b = band.trim().toLowerCase();
  let m = /^(\d{1,3})\s*(?:-|–|to)\s*(\d{1,3})$/.exec(b);
  if (m) return [Number(m[1]), Number(m[2])];
  if ((m = /^(\d{1,3})\s*\+$/.exec(b))) return [Number(m[1]), 120];
  if ((m = /^under (\d{1,3})$/.exec(b))) return [0, Number(m[1]) - 1];
  if ((m = /^(\d{1,3})$/.exec(b))) return [Number(m[1]), Number(m[1])];
  return undefined;
}

const GENDER_VALUES: Record<'female' | 'male', RegExp> = { female: /^(?:f|female|woman|women|w)$/i, male: /^(?:m|male|man|men)$/i };
const DATE_COLUMNS = ['dt', 'event_date', 'month', 'event_month'] as const;
const CATEGORY_COLUMNS = ['category', 'level1', 'level2', 'antecedent', 'consequent'] as const;

/** The rows a plan's filters keep. Rows without the column a filter reads are dropped by it (they cannot show it applies). */
export function filterRows(rows: Record<string, unknown>[], params: PlanParams): Record<string, unknown>[] {
  const str = (v: unknown) => (v === null || v === undefined ? undefined : String(v));
  return rows.filter((row) => {
    if (params.since || params.until) {
      const column = DATE_COLUMNS.find((c) => str(row[c]));
      if (!column) return false;
      const value = str(row[column])!;
      // A month ("2026-11") is in range when any of its days is.
      if (params.since && value.padEnd(10, '-31').slice(0, 10) < params.since) return false;
      if (params.until && value.slice(0, 10) > params.until) return false;
    }
    const demographic = params.gender !== undefined || params.ageFrom !== undefined || params.ageTo !== undefined;
    if (demographic) {
      // One row per dimension (dimension, value) or one per group (gender, age_band): either way, what is asked must show.
      const dimension = str(row.dimension);
      const gender = dimension ? (dimension === 'gender' ? str(row.value) : undefined) : str(row.gender);
      const age = dimension ? (dimension === 'age_band' ? str(row.value) : undefined) : str(row.age_band);
      if (dimension && dimension !== 'gender' && dimension !== 'age_band') return false;
      if (params.gender && (dimension ? dimension === 'gender' : true) && !(gender && GENDER_VALUES[params.gender].test(gender))) return false;
      if ((params.ageFrom !== undefined || params.ageTo !== undefined) && (dimension ? dimension === 'age_band' : true)) {
        const range = age ? ageRange(age) : undefined;
        if (!range || range[1] < (params.ageFrom ?? 0) || range[0] > (params.ageTo ?? 120)) return false;
      }
    }
    if (params.category) {
      const want = params.category.toLowerCase();
      if (!CATEGORY_COLUMNS.some((c) => str(row[c])?.toLowerCase().includes(want))) return false;
    }
    return true;
  });
}

export interface AnalyticsResult {
  rows: Record<string, unknown>[];
  /** Rows the query returned before the plan's filters. */
  rowsBeforeFilters: number;
  /** The figure the question most likely asks for, where the rows have one (e.g. the review share over the rows kept). */
  figures: Record<string, number>;
  summary: string;
}

/** Runs a plan: the named query, its rows filtered, sorted and cut, and the figures over them. */
export async function runPlan(runner: QueryRunner, plan: QueryPlan): Promise<AnalyticsResult> {
  const { params, query } = plan;
  const all = await runner.run(query, { jobId: params.job, topN: params.limit });
  let rows = filterRows(all, params);
  if (params.sortBy && rows.some((r) => typeof r[params.sortBy!] === 'number')) {
    const by = params.sortBy;
    rows = [...rows].sort((a, b) => Number(b[by] ?? -Infinity) - Number(a[by] ?? -Infinity));
  }
  const figures = headline(rows);
  rows = rows.slice(0, params.limit ?? DEFAULT_ROW_LIMIT);
  const filters = Object.entries(params)
    .filter(([k]) => k !== 'limit' && k !== 'sortBy')
    .map(([k, v]) => `${k}=${v}`);
  const said = Object.entries(figures).map(([k, v]) => `${k} ${v}`);
  const summary = [
    `${query.name} (${query.source}): ${rows.length} row${rows.length === 1 ? '' : 's'}${filters.length ? ` with ${filters.join(', ')}` : ''} of ${all.length}`,
    ...(said.length ? [`: ${said.join(', ')}`] : []),
  ].join('');
  return { rows, rowsBeforeFilters: all.length, figures, summary };
}

/** Totals over the rows kept where their columns allow: the share left for review, items in all. */
function headline(rows: Record<string, unknown>[]): Record<string, number> {
  const sum = (c: string) => rows.reduce((s, r) => s + (typeof r[c] === 'number' ? (r[c] as number) : 0), 0);
  const has = (c: string) => rows.some((r) => typeof r[c] === 'number');
  const out: Record<string, number> = {};
  if (has('items')) out.items = sum('items');
  if (has('needs_review') && out.items) {
    out.needs_review = sum('needs_review');
    out.review_share = Number((out.needs_review / out.items).toFixed(4));
  }
  if (has('purchases')) out.purchases = sum('purchases');
  return out;
}
