/**
 * A shopper-log generator with planted truths (`aisle shoppers generate`), for demos, tests and the bench.
 * Products come from the shipped starter catalog (labelled) and sample; shoppers browse, search, add to cart
 * and buy in sessions on distinct days, so the truth knows every session. Planted:
 * - seasonality: September to November get SPIKE_WEIGHT times the sessions of other months;
 * - two category pairs bought together far above chance (the second of a pair joins a basket holding the first);
 * - a demographic skew: SKEW.category is bought SKEW.factor times as often by shoppers aged SKEW.ageBand;
 * - searches whose intended product is known: the term comes from the product's name, the product is viewed after it;
 * - noise the pipeline must handle: exact and near duplicates, rows without a user, with a bad time or an unknown event.
 * Times are whole seconds, written as ISO-8601 (UTC or with an offset), epoch seconds or epoch milliseconds.
 */
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { seededRandom } from '../core/random.ts';
import { EVENT_ALIASES, type EventName } from './columns.ts';

export const SPIKE_MONTHS = [9, 10, 11];
export const SPIKE_WEIGHT = 3;
export const PLANTED_PAIRS: [string, string][] = [
  ['Food > Snacks & Sweets', 'Food > Beverages'],
  ['Non-Food > Pet Supplies', 'Non-Food > Household'],
];
/** How often the second category of a planted pair joins a basket holding the first. */
const PAIR_FOLLOW = 0.7;
export const SKEW = { category: 'Non-Food > Baby Care', ageBand: '25-34', factor: 6 };
/** Shoppers left out of the demographics file (kept by the pipeline, marked unknown). */
const WITHOUT_DEMOGRAPHICS = 0.1;
const NOISE = { exactDuplicate: 0.01, nearDuplicate: 0.005, missingUser: 0.002, badTime: 0.002, unknownEvent: 0.002 };
/** The pipeline's default near-duplicate window must exceed NEAR_DUPLICATE_MAX_S and stay under MIN_GAP_S. */
const NEAR_DUPLICATE_MAX_S = 3;
const MIN_GAP_S = 15;
const YEAR = 2025;

export interface CatalogProduct {
  id: string;
  name: string;
  /** "Level1 > Level2" from the starter catalog; '' for the sample's unlabelled products. */
  category: string;
  price: number;
}

export interface GenerateOptions {
  events: number;
  shoppers: number;
  seed: number;
  /** Products per labelled category taken from the starter catalog. */
  perCategory?: number;
}

export interface PlantedSearch {
  user_id: string;
  ts_ms: number;
  search_term: string;
  product_id: string;
}

export interface GeneratedTruth {
  rows: number;
  shoppers: number;
  sessions: number;
  spikeMonths: number[];
  plantedPairs: [string, string][];
  skew: typeof SKEW;
  exactDuplicates: number;
  nearDuplicates: number;
  rejects: Record<string, number>;
  products: number;
}

const root = new URL('../../models/', import.meta.url);

/** The product pool: `perCategory` labelled products of each starter-catalog category, then the sample's. */
export function productPool(seed: number, perCategory: number): CatalogProduct[] {
  const rand = seededRandom(seed ^ 0x5eed);
  const rows = parse(readFileSync(new URL('starter/catalog.csv', root)), { columns: true }) as Record<string, string>[];
  const byCategory = new Map<string, string[]>();
  for (const r of rows) {
    if (!r.level1 || !r.level2) continue;
    const c = `${r.level1} > ${r.level2}`;
    const names = byCategory.get(c) ?? [];
    if (!names.includes(r.product_name)) names.push(r.product_name);
    byCategory.set(c, names);
  }
  const pool: CatalogProduct[] = [];
  for (const [category, names] of [...byCategory].sort(([a], [b]) => a.localeCompare(b))) {
    for (let i = names.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [names[i], names[j]] = [names[j], names[i]];
    }
    for (const name of names.slice(0, perCategory)) {
      pool.push({ id: `P${String(pool.length + 1).padStart(5, '0')}`, name, category, price: Math.round((1.5 + rand() * 28) * 100) / 100 });
    }
  }
  // The sample keeps a few broken rows on purpose (they test the classifier's CSV reader): skipped here.
  const sample = parse(readFileSync(new URL('sample.csv', root)), { columns: true, skip_records_with_error: true }) as Record<string, string>[];
  for (const r of sample.filter((r) => r.product_name))
    pool.push({ id: r.id, name: r.product_name, category: '', price: Math.round((1.5 + rand() * 28) * 100) / 100 });
  return pool;
}

