/**
 * The static table's principal axes (models/embeddings/principal-axes.ts computes them once from the table):
 * a 512-dimension meaning vector becomes its coordinates on the first few, in order of the energy they keep.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { STATIC_TABLE_DIR } from '../embeddings/static-table.ts';

/** float32, one axis after the other (each `dimensions` long, unit length), strongest first. */
export const AXES_FILE = 'axes.f32';

export class PrincipalAxes {
  private constructor(
    private readonly axes: Float32Array,
    readonly from: number,
    readonly to: number,
  ) {}

  /** The first `to` axes of a `from`-dimension table. */
  static load(from: number, to: number, dir = STATIC_TABLE_DIR): PrincipalAxes {
    const bytes = readFileSync(join(dir, AXES_FILE));
    const all = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
    if (all.length % from !== 0 || all.length / from < to) {
      throw new Error(`${dir}/${AXES_FILE}: ${all.length} values, not ${to} or more axes of ${from} (npm run embeddings:axes)`);
    }
    return new PrincipalAxes(all.slice(0, to * from), from, to);
  }

  /** `vector`'s coordinates on the axes, written into `out` at `offset`. */
  project(vector: Float32Array, out: Float32Array, offset: number): void {
    const { axes, from, to } = this;
    for (let a = 0; a < to; a++) {
      let s = 0;
      const at = a * from;
      for (let d = 0; d < from; d++) s += axes[at + d] * vector[d];
      out[offset + a] = s;
    }
  }
}
