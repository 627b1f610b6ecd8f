/** Reads a whole file's bytes through the input pipeline (open.ts), fed in small chunks to cross every boundary. */
import { describeInput, openTable } from '../../functions/core/input/open.ts';
import type { CsvReject } from '../../functions/core/input/table.ts';

export async function* chunksOf(bytes: Buffer, size: number) {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

export async function readAll(bytes: Buffer, opts: Parameters<typeof openTable>[1] = {}, size = 7) {
  const { reader, kind } = await openTable(chunksOf(bytes, size), opts);
  const rows: string[][] = [];
  const rejects: CsvReject[] = [];
  for await (const b of reader.batches()) {
    rows.push(...b.rows);
    rejects.push(...b.rejects);
  }
  return { rows, rejects, header: reader.columns!.header, readAs: describeInput(kind), delimiter: reader.delimiter };
}
