/** Trino's functions the Athena fragments call, as DuckDB macros (Athena's session zone is UTC, as DuckDB's here). */
export const ATHENA_FUNCTIONS_ON_DUCKDB = [
  // Trino: true when the pattern is found anywhere in the text (not a whole match).
  'CREATE MACRO regexp_like(s, p) AS regexp_matches(s, p)',
  // Trino: an ISO-8601 timestamp with or without a zone (none: the session zone); an error on other text.
  'CREATE MACRO from_iso8601_timestamp(s) AS CAST(s AS TIMESTAMPTZ)',
  // Trino: seconds since the epoch as a DOUBLE.
  'CREATE MACRO to_unixtime(t) AS epoch_ms(t) / 1000e0',
  // Trino: the timestamp of DOUBLE seconds since the epoch, in the session zone.
  'CREATE MACRO from_unixtime(x) AS make_timestamp(CAST(round(x * 1000000) AS BIGINT))',
  // Trino's MySQL-style specifiers: %x the ISO week's year, %v the ISO week (strftime's %G and %V); %Y, %m alike.
  "CREATE MACRO date_format(t, f) AS strftime(t, replace(replace(f, '%x', '%G'), '%v', '%V'))",
];
