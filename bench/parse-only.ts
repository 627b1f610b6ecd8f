/**
 * The ceiling for `aisle classify`: read the file and count the records, nothing else — with aisle's own
 * reader (CsvBatchReader: its fast path for plain lines, csv-parse from the first quoted one), or with
 * csv-parse alone for comparison; or csv-parse → csv-stringify into a file next to the input (a plain
 * read-and-write pass, the floor the full cascade is measured beside).
 *
 *   npx tsx bench/parse-only.ts FILE [aisle|csv-parse|csv-stringify]
 */
import { createReadStream, createWriteStream, rmSync } from 'node:fs';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parse } from 'csv-parse';
import { stringify } from 'csv-stringify';
import { CsvBatchReader } from '../functions/core/csv.ts';

const [file, reader = 'aisle'] = process.argv.slice(2);
if (!file || !['aisle', 'csv-parse', 'csv-stringify'].includes(reader)) throw new Error('usage: parse-only FILE [aisle|csv-parse|csv-stringify]');
let records = 0;
if (reader === 'aisle') {
  // The stream's chunk size and the batch size classify uses.
  const batches = new CsvBatchReader(createReadStream(file, { highWaterMark: 1 << 14 }), { batchSize: 256 }).batches();
  for await (const batch of batches) records = batch.recordsRead;
} else if (reader === 'csv-parse') {
  for await (const _record of createReadStream(file).pipe(parse({ bom: true, relax_column_count: true }))) records++;
  records--; // the header
} else {
  const out = `${file}.stringified.csv`;
  const counted = new Transform({
    objectMode: true,
    transform(record, _encoding, done) {
      records++;
      done(null, record);
    },
  });
  await pipeline(createReadStream(file), parse({ bom: true, relax_column_count: true }), counted, stringify(), createWriteStream(out));
  rmSync(out);
  records--; // the header
}
console.log(JSON.stringify({ records }));
