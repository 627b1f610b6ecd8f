/**
 * Turns a run's CSV output into the file format asked for (--out-format jsonl|parquet|xlsx): the run writes its
 * CSV as always (so resuming, workers and the lake work as for CSV), raw, beside the output; this reads it back
 * once the run is done, writes the output in its format and removes the CSV.
 */
import { createReadStream, createWriteStream, rmSync } from 'node:fs';
import { parse } from 'csv-parse';
import { fileWriter } from 'hyparquet-writer';
import { type FileFormat, writeRows } from '../../core/output/formats.ts';

/** Where a run writes the CSV it turns into `output`. */
export function workingCsvPath(output: string): string {
  return `${output}.csv.part`;
}

/** Writes `output` in `format` from the raw CSV at `csvPath` (in `delimiter`), then removes the CSV. Returns the rows written. */
export async function writeOutputAs(format: FileFormat, csvPath: string, delimiter: string, output: string): Promise<number> {
  const records = createReadStream(csvPath).pipe(parse({ delimiter, relax_quotes: false }));
  const iterator: AsyncIterator<string[]> = records[Symbol.asyncIterator]();
  const first = await iterator.next();
  const header = uniqueNames(first.done ? [] : first.value);
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

/** Column names as keys: a repeated name gets `_2`, `_3`… (JSON objects and Parquet schemas need distinct names). */
function uniqueNames(header: string[]): string[] {
  const seen = new Set<string>();
  return header.map((name) => {
    let unique = name;
    for (let i = 2; seen.has(unique); i++) unique = `${name}_${i}`;
    seen.add(unique);
    return unique;
  });
}
