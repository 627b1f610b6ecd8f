import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ModelLoadError, OnnxEncoder } from '../../functions/model/encoder.ts';
import { HF_LABELS, tinySoftmax, writeTinyHfExport } from '../fixtures/tiny-hf-export.ts';

describe('Hugging Face-style exports', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'aisle-hf-'));
    for (const withTypes of [true, false]) await writeTinyHfExport(dir, withTypes ? 'with-types' : 'without-types', withTypes);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  for (const variant of ['with-types', 'without-types']) {
    it(`serves an export ${variant === 'with-types' ? 'with' : 'without'} a token_type_ids input`, async () => {
      const encoder = await OnnxEncoder.load(join(dir, variant), { threads: 1 });
      try {
        expect(encoder.tokenizer.fast).toBe(false);
        expect(encoder.classIds).toEqual(['food.dairy-eggs', 'non-food.household', 'food.beverages']);
        expect(encoder.modelVersion).toBe(variant);
        // The library's post-processor adds [CLS] … [SEP]; the BERT pre-tokenizer splits punctuation.
        expect(encoder.tokenizer.encode('whole milk')).toEqual([2, 4, 5, 3]);
        const [milk, soaps, unknown] = await encoder.predict(['Whole MILK', 'dish soaps!', 'zzz'], 3);
        const expectMatch = (got: { classId: string; score: number }[], logits: number[]) => {
          const p = tinySoftmax(logits);
          for (const c of got) expect(c.score).toBeCloseTo(p[encoder.classIds.indexOf(c.classId)], 5);
        };
        expect(milk[0].classId).toBe('food.dairy-eggs');
        expectMatch(milk, [4, 0, 1]);
        expect(soaps[0].classId).toBe('non-food.household');
        expectMatch(soaps, [0, 5, 0]);
        expectMatch(unknown, [0, 0, 0]);
        expect(encoder.threshold('food.dairy-eggs')).toBe(0.6);
        expect(encoder.threshold('food.beverages')).toBe(0.9);
      } finally {
        await encoder.close();
      }
    });
  }

  it('refuses a folder whose labels do not match the logits', async () => {
    const bad = await writeTinyHfExport(dir, 'bad', false);
    await writeFile(join(bad, 'labels.json'), JSON.stringify({ labels: HF_LABELS.slice(0, 2) }));
    await expect(OnnxEncoder.load(bad)).rejects.toThrow(/3 logits per row but labels.json lists 2 classes/);
    await writeFile(join(bad, 'labels.json'), JSON.stringify({ labels: ['Food > Candy'] }));
    await expect(OnnxEncoder.load(bad)).rejects.toThrow(ModelLoadError);
    await expect(OnnxEncoder.load(join(dir, 'missing'))).rejects.toThrow(/cannot read labels.json/);
  });
});
