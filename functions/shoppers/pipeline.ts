/**
 * From raw shopper logs to the tables insights read: parse (rejects with reasons), drop duplicates, cut sessions,
 * merge demographics, classify products, link searches to the products they led to. Each step is a SQL file of
 * functions/core/shoppers run by the engine (ShopperSqlEngine); only the text similarity of search terms and
 * product names is computed here, over distinct (term, product) pairs, never over all events.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SHOPPER_SQL_DIR } from '../core/shoppers-sql.ts';
import { eventAliasRows, matchDemographicColumns, matchLogColumns } from './columns.ts';
import { renderSql } from './dialect.ts';
import type { ProductClassifier, ShopperSqlEngine, SqlValue } from './ports.ts';
import { SHOPPER_TABLES } from './registry.ts';
import { TfIdf } from './text-similarity.ts';

export interface ShopperOptions {
  /** Same user, event and item within this many seconds: a duplicate (the first is kept). */
  dedupeWindowS: number;
  /** Inactivity before a search that starts a new session, in minutes. */
  searchGapMin: number;
  /** Inactivity before any other event that starts a new session, in minutes. */
  otherGapMin: number;
  /** Time after a search at which a link's weight halves, in seconds. */
  linkHalfLifeS: number;
  /** Links scoring under this are dropped. */
  linkFloor: number;
  /** Links kept per search. */
  linksPerSearch: number;
}

export const DEFAULT_SHOPPER_OPTIONS: ShopperOptions = {
  dedupeWindowS: 5,
  searchGapMin: 30,
  otherGapMin: 60,
  linkHalfLifeS: 600,
  linkFloor: 0.15,
  linksPerSearch: 3,
};

export interface ShopperSummary {
  eventsIn: number;
  rejected: Record<string, number>;
  duplicatesDropped: number;
  eventsKept: number;
  shoppers: number;
  shoppersWithoutDemographics: number;
  sessions: number;
  products: number;
  productsUnclassified: number;
  searches: number;
  searchesLinked: number;
  searchesLeadingToPurchase: number;
  /** The files written, by table. */
  outputs: Record<string, string>;
}

export const SHOPPER_STEPS = ['parse', 'clean', 'demographics', 'classify', 'sessions', 'link', 'write'] as const;
export type ShopperStep = (typeof SHOPPER_STEPS)[number];

const sqlText = (name: string) => readFileSync(join(SHOPPER_SQL_DIR, `${name}.sql`), 'utf8');

const CLASSIFY_BATCH = 1000;
const SIMILARITY_BATCH = 50_000;

/**
 * `logs`, `demographics` and `out` are where the engine reads and writes: local paths for DuckDB, s3:// URIs for
 * Athena; the engine says when an input is missing.
 */
export async function processShopperLogs(
  input: { logs: string; demographics?: string; out: string },
  ports: { engine: ShopperSqlEngine; classify: ProductClassifier },
  options: ShopperOptions = DEFAULT_SHOPPER_OPTIONS,
  onStep: (step: ShopperStep) => void = () => {},
): Promise<ShopperSummary> {
  const { engine, classify } = ports;
  const sqlOf = (name: string) => renderSql(sqlText(name), engine.dialect);

  onStep('parse');
  // Both headers first: a missing file or column is told before any work.
  const logColumns = matchLogColumns(await engine.csvHeader(input.logs), input.logs);
  const demographicColumns = input.demographics && matchDemographicColumns(await engine.csvHeader(input.demographics), input.demographics);
  await engine.csvView('shopper_log', input.logs, {
    user_raw: logColumns.user_id,
    ts_raw: logColumns.timestamp,
    event_raw: logColumns.event,
    search_term_raw: logColumns.search_term,
    product_id_raw: logColumns.product_id,
    product_name_raw: logColumns.product_name,
    price_raw: logColumns.price,
    quantity_raw: logColumns.quantity,
  });
  await engine.tableOf('event_aliases', { alias: 'VARCHAR', event: 'VARCHAR' }, eventAliasRows());
  await engine.createTable('parsed_events', sqlOf('parse_events'));
  const rejects = join(input.out, 'rejects.csv');
  await engine.writeFile(
    'SELECT row_no AS row, reject_reason AS reason, user_id, ts_raw AS timestamp, event_raw AS event, search_term, product_id, product_name ' +
      'FROM parsed_events WHERE reject_reason IS NOT NULL ORDER BY row_no',
    rejects,
  );
  await engine.dropTable('shopper_log');
  const parsed = await parseCounts(engine);

  onStep('clean');
  const ms = (minutes: number) => Math.round(minutes * 60_000);
  await engine.createTable('clean_events', sqlOf('clean_events'), [
    Math.round(options.dedupeWindowS * 1000),
    ms(options.searchGapMin),
    ms(options.otherGapMin),
  ]);

  onStep('demographics');
  if (input.demographics && demographicColumns) {
    await engine.csvView('demographics_raw', input.demographics, {
      user_raw: demographicColumns.user_id,
      age_raw: demographicColumns.age,
      gender_raw: demographicColumns.gender,
      income_raw: demographicColumns.income,
      region_raw: demographicColumns.region,
    });
  } else {
    await engine.createTable(
      'demographics_raw',
      'SELECT 0 AS row_no, ' +
        ['user_raw', 'age_raw', 'gender_raw', 'income_raw', 'region_raw'].map((c) => `CAST(NULL AS VARCHAR) AS ${c}`).join(', ') +
        ' WHERE false',
    );
  }
  await engine.createTable('demographics', sqlOf('demographics'));
  await engine.dropTable('demographics_raw');

  onStep('classify');
  await engine.createTable('products', sqlOf('products'));
  const products = await engine.query<{ product_key: string; product_name: string }>(
    'SELECT product_key, product_name FROM products ORDER BY product_key',
  );
  const categoryRows: SqlValue[][] = [];
  for (let i = 0; i < products.length; i += CLASSIFY_BATCH) {
    const batch = products.slice(i, i + CLASSIFY_BATCH);
    const answers = await classify(batch.map((p) => p.product_name));
    batch.forEach((p, j) => {
      const a = answers[j];
      categoryRows.push([p.product_key, p.product_name, a.classId, a.category, a.tier, a.confidence]);
    });
  }
  await engine.tableOf(
    'product_categories',
    { product_key: 'VARCHAR', product_name: 'VARCHAR', class_id: 'VARCHAR', category: 'VARCHAR', tier: 'VARCHAR', confidence: 'DOUBLE' },
    categoryRows,
  );

  onStep('sessions');
  await engine.createTable('events', sqlOf('events'));
  for (const table of ['clean_events', 'parsed_events']) await engine.dropTable(table);
  await engine.createTable('sessions', sqlOf('sessions'));

  onStep('link');
  await engine.createTable('link_candidates', sqlOf('link_candidates'));
  await linkSimilarity(
    engine,
    products.map((p) => p.product_name),
  );
  await engine.createTable('search_links', sqlOf('search_links'), [options.linkHalfLifeS, options.linkFloor, options.linksPerSearch]);
  for (const table of ['link_candidates', 'link_similarity']) await engine.dropTable(table);
  await engine.createTable('searches', sqlOf('searches'));

  await engine.createTable('session_categories', sqlOf('session_categories'));
  await engine.createTable('calendar_activity', sqlOf('calendar_activity'));

  onStep('write');
  const outputs: Record<string, string> = { rejects };
  for (const table of SHOPPER_TABLES) {
    outputs[table] = join(input.out, `${table}.parquet`);
    await engine.writeFile(`SELECT * FROM ${table}`, outputs[table]);
  }
  return { ...(await summarize(engine, parsed)), outputs };
}