const FILLER = new Set(['by', 'and', 'with', 'of', 'the', 'in', 'for', 'oz', 'fl', 'ml', 'l', 'lb', 'lbs', 'g', 'kg', 'ct', 'count', 'pack', 'pk']);

/** What a shopper types for a product: two or three of its words, lowercased, sometimes with a typo. */
export function searchTermFor(name: string, rand: () => number): string {
  const words = (name.toLowerCase().match(/[\p{L}][\p{L}'&]*/gu) ?? []).filter((w) => !FILLER.has(w) && w.length > 1);
  if (!words.length) return name.toLowerCase();
  const start = Math.floor(rand() * Math.max(words.length - 1, 1));
  const picked = words.slice(start, start + (rand() < 0.5 ? 2 : 3));
  if (rand() < 0.15) {
    const i = picked.findIndex((w) => w.length >= 5);
    if (i >= 0) {
      const w = picked[i];
      const at = 1 + Math.floor(rand() * (w.length - 2));
      picked[i] = w.slice(0, at) + w.slice(at + 1); // one letter dropped
    }
  }
  return picked.join(' ');
}

export const ageBandOf = (age: number) =>
  age < 18 ? 'under 18' : age < 25 ? '18-24' : age < 35 ? '25-34' : age < 45 ? '35-44' : age < 55 ? '45-54' : age < 65 ? '55-64' : '65+';

/** A CSV cell: quoted when it holds a comma, quote or newline. */
const cell = (v: string) => (/[",\n\r]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v);

/** Buffered lines to a file. */
class LineWriter {
  private readonly fd: number;
  private buffer: string[] = [];
  constructor(path: string, header: string) {
    this.fd = openSync(path, 'w');
    this.buffer.push(header);
  }
  line(text: string): void {
    this.buffer.push(text);
    if (this.buffer.length >= 20_000) this.flush();
  }
  private flush(): void {
    if (this.buffer.length) writeSync(this.fd, this.buffer.join('\n') + '\n');
    this.buffer = [];
  }
  close(): void {
    this.flush();
    closeSync(this.fd);
  }
}

export const LOG_HEADER = 'user_id,timestamp,event,search_term,product_id,product_name,price,quantity';

/**
 * Writes `logsPath` (about `events` rows), `demographicsPath` and `searchesPath` (the planted searches: user,
 * time in epoch ms, term, intended product id) and returns the truth. The same options give the same files.
 */
export function generateShopperLogs(
  opts: GenerateOptions,
  paths: { logs: string; demographics: string; searches: string },
  onProgress?: (rows: number) => void,
): GeneratedTruth {
  const rand = seededRandom(opts.seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)];
  const pool = productPool(opts.seed, opts.perCategory ?? 40);
  const categories = [...new Set(pool.filter((p) => p.category).map((p) => p.category))];
  const byCategory = new Map(categories.map((c) => [c, pool.filter((p) => p.category === c)]));
  const partner = new Map(PLANTED_PAIRS.map(([a, b]) => [a, b]));
  const plantedSecond = new Set(PLANTED_PAIRS.map(([, b]) => b));

  // Days of the year, September to November weighted up, as a cumulative table.
  const dayWeights: number[] = [];
  for (let d = 0; d < 365; d++) {
    const month = new Date(Date.UTC(YEAR, 0, 1 + d)).getUTCMonth() + 1;
    dayWeights.push((dayWeights.at(-1) ?? 0) + (SPIKE_MONTHS.includes(month) ? SPIKE_WEIGHT : 1));
  }
  const drawDay = () => {
    const x = rand() * dayWeights[364];
    let lo = 0;
    let hi = 364;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (dayWeights[mid] > x) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  };

  const logs = new LineWriter(paths.logs, LOG_HEADER);
  const demographics = new LineWriter(paths.demographics, 'user_id,age,gender,income,region');
  const searches = new LineWriter(paths.searches, 'user_id,ts_ms,search_term,product_id');
  const truth: GeneratedTruth = {
    rows: 0,
    shoppers: 0,
    sessions: 0,
    spikeMonths: SPIKE_MONTHS,
    plantedPairs: PLANTED_PAIRS,
    skew: SKEW,
    exactDuplicates: 0,
    nearDuplicates: 0,
    rejects: { 'missing user_id': 0, 'unparseable timestamp': 0, 'unknown event': 0 },
    products: pool.length,
  };

  const ages = new Uint8Array(opts.shoppers);
  const userIds: string[] = [];
  for (let s = 0; s < opts.shoppers; s++) {
    const id = `U${String(s + 1).padStart(7, '0')}`;
    userIds.push(id);
    ages[s] = 18 + Math.floor(rand() * 60);
    if (rand() >= WITHOUT_DEMOGRAPHICS) {
      const gender = rand() < 0.04 ? 'other' : rand() < 0.5 ? 'female' : 'male';
      const income = Math.round(15_000 + 200_000 * rand() ** 2);
      demographics.line(`${id},${ages[s]},${gender},${income},${pick(['Northeast', 'Midwest', 'South', 'West'])}`);
    }
  }
  demographics.close();

  const formatTime = (seconds: number) => {
    const x = rand();
    if (x < 0.4) return new Date(seconds * 1000).toISOString().replace('.000Z', 'Z');
    if (x < 0.6) {
      const offsetH = pick([-5, -8, 1, 2, 9]);
      const local = new Date((seconds + offsetH * 3600) * 1000).toISOString().slice(0, 19);
      return `${local}${offsetH < 0 ? '-' : '+'}${String(Math.abs(offsetH)).padStart(2, '0')}:00`;
    }
    return x < 0.8 ? String(seconds) : String(seconds * 1000);
  };
  const eventName = (e: EventName) => (rand() < 0.2 ? pick(EVENT_ALIASES[e]).replace('_', pick(['_', '-'])) : e);

  let written = 0;
  const emit = (user: string, seconds: number, event: EventName, term: string, product: CatalogProduct | null, quantity = '') => {
    const row = (u: string, t: string, e: string) =>
      [u, t, e, cell(term), product?.id ?? '', product ? cell(product.name) : '', product?.price ?? '', quantity].join(',');
    logs.line(row(user, formatTime(seconds), eventName(event)));
    written++;
    if (rand() < NOISE.exactDuplicate) {
      logs.line(row(user, formatTime(seconds), event));
      truth.exactDuplicates++;
      written++;
    } else if (rand() < NOISE.nearDuplicate) {
      logs.line(row(user, formatTime(seconds + 1 + Math.floor(rand() * NEAR_DUPLICATE_MAX_S)), event));
      truth.nearDuplicates++;
      written++;
    }
    if (rand() < NOISE.missingUser) {
      logs.line(row('', formatTime(seconds), event));
      truth.rejects['missing user_id']++;
      written++;
    } else if (rand() < NOISE.badTime) {
      logs.line(row(user, pick(['yesterday', '2025-13-45 25:61:00', 'n/a']), event));
      truth.rejects['unparseable timestamp']++;
      written++;
    } else if (rand() < NOISE.unknownEvent) {
      logs.line(row(user, formatTime(seconds), pick(['wishlist', 'share', 'refund'])));
      truth.rejects['unknown event']++;
      written++;
    }
  };

  /** A product a shopper of this age is after: the skewed category weighs more for its age band. */
  const wantedProduct = (age: number): CatalogProduct => {
    if (rand() < 0.15) return pick(pool);
    const skewed = ageBandOf(age) === SKEW.ageBand;
    const weights = categories.map((c) => (c === SKEW.category ? (skewed ? SKEW.factor : 1) : plantedSecond.has(c) ? 0.5 : 1));
    let x = rand() * weights.reduce((a, b) => a + b, 0);
    for (let i = 0; i < categories.length; i++) if ((x -= weights[i]) < 0) return pick(byCategory.get(categories[i])!);
    return pick(pool);
  };

  /** One session of shopper `s` on `day`: intents (a product, often searched for first), distractor views, maybe a purchase. */
  const session = (s: number, day: number) => {
    const user = userIds[s];
    let t = Date.UTC(YEAR, 0, 1 + day) / 1000 + (8 + Math.floor(rand() * 13)) * 3600 + Math.floor(rand() * 3600);
    const intents: CatalogProduct[] = [];
    const n = 1 + Math.floor(rand() * 3);
    for (let i = 0; i < n; i++) {
      const p = wantedProduct(ages[s]);
      intents.push(p);
      const next = partner.get(p.category);
      if (next && rand() < PAIR_FOLLOW) intents.push(pick(byCategory.get(next)!));
    }
    const buying = rand() < 0.45;
    const carted: CatalogProduct[] = [];
    let first = true;
    let pausedLong = false;
    /** The next event of the session, after a gap: once a session, 35 to 55 minutes before a non-search event (inside its 60-minute limit). */
    const next = (event: EventName, term: string, product: CatalogProduct | null, quantity = '') => {
      if (!first && event !== 'search' && !pausedLong && rand() < 0.05) {
        pausedLong = true;
        t += 35 * 60 + Math.floor(rand() * 20 * 60);
      } else if (!first) t += MIN_GAP_S + Math.floor(rand() * 300);
      first = false;
      emit(user, t, event, term, product, quantity);
    };
    for (const p of intents) {
      if (rand() < 0.6) {
        const term = searchTermFor(p.name, rand);
        next('search', term, null);
        searches.line(`${user},${t * 1000},${cell(term)},${p.id}`);
        if (rand() < 0.5) next('view', '', pick(pool)); // a distractor seen on the way
      }
      next('view', '', p);
      if (buying ? rand() < 0.9 : rand() < 0.3) {
        next('add_to_cart', '', p, String(1 + Math.floor(rand() * 3)));
        carted.push(p);
      }
    }
    if (rand() < 0.3) next('search', pick(['gluten free unicorn', 'xq', 'cheapest thing']), null); // finds nothing
    if (buying) for (const p of carted) next('purchase', '', p, '1');
    truth.sessions++;
  };

  // Passes over the shoppers, one session each, on a day the shopper has no session yet, until enough rows.
  const daysUsed = new Uint8Array(opts.shoppers * 46);
  const seen = new Uint8Array(opts.shoppers);
  outer: for (let pass = 0; pass < 365; pass++) {
    for (let s = 0; s < opts.shoppers; s++) {
      if (written >= opts.events) break outer;
      let day = drawDay();
      for (let tries = 0; daysUsed[s * 46 + (day >> 3)] & (1 << (day & 7)) && tries < 20; tries++) day = drawDay();
      if (daysUsed[s * 46 + (day >> 3)] & (1 << (day & 7))) continue;
      daysUsed[s * 46 + (day >> 3)] |= 1 << (day & 7);
      if (!seen[s]) truth.shoppers++;
      seen[s] = 1;
      session(s, day);
      if (onProgress && truth.sessions % 10_000 === 0) onProgress(written);
    }
  }
  logs.close();
  searches.close();
  truth.rows = written;
  return truth;
}
