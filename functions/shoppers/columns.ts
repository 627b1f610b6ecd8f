/**
 * The columns of shopper logs and demographics files, and the spellings of event names, as Aisle accepts them.
 * Headers are matched case-insensitively, ignoring spaces, '_' and '-' ("Customer ID" is customer_id); the first
 * alias found wins. `aisle shoppers --help` and docs/shoppers.md print these tables.
 */
import { UserError } from '../core/errors.ts';

export const LOG_COLUMNS = {
  user_id: ['user_id', 'userid', 'user', 'customer_id', 'customer', 'shopper_id', 'shopper', 'client_id', 'visitor_id', 'member_id'],
  timestamp: ['timestamp', 'ts', 'time', 'event_time', 'event_timestamp', 'datetime', 'date_time', 'created_at', 'occurred_at'],
  event: ['event', 'event_type', 'event_name', 'action', 'type', 'activity'],
  search_term: ['search_term', 'query', 'search_query', 'search', 'keyword', 'keywords', 'term', 'q'],
  product_id: ['product_id', 'productid', 'item_id', 'sku', 'product_sku', 'asin', 'item'],
  product_name: ['product_name', 'product', 'name', 'title', 'item_name', 'product_title'],
  price: ['price', 'unit_price', 'amount'],
  quantity: ['quantity', 'qty', 'units', 'count'],
} as const;

export const DEMOGRAPHIC_COLUMNS = {
  user_id: LOG_COLUMNS.user_id,
  age: ['age', 'age_years', 'age_band', 'age_group'],
  gender: ['gender', 'sex'],
  income: ['income', 'income_band', 'income_bracket', 'household_income', 'annual_income', 'income_group'],
  region: ['region', 'state', 'province', 'country', 'city', 'location', 'area'],
} as const;

/** The four events, each with the names logs commonly give it (compared after lowercasing, '-' and spaces as '_'). */
export const EVENT_ALIASES = {
  search: ['search', 'searched', 'query', 'search_query', 'site_search'],
  view: ['view', 'viewed', 'product_view', 'view_item', 'page_view', 'pageview', 'detail', 'click', 'product_click'],
  add_to_cart: ['add_to_cart', 'addtocart', 'add_cart', 'cart', 'add', 'added_to_cart', 'add_to_basket', 'basket', 'cart_add'],
  purchase: ['purchase', 'purchased', 'buy', 'bought', 'order', 'ordered', 'checkout', 'transaction', 'sale'],
} as const;

export type EventName = keyof typeof EVENT_ALIASES;

const squash = (header: string) => header.toLowerCase().replace(/[\s_-]+/g, '');

/**
 * Which header of `headers` holds each column of `spec` (absent columns are left out). Throws a UserError
 * naming the required columns it cannot find.
 */
export function matchColumns<S extends Record<string, readonly string[]>>(
  headers: string[],
  spec: S,
  required: readonly (keyof S & string)[],
  file: string,
): Partial<Record<keyof S & string, string>> {
  type K = keyof S & string;
  const byKey = new Map(headers.map((h) => [squash(h), h]));
  const found: Partial<Record<K, string>> = {};
  const taken = new Set<string>();
  for (const column of Object.keys(spec) as K[]) {
    for (const alias of spec[column]) {
      const header = byKey.get(squash(alias));
      if (header !== undefined && !taken.has(header)) {
        found[column] = header;
        taken.add(header);
        break;
      }
    }
  }
  const missing = required.filter((c) => !found[c]);
  if (missing.length) {
    throw new UserError(
      `${file}: no column for ${missing.map((c) => `${c} (one of: ${spec[c].join(', ')})`).join('; ')}; its header is: ${headers.join(', ')}`,
    );
  }
  return found;
}

/** The shopper-log columns: a user, a time and an event, and a product id or name. */
export function matchLogColumns(headers: string[], file: string) {
  const found = matchColumns(headers, LOG_COLUMNS, ['user_id', 'timestamp', 'event'], file);
  if (!found.product_id && !found.product_name) {
    throw new UserError(`${file}: no product column (one of: ${[...LOG_COLUMNS.product_id, ...LOG_COLUMNS.product_name].join(', ')})`);
  }
  return found;
}

export const matchDemographicColumns = (headers: string[], file: string) => matchColumns(headers, DEMOGRAPHIC_COLUMNS, ['user_id'], file);

/** The aliases as (alias, event) rows: the table the parsing SQL joins raw event names against. */
export const eventAliasRows = (): [string, EventName][] =>
  (Object.entries(EVENT_ALIASES) as [EventName, readonly string[]][]).flatMap(([event, aliases]) =>
    aliases.map((a): [string, EventName] => [a, event]),
  );

/** The column tables as help text, one line a column. */
export function columnsHelp(): string {
  const table = (spec: Record<string, readonly string[]>) =>
    Object.entries(spec)
      .map(([c, aliases]) => `  ${c.padEnd(13)} ${aliases.join(', ')}`)
      .join('\n');
  const events = Object.entries(EVENT_ALIASES)
    .map(([e, aliases]) => `  ${e.padEnd(13)} ${aliases.join(', ')}`)
    .join('\n');
  return `shopper-log columns (header names matched case-insensitively, ignoring spaces, '_' and '-'):\n${table(LOG_COLUMNS)}\n\nevents:\n${events}\n\ndemographics columns:\n${table(DEMOGRAPHIC_COLUMNS)}`;
}