/** link_similarity: the TF-IDF cosine of each distinct (term, product) pair of the candidates, IDF from the product names. */
async function linkSimilarity(engine: ShopperSqlEngine, productNames: string[]): Promise<void> {
  await engine.createTable('link_pairs', renderSql(sqlText('link_pairs'), engine.dialect));
  const tfidf = new TfIdf(productNames);
  await engine.tableOf('link_similarity', { search_term: 'VARCHAR', product_key: 'VARCHAR', similarity: 'DOUBLE' }, []);
  let rows: SqlValue[][] = [];
  await engine.forEachBatch<{ search_term: string; product_key: string; product_name: string }>(
    'SELECT search_term, product_key, product_name FROM link_pairs ORDER BY search_term',
    async (pairs) => {
      for (const p of pairs) rows.push([p.search_term, p.product_key, tfidf.similarity(p.search_term, p.product_name)]);
      if (rows.length >= SIMILARITY_BATCH) {
        await engine.append('link_similarity', rows);
        rows = [];
      }
    },
  );
  await engine.append('link_similarity', rows);
  await engine.dropTable('link_pairs');
}

const num = (v: unknown) => Number(v ?? 0);

type ParseCounts = Pick<ShopperSummary, 'eventsIn' | 'rejected'> & { good: number };

/** What the summary says of parsing, counted while parsed_events is there (it is dropped once events are made). */
async function parseCounts(engine: ShopperSqlEngine): Promise<ParseCounts> {
  const reasons = await engine.query<{ reason: string | null; n: bigint }>(
    'SELECT reject_reason AS reason, COUNT(*) AS n FROM parsed_events GROUP BY 1 ORDER BY 2 DESC, 1',
  );
  return {
    eventsIn: reasons.reduce((sum, r) => sum + num(r.n), 0),
    good: num(reasons.find((r) => r.reason === null)?.n),
    rejected: Object.fromEntries(reasons.filter((r) => r.reason !== null).map((r) => [r.reason, num(r.n)])),
  };
}

async function summarize(engine: ShopperSqlEngine, parsed: ParseCounts): Promise<Omit<ShopperSummary, 'outputs'>> {
  const [counts] = await engine.query(`SELECT
      (SELECT COUNT(*) FROM events) AS kept,
      (SELECT COUNT(DISTINCT user_id) FROM events) AS shoppers,
      (SELECT COUNT(DISTINCT e.user_id) FROM events e WHERE NOT EXISTS (SELECT 1 FROM demographics d WHERE d.user_id = e.user_id)) AS without_demographics,
      (SELECT COUNT(*) FROM sessions) AS sessions,
      (SELECT COUNT(*) FROM product_categories) AS products,
      (SELECT COUNT(*) FROM product_categories WHERE class_id IS NULL) AS unclassified,
      (SELECT COUNT(*) FROM searches) AS searches,
      (SELECT COUNT(*) FROM searches WHERE linked_products > 0) AS linked,
      (SELECT COUNT(*) FROM searches WHERE led_to_purchase) AS purchased`);
  return {
    eventsIn: parsed.eventsIn,
    rejected: parsed.rejected,
    duplicatesDropped: parsed.good - num(counts.kept),
    eventsKept: num(counts.kept),
    shoppers: num(counts.shoppers),
    shoppersWithoutDemographics: num(counts.without_demographics),
    sessions: num(counts.sessions),
    products: num(counts.products),
    productsUnclassified: num(counts.unclassified),
    searches: num(counts.searches),
    searchesLinked: num(counts.linked),
    searchesLeadingToPurchase: num(counts.purchased),
  };
}
