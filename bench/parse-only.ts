/** The ceiling for `aisle classify`: stream the file through csv-parse and count the records, nothing else. */
import { createReadStream } from 'node:fs';
import { parse } from 'csv-parse';

const file = process.argv[2];
if (!file) throw new Error('usage: parse-only FILE');
let records = 0;
for await (const _record of createReadStream(file).pipe(parse({ bom: true, relax_column_count: true }))) records++;
console.log(JSON.stringify({ records: records - 1 }));
