/**
 * The one registry of named shopper insights (issue 17 item 4): each name is a SQL file of
 * functions/core/shoppers/insights/, each takes the same validated parameters. The CLI, the API routes, the
 * inspector and whoever asks by name (an assistant, a report) resolve a name and its parameters here, whichever
 * engine then runs the text (DuckDB locally, Athena on AWS). No engine is imported here: Lambda bundles read it too.
 */
import { join } from 'node:path';
import { z } from 'zod';
import { loadNamedQueries, type NamedQuery, UnknownQueryError } from '../core/insights.ts';
import { SHOPPER_SQL_DIR } from '../core/shoppers-sql.ts';

export const SHOPPER_INSIGHTS_DIR = join(SHOPPER_SQL_DIR, 'insights');
/**
 * The tables every shopper insight reads (and nothing else): the pipeline's outputs, the last two rollups built with
 * them so that no insight reads every event for what can be summed once (session_categories, calendar_activity).
 */
export const SHOPPER_TABLES = [
  'events',
  'sessions',
  'searches',
  'search_links',
  'product_categories',
  'session_categories',
  'calendar_activity',
] as const;

/** The parameters every shopper insight takes, bound in this order: min_support, top_n (the README's contract). */
export const ShopperInsightParamsSchema = z.strictObject({
  /** Share of purchase sessions (0..1) a category set must reach to be frequent (frequent_category_sets). */
  minSupport: z.number().min(0).max(1).default(0.01),
  /** Rows kept by the ranked queries (per category where they rank within one). */
  topN: z.number().int().min(1).max(1000).default(10),
});
export type ShopperInsightParams = z.output<typeof ShopperInsightParamsSchema>;
export const DEFAULT_SHOPPER_INSIGHT_PARAMS: ShopperInsightParams = ShopperInsightParamsSchema.parse({});

export interface ShopperInsightInfo {
  name: string;
  description: string;
}

/** Loaded once: the files ship with the code and do not change while it runs. */
let loaded: NamedQuery[] | undefined;
const queries = () => (loaded ??= loadNamedQueries(SHOPPER_INSIGHTS_DIR));

export function shopperInsightNames(): string[] {
  return queries().map((q) => q.name);
}

export function listShopperInsights(): ShopperInsightInfo[] {
  return queries().map(({ name, description }) => ({ name, description }));
}

/**
 * A name and its parameters checked, ready to run: the SQL text and its two values in binding order.
 * Throws UnknownQueryError for a name not in the registry and a ZodError for parameters out of range.
 */
export function resolveShopperInsight(name: string, params: Partial<ShopperInsightParams> = {}): { query: NamedQuery; values: [number, number] } {
  const query = queries().find((q) => q.name === name);
  if (!query) throw new UnknownQueryError(name, shopperInsightNames());
  const { minSupport, topN } = ShopperInsightParamsSchema.parse(params);
  return { query, values: [minSupport, topN] };
}
