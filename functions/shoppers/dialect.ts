/**
 * The one place where the shopper SQL differs between DuckDB (local) and Athena (Trino, on AWS). Every SQL file of
 * functions/core/shoppers is one text for both engines; where the engines spell a thing differently the text holds a
 * placeholder, `{{name(arg, …)}}`, that `renderSql` replaces with the engine's spelling from its dialect here.
 * test/unit/shoppers-dialect.test.ts runs the Athena rendering on DuckDB (the Trino functions it names given their
 * Trino meaning as DuckDB macros) and checks it gives the DuckDB rendering's answers on the same data.
 */

export interface ShopperDialect {
  name: 'duckdb' | 'athena';
  /** A boolean: the whole of `text` matches `pattern` (a quoted regular expression without anchors). */
  full_match(text: string, pattern: string): string;
  /** ISO-8601 text (a zone or none, read as UTC; `T` or a space between date and time) as epoch ms, NULL if unparseable. */
  iso_epoch_ms(text: string): string;
  /** The calendar columns of an event from its epoch ms, UTC: event_month "2025-09", event_week (ISO) "2025-W37", event_hour 0..23. */
  event_calendar(tsMs: string): string;
}

export const DUCKDB_DIALECT: ShopperDialect = {
  name: 'duckdb',
  full_match: (text, pattern) => `regexp_full_match(${text}, ${pattern})`,
  // Without the ICU extension DuckDB's time zone is UTC: a time without a zone is read as UTC.
  iso_epoch_ms: (text) => `epoch_ms(TRY_CAST(${text} AS TIMESTAMPTZ))`,
  event_calendar: (ts) =>
    `strftime(epoch_ms(${ts}), '%Y-%m') AS event_month, strftime(epoch_ms(${ts}), '%G-W%V') AS event_week, ` +
    `CAST(hour(epoch_ms(${ts})) AS INTEGER) AS event_hour`,
};

/** Athena engine 3 (Trino); its session time zone is UTC, so from_unixtime and a zoneless ISO time are UTC. */
export const ATHENA_DIALECT: ShopperDialect = {
  name: 'athena',
  // regexp_like finds the pattern anywhere: anchored, it is a whole match.
  full_match: (text, pattern) => `regexp_like(${text}, '^' || ${pattern} || '$')`,
  // from_iso8601_timestamp wants the `T`; try() turns its error on bad text into NULL.
  iso_epoch_ms: (text) => `CAST(to_unixtime(try(from_iso8601_timestamp(replace(${text}, ' ', 'T')))) * 1000 AS BIGINT)`,
  // %x-W%v: the year of the ISO week and the ISO week (MySQL-style specifiers, as Trino's date_format takes them).
  event_calendar: (ts) =>
    `date_format(from_unixtime(${ts} / 1000e0), '%Y-%m') AS event_month, date_format(from_unixtime(${ts} / 1000e0), '%x-W%v') AS event_week, ` +
    `CAST(hour(from_unixtime(${ts} / 1000e0)) AS INTEGER) AS event_hour`,
};

export const SHOPPER_DIALECTS = { duckdb: DUCKDB_DIALECT, athena: ATHENA_DIALECT } as const;

type Fragment = Exclude<keyof ShopperDialect, 'name'>;
const FRAGMENTS: readonly Fragment[] = ['full_match', 'iso_epoch_ms', 'event_calendar'];

/** Splits a placeholder's arguments at top-level commas (not inside quotes or parentheses). */
function splitArgs(text: string): string[] {
  const args: string[] = [];
  let [depth, quoted, from] = [0, false, 0];
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === "'") quoted = !quoted;
    else if (!quoted && ch === '(') depth++;
    else if (!quoted && ch === ')') depth--;
    else if (!quoted && depth === 0 && ch === ',') {
      args.push(text.slice(from, i).trim());
      from = i + 1;
    }
  }
  args.push(text.slice(from).trim());
  return args;
}

/** The SQL text in an engine's spelling: each `{{name(args)}}` replaced by the dialect's fragment. */
export function renderSql(sql: string, dialect: ShopperDialect): string {
  return sql.replace(/\{\{(\w+)\((.*?)\)\}\}/g, (_, name: string, args: string) => {
    if (!FRAGMENTS.includes(name as Fragment)) throw new Error(`unknown dialect placeholder {{${name}(…)}}`);
    return (dialect[name as Fragment] as (...a: string[]) => string)(...splitArgs(args));
  });
}
