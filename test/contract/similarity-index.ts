/**
 * The SimilarityIndex contract: every adapter (the local folder index, Amazon S3 Vectors against the project's
 * emulator) runs the same assertions. The factory returns a fresh, empty index of DIMENSIONS dimensions.
 */
import { describe, expect, it } from 'vitest';
import type { SimilarityIndex, VectorEntry } from '../../functions/ports.ts';

export const DIMENSIONS = 8;

/** A unit vector leaning on axis `axis`, tilted by `tilt` toward the next axis. */
export function unit(axis: number, tilt = 0): Float32Array {
  const v = new Float32Array(DIMENSIONS);
  v[axis % DIMENSIONS] = 1;
  v[(axis + 1) % DIMENSIONS] = tilt;
  const n = Math.hypot(...v);
  return v.map((x) => x / n);
}

const entry = (key: string, vector: Float32Array, classId: string | null, name = `item ${key}`): VectorEntry => ({ key, vector, classId, name });

export function similarityIndexContract(name: string, make: () => Promise<{ index: SimilarityIndex; cleanup?: () => Promise<void> }>) {
  describe(`SimilarityIndex contract: ${name}`, () => {
    it('answers the nearest items best first, with cosine scores, and leaves out excluded keys', async () => {
      const { index, cleanup } = await make();
      try {
        await index.upsert([
          entry('a000000000000001', unit(0), 'food.dairy-eggs'),
          entry('a000000000000002', unit(0, 0.2), 'food.dairy-eggs'),
          entry('a000000000000003', unit(0, 1), 'food.beverages'),
          entry('a000000000000004', unit(3), 'non-food.household'),
        ]);
        expect(await index.size()).toBe(4);
        const found = await index.query(unit(0), { k: 3, exclude: ['a000000000000001'] });
        expect(found.map((f) => f.key)).toEqual(['a000000000000002', 'a000000000000003', 'a000000000000004']);
        expect(found[0].score).toBeCloseTo(1 / Math.hypot(1, 0.2), 2);
        expect(found[1].score).toBeCloseTo(Math.SQRT1_2, 2);
        expect(found[2].score).toBeCloseTo(0, 2);
        expect(found[0]).toMatchObject({ classId: 'food.dairy-eggs', name: 'item a000000000000002' });
      } finally {
        await cleanup?.();
      }
    });

    it('keeps every score in the documented -1..1, also where a stored vector is rounded (int8) away from unit length', async () => {
      const { index, cleanup } = await make();
      try {
        // Each of unit(0, 1)'s components (√½) stored as int8 rounds up (89.8 → 90 of 127): scored exactly against
        // the float query, the item itself came out at 1.0022 and its opposite at -1.0022.
        const diagonal = unit(0, 1);
        const opposite = diagonal.map((x) => -x);
        await index.upsert([entry('e000000000000001', diagonal, null), entry('e000000000000002', opposite, null)]);
        expect((await index.query(diagonal, { k: 2 })).map((f) => f.score)).toEqual([1, -1]);
      } finally {
        await cleanup?.();
      }
    });

    it('filters by a class and the classes below it', async () => {
      const { index, cleanup } = await make();
      try {
        await index.upsert([
          entry('b000000000000001', unit(0), 'food.dairy-eggs'),
          entry('b000000000000002', unit(0, 0.1), 'non-food.household'),
          entry('b000000000000003', unit(0, 0.5), 'food.beverages'),
          entry('b000000000000004', unit(0, 0.3), null),
        ]);
        expect((await index.query(unit(0), { k: 5, classId: 'food' })).map((f) => f.key)).toEqual(['b000000000000001', 'b000000000000003']);
        expect((await index.query(unit(0), { k: 5, classId: 'food.beverages' })).map((f) => f.key)).toEqual(['b000000000000003']);
        expect(await index.query(unit(0), { k: 5, classId: 'food.bev' })).toEqual([]);
      } finally {
        await cleanup?.();
      }
    });

    it('replaces an upserted key, removes keys, and gets an entry back', async () => {
      const { index, cleanup } = await make();
      try {
        await index.upsert([entry('c000000000000001', unit(1), 'food.beverages', 'cola')]);
        await index.upsert([entry('c000000000000001', unit(5), 'food.snacks-sweets', 'cola chips')]);
        await index.upsert([entry('c000000000000002', unit(6), 'food.snacks-sweets')]);
        expect(await index.size()).toBe(2);
        const got = await index.get('c000000000000001');
        expect(got).toMatchObject({ key: 'c000000000000001', classId: 'food.snacks-sweets', name: 'cola chips' });
        expect(Array.from(got!.vector).map((x) => Math.round(x * 100) / 100)).toEqual(Array.from(unit(5)));
        expect((await index.query(unit(5), { k: 1 }))[0].key).toBe('c000000000000001');
        await index.remove(['c000000000000001', 'c000000000000404']);
        expect(await index.get('c000000000000001')).toBeNull();
        expect(await index.size()).toBe(1);
        expect((await index.query(unit(5), { k: 5 })).map((f) => f.key)).toEqual(['c000000000000002']);
      } finally {
        await cleanup?.();
      }
    });

    it("keeps tenants apart: one tenant never finds, gets or removes another's items", async () => {
      const { index, cleanup } = await make();
      try {
        const a = index.forTenant('tenant-a');
        const b = index.forTenant('tenant-b');
        await a.upsert([entry('d000000000000001', unit(2), 'food.beverages', 'secret a')]);
        await b.upsert([entry('d000000000000002', unit(2, 0.1), 'food.beverages', 'b')]);
        expect((await b.query(unit(2), { k: 10 })).map((f) => f.key)).toEqual(['d000000000000002']);
        expect(await b.get('d000000000000001')).toBeNull();
        await b.remove(['d000000000000001']);
        expect(await a.get('d000000000000001')).not.toBeNull();
        expect(await a.size()).toBe(1);
        expect(await index.size()).toBe(0);
      } finally {
        await cleanup?.();
      }
    });
  });
}
