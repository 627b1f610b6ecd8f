/**
 * The ceiling for `aisle classify`: read the file and count the records, nothing else — with aisle's own
 * reader (CsvBatchReader: its fast path for plain lines, csv-parse from the first quoted one), or with
 * csv-parse alone for comparison.
 *
 *   npx tsx bench/parse-only.ts FILE [aisle|csv-parse]
 */
import { createReadStream } from 'node:fs';
import { parse } from 'csv-parse';
import { CsvBatchReader } from '../functions/core/csv.ts';

const [file, reader = 'aisle'] = process.argv.slice(2);
if (!file || !['aisle', 'csv-parse'].includes(reader)) throw new Error('usage: parse-only FILE [aisle|csv-parse]');
let records = 0;
if (reader === 'aisle') {
  // The stream's chunk size and the batch size classify uses.
  const batches = new CsvBatchReader(createReadStream(file, { highWaterMark: 1 << 14 }), { batchSize: 256 }).batches();
  for await (const batch of batches) records = batch.recordsRead;
} else {
  for await (const _record of createReadStream(file).pipe(parse({ bom: true, relax_column_count: true }))) records++;
  records--; // the header
}
console.log(JSON.stringify({ records }));
