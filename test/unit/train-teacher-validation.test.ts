import { describe, expect, it } from 'vitest';
import { normalizeText } from '../../functions/core/normalize.ts';
import { loadTaxonomy } from '../../functions/core/taxonomy.ts';
import { bagForward } from '../../functions/model/bag.ts';
import { trainEncoder, validationSlice } from '../../functions/model/train.ts';
import { groceryRows } from '../fixtures/grocery.ts';

const taxonomy = loadTaxonomy();
const SMALL = { ngramBuckets: 20_000, pairBuckets: 5_000, dim: 16, epochs: 10, lr: 0.1 };
const SEED = 5;

describe("the teacher's rows and the validation slice", () => {
  it('never trains on a validation text, so calibration and thresholds are fitted on unseen texts', async () => {
    const rows = groceryRows(20);
    const examples = rows.map((r) => ({ text: normalizeText(r.text), classId: r.classId }));
    const isValidation = validationSlice(examples, SEED, 0.1);
    const validation = examples.filter((_, i) => isValidation[i]);
    expect(validation.length).toBeGreaterThan(10);
    const classIds = [...new Set(rows.map((r) => r.classId))];
    // A teacher that speaks only about the validation texts, loudly and wrongly: if its rows reach the bag, the
    // validation slice is no longer held out and the model's answers on it change.
    const teacherRows = validation.map((v) => ({ text: v.text, classId: classIds.find((c) => c !== v.classId)!, weight: 5 }));
    const common = { taxonomy, outDir: '/nonexistent', writeFiles: false, seed: SEED, bag: SMALL };
    const without = await trainEncoder(rows, common);
    const withTeacher = await trainEncoder(rows, { ...common, teacherRows });
    for (const v of validation) {
      const seq = without.tokenizer.encode(v.text);
      const a = new Float32Array(without.model.classes);
      const b = new Float32Array(withTeacher.model.classes);
      bagForward(without.model, seq, a);
      bagForward(withTeacher.model, seq, b);
      expect([...b]).toEqual([...a]);
    }
    expect(withTeacher.metrics.thresholds).toEqual(without.metrics.thresholds);
  }, 120_000);
});
