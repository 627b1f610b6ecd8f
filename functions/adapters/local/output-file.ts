/**
 * Turns a run's CSV output into the file format asked for (--out-format jsonl|parquet|xlsx): the run writes its
 * CSV as always (so resuming, workers and the lake work as for CSV), raw, beside the output; this reads it back
 * once the run is done, writes the output in its format and removes the CSV.
 */
import { createReadStream, createWriteStream, rmSync } from 'node:fs';
import { parse } from 'csv-parse';
import { fileWriter } from 'hyparquet-writer';
import { columnKeys, type FileFormat, writeRows } from '../../core/output/formats.ts';

/** Where a run writes the CSV it turns into `output`. */
export function workingCsvPath(output: string): string {
  return `${output}.csv.part`;
}

/** Writes `output` in `format` from the raw CSV at `csvPath` (in `delimiter`), then removes the CSV. Returns the rows written. */
export async function writeOutputAs(format: FileFormat, csvPath: string, delimiter: string, output: string): Promise<number> {
  const records = createReadStream(csvPath).pipe(parse({ delimiter, relax_quotes: false }));
  const iterator: AsyncIterator<string[]> = records[Symbol.asyncIterator]();
  const first = await iterator.next();
  const header = columnKeys(first.done ? [] : first.value);
  const rows: AsyncIterable<string[]> = { [Symbol.asyncIterator]: () => iterator };
  try {
    const n = await writeRows(format, header, rows, { stream: () => createWriteStream(output), parquet: () => fileWriter(output) });
    rmSync(csvPath, { force: true });
    return n;
  } catch (err) {
    records.destroy();
    rmSync(output, { force: true });
    throw err;
  }
}
