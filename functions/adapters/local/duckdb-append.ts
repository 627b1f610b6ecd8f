import type { DuckDBConnection } from '@duckdb/node-api';
import type { Cell } from './decision-rows.ts';

/** Appends rows (cells in the table's column order; strings are cast to the column's type) through `c`. */
export async function appendRows(c: DuckDBConnection, table: string, rows: Cell[][]): Promise<void> {
  const appender = await c.createAppender(table);
  try {
    for (const row of rows) {
      for (const v of row) {
        if (v === null || v === undefined) appender.appendNull();
        else if (typeof v === 'number') appender.appendDouble(v);
        else appender.appendVarchar(v);
      }
      appender.endRow();
    }
    appender.flushSync();
  } finally {
    appender.closeSync();
  }
}
