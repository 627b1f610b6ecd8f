/** The principal axes' projection: eight axes a pass, each coordinate the same to the bit as one axis at a time. */
import { describe, expect, it } from 'vitest';
import { STATIC_TABLE_DIR } from '../../functions/embeddings/static-table.ts';
import { PrincipalAxes } from '../../functions/similar/principal-axes.ts';

describe('PrincipalAxes.project', () => {
  it('gives each coordinate as the plain sum over the dimensions in order, for any number of axes', () => {
    const vector = Float32Array.from({ length: 512 }, (_, d) => Math.sin(d * 0.7) / 9);
    for (const to of [128, 7, 13]) {
      const axes = PrincipalAxes.load(512, to, STATIC_TABLE_DIR);
      const all = (axes as unknown as { axes: Float32Array }).axes;
      const out = new Float32Array(to + 3).fill(-9);
      axes.project(vector, out, 2);
      const expected = Float32Array.from({ length: to }, (_, a) => {
        let s = 0;
        for (let d = 0; d < 512; d++) s += all[a * 512 + d] * vector[d];
        return s;
      });
      expect([...out.subarray(2, 2 + to)]).toEqual([...expected]);
      expect([out[0], out[1], out[to + 2]]).toEqual([-9, -9, -9]);
    }
  });
});
