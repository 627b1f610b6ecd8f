/**
 * The static table's principal axes, computed once from the shipped table (no data): the item vectors keep a
 * name's meaning as its coordinates on the first of them (functions/similar/vectors.ts), a fraction of the
 * dimensions for nearly all the table's energy, so the index holds fewer bytes per item and searches faster.
 * Uncentred (the eigenvectors of Σ rowᵀrow), because cosines are taken between uncentred vectors.
 *
 *   npm run embeddings:axes     # rewrites models/embeddings/use-lite-static/axes.f32 (~30 s of CPU)
 *
 * Orthogonal iteration on the table's second-moment matrix (512 × 512): the columns converge to the axes in
 * order of their eigenvalues. It prints the share of the table's energy the first 64…256 axes keep.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadStaticTable, STATIC_TABLE_DIR } from '../../functions/embeddings/static-table.ts';
import { AXES_FILE } from '../../functions/similar/principal-axes.ts';

/** Axes written: more than the vectors use, so the split can be changed and measured without recomputing. */
const AXES = 256;
const ITERATIONS = 80;

const { meta, values } = loadStaticTable();
const D = meta.dimensions;

// Second-moment matrix of the dequantized rows (upper triangle, then mirrored).
const C = new Float64Array(D * D);
const row = new Float64Array(D);
for (let r = 0; r < meta.tokens.length; r++) {
  for (let d = 0; d < D; d++) row[d] = values[r * D + d] * meta.scales[r];
  for (let i = 0; i < D; i++) {
    const x = row[i];
    const at = i * D;
    for (let j = i; j < D; j++) C[at + j] += x * row[j];
  }
}
for (let i = 0; i < D; i++) for (let j = 0; j < i; j++) C[i * D + j] = C[j * D + i];

// Q: AXES columns of D, stored column-major (axis a at a * D); starts from the identity's first columns.
let Q = new Float64Array(AXES * D);
for (let a = 0; a < AXES; a++) Q[a * D + a] = 1;
for (let it = 0; it < ITERATIONS; it++) {
  const Z = new Float64Array(AXES * D);
  for (let a = 0; a < AXES; a++) {
    const q = a * D;
    for (let i = 0; i < D; i++) {
      let s = 0;
      const at = i * D;
      for (let j = 0; j < D; j++) s += C[at + j] * Q[q + j];
      Z[q + i] = s;
    }
  }
  // Modified Gram-Schmidt: each column orthogonal to those before it, unit length.
  for (let a = 0; a < AXES; a++) {
    const z = a * D;
    for (let b = 0; b < a; b++) {
      let dot = 0;
      for (let d = 0; d < D; d++) dot += Z[z + d] * Z[b * D + d];
      for (let d = 0; d < D; d++) Z[z + d] -= dot * Z[b * D + d];
    }
    let norm = 0;
    for (let d = 0; d < D; d++) norm += Z[z + d] ** 2;
    norm = Math.sqrt(norm);
    for (let d = 0; d < D; d++) Z[z + d] /= norm;
  }
  Q = Z;
}

// The energy (Rayleigh quotient) along each axis, against the trace: what the first axes keep.
let trace = 0;
for (let i = 0; i < D; i++) trace += C[i * D + i];
let kept = 0;
for (let a = 0; a < AXES; a++) {
  let e = 0;
  for (let i = 0; i < D; i++) {
    let s = 0;
    for (let j = 0; j < D; j++) s += C[i * D + j] * Q[a * D + j];
    e += Q[a * D + i] * s;
  }
  kept += e;
  if ((a + 1) % 64 === 0) console.log(`first ${a + 1} axes: ${((100 * kept) / trace).toFixed(1)} % of the table's energy`);
}

writeFileSync(join(STATIC_TABLE_DIR, AXES_FILE), Buffer.from(Float32Array.from(Q).buffer));
console.log(`wrote ${AXES} axes × ${D} to ${join(STATIC_TABLE_DIR, AXES_FILE)}`);
