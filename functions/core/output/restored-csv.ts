/** The result and rejects files served as they would have been written raw (`?raw=1`, docs/csv.md). */
import { Parser } from 'csv-parse';
import { escapeCsv, restoreCell, sniffDelimiter, UTF8_BOM } from '../csv.ts';
import { peek } from '../input/containers.ts';

/** A neutralised CSV file (LF line ends, its delimiter sniffed, BOM kept) as it would have been written raw: the same bytes, streamed. */
export async function* restoredCsv(neutralised: AsyncIterable<Buffer | string>): AsyncGenerator<Buffer> {
  const { head, all } = await peek(neutralised, 1 << 16);
  const bom = head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf;
  const delimiter = sniffDelimiter(firstLineOf(bom ? head.subarray(3) : head));
  const parser = new Parser({ relax_column_count: true, delimiter, bom: true });
  if (bom) yield Buffer.from(UTF8_BOM);
  const reading = (async () => {
    try {
      for await (const chunk of all) if (!parser.write(chunk)) await new Promise((r) => parser.once('drain', r));
      parser.end();
    } catch (err) {
      parser.destroy(err as Error);
    }
  })();
  let out = '';
  for await (const record of parser as AsyncIterable<string[]>) {
    out += record.map((cell) => escapeCsv(restoreCell(cell), delimiter)).join(delimiter) + '\n';
    if (out.length >= 1 << 16) {
      yield Buffer.from(out);
      out = '';
    }
  }
  await reading;
  if (out) yield Buffer.from(out);
}

function firstLineOf(buf: Buffer): string {
  const end = buf.indexOf(10);
  return buf.subarray(0, end < 0 ? buf.length : end).toString('utf8');
}
