/**
 * Checks a saved graph (`graph.usearch`) before usearch loads it. usearch trusts the counts a file states: a file
 * that is not a graph (truncated, zeroed, other bytes) makes it allocate what random counts ask for (std::bad_alloc
 * aborts the whole process) or read without end. Here every count is checked against the file's length, so what
 * usearch then reads and allocates is bounded by the file and ends at its last byte.
 *
 * The layout, as usearch 2.x writes a dense index (include/usearch/index_dense.hpp save_to_stream, index.hpp
 * index_gt::save_to_stream), integers little-endian:
 *   u32 rows, u32 bytes per vector; the vectors (rows × bytes);
 *   64-byte head: "usearch", u16 version ×3, u8 metric, scalar, key and slot kinds, u64 present, deleted, dimensions, u8 multi;
 *   u64 nodes, connectivity, base connectivity, max level, entry slot; an i16 level per node;
 *   each node: u64 key, i16 level, u32 count + u32 slots × base connectivity, then per level u32 count + u32 slots × connectivity.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

const MATRIX = 8;
const HEAD = 64;
const GRAPH_HEADER = 40;
const MAGIC = 'usearch';
/** What vector-index-ann.ts writes: cosine ('c'), int8 vectors (23), u64 keys (14), u32 slots (15). */
const KINDS = [0x63, 23, 14, 15];
/** usearch's level_t is an i16; a level above this is not from a graph of any size (each level M× fewer nodes). */
const MAX_LEVEL = 64;

/** Why `file` is not a graph of `dimensions` int8 cosine vectors that usearch can load; null when it is one. */
export function graphFileProblem(file: string, dimensions: number): string | null {
  const fd = openSync(file, 'r');
  try {
    return problemOf(fd, fstatSync(fd).size, dimensions);
  } finally {
    closeSync(fd);
  }
}

function problemOf(fd: number, length: number, dimensions: number): string | null {
  const read = (at: number, n: number) => {
    const b = Buffer.alloc(n);
    return readSync(fd, b, 0, n, at) === n ? b : null;
  };
  const matrix = read(0, MATRIX);
  if (!matrix || length < MATRIX + HEAD + GRAPH_HEADER) return `${length} bytes: shorter than a graph's headers`;
  const rows = matrix.readUInt32LE(0);
  const bytesPerVector = matrix.readUInt32LE(4);
  if (bytesPerVector !== dimensions) return `vectors of ${bytesPerVector} bytes where the index has ${dimensions}`;
  const headAt = MATRIX + rows * bytesPerVector;
  if (headAt + HEAD + GRAPH_HEADER > length) return `${rows} vectors of ${bytesPerVector} bytes run past its ${length} bytes`;
  const head = read(headAt, HEAD)!;
  if (head.toString('latin1', 0, MAGIC.length) !== MAGIC) return 'no usearch header after the vectors';
  if (KINDS.some((kind, i) => head[13 + i] !== kind)) return 'not a cosine graph of int8 vectors with 64-bit keys';
  const present = head.readBigUInt64LE(17);
  const deleted = head.readBigUInt64LE(25);
  if (head.readBigUInt64LE(33) !== BigInt(dimensions) || head[41] !== 0) return 'its head states other dimensions or several vectors a key';
  if (present + deleted !== BigInt(rows)) return `its head counts ${present + deleted} vectors where the file holds ${rows}`;
  const graph = read(headAt + HEAD, GRAPH_HEADER)!;
  const [nodes, connectivity, base, maxLevel, entry] = [0, 8, 16, 24, 32].map((at) => graph.readBigUInt64LE(at));
  if (nodes !== BigInt(rows)) return `${nodes} nodes for ${rows} vectors`;
  if (connectivity < 2n || base < connectivity || base > 1n << 16n || maxLevel > MAX_LEVEL || (rows && entry >= nodes))
    return 'its graph header is out of range';
  const levelsAt = headAt + HEAD + GRAPH_HEADER;
  if (levelsAt + 2 * rows > length) return `the levels of ${rows} nodes run past its ${length} bytes`;
  const levels = read(levelsAt, 2 * rows)!;
  // Each node's bytes follow from its level: they must add up to the rest of the file, to the byte.
  const baseBytes = 8 + 2 + 4 + 4 * Number(base);
  const levelBytes = 4 + 4 * Number(connectivity);
  let end = levelsAt + 2 * rows;
  for (let i = 0; i < rows; i++) {
    const level = levels.readInt16LE(2 * i);
    if (level < 0 || level > maxLevel) return `node ${i} is at level ${level}, outside 0..${maxLevel}`;
    end += baseBytes + level * levelBytes;
  }
  return end === length ? null : `its nodes end at byte ${end} where the file has ${length} bytes`;
}
