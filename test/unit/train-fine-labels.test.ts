import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { normalizeText } from '../../functions/core/normalize.ts';
import { loadTaxonomy } from '../../functions/core/taxonomy.ts';
import { bagForward, groupLogits } from '../../functions/model/bag.ts';
import { softmaxInto } from '../../functions/model/calibration.ts';
import { OnnxEncoder } from '../../functions/model/encoder.ts';
import { readLabelledCsv } from '../../functions/model/labelled-data.ts';
import { trainEncoder } from '../../functions/model/train.ts';
import { groceryRows, NOUNS } from '../fixtures/grocery.ts';

const taxonomy = loadTaxonomy();
const SMALL = { ngramBuckets: 20_000, pairBuckets: 5_000, dim: 24, epochs: 30, lr: 0.1 };
// The fine label of a row is its head noun's position in its class's list, split in two "aisles" per class; a third
// of the rows carry none (as the starter catalog's rows beside a retailer's), and train their class as before.
const aisleOf = (row: { text: string; classId: string }) => {
  const index = NOUNS[row.classId].findIndex((noun) => row.text.toLowerCase().includes(noun));
  return `${row.classId.split('.')[1]} ${index < 6 ? 'a' : 'b'}`;
};
const rows = groceryRows(30).map((r, i) => (i % 3 ? { ...r, fine: aisleOf(r) } : r));

describe('training on a fine label column (aisle train --fine-column)', () => {
  let dir: string;
  let trained: Awaited<ReturnType<typeof trainEncoder>>;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'aisle-fine-'));
    trained = await trainEncoder(rows, { taxonomy, outDir: join(dir, 'fine'), seed: 3, bag: SMALL });
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('learns one logit per (class, fine label) pair and per class without one, summed into the classes', async () => {
    const { model, classIds } = trained;
    expect(classIds).toHaveLength(12);
    // 12 classes × 2 aisles, plus the 12 classes themselves for the rows without a fine label.
    expect(model.classes).toBe(36);
    expect([...new Set(model.groups)].sort((a, b) => a - b)).toEqual(classIds.map((_, i) => i));
    const card = JSON.parse(await readFile(join(dir, 'fine', 'card.json'), 'utf8'));
    expect(card.fineLabels).toBe(24);
    const labels = JSON.parse(await readFile(join(dir, 'fine', 'labels.json'), 'utf8'));
    expect(labels.classIds).toEqual(classIds);
  });

  it('serves each class the summed probability of its fine labels, the ONNX graph as the TypeScript pass', async () => {
    const { model, tokenizer, classIds, metrics } = trained;
    const encoder = await OnnxEncoder.load(join(dir, 'fine'), { threads: 1 });
    try {
      const texts = ['Greenfield Whole Milk 1 gal', 'DISH SOAP 16 oz', 'frozen peas', 'wholly unseen words here'];
      const served = await encoder.scores(texts);
      expect(served.classIds).toEqual(classIds);
      texts.forEach((text, i) => {
        const seq = tokenizer.encode(normalizeText(text));
        const fine = new Float32Array(model.classes);
        const share = bagForward(model, seq, fine);
        const scaled = fine.map((v) => v / (1 + model.oovScale * share));
        // The class logits' softmax is the fine softmax summed per class.
        const fineProbs = softmaxInto(scaled, 1, new Float64Array(model.classes));
        const classProbs = softmaxInto(groupLogits(model.groups, scaled), 1, new Float64Array(classIds.length));
        classIds.forEach((_, c) => {
          const sum = fineProbs.reduce((s, p, f) => (model.groups![f] === c ? s + p : s), 0);
          expect(classProbs[c]).toBeCloseTo(sum, 6);
        });
        // Served: the graph's class logits, calibrated by the temperature fitted on them.
        const expected = softmaxInto(groupLogits(model.groups, scaled), metrics.temperature, new Float64Array(classIds.length));
        const probs = served.probabilities.subarray(i * classIds.length, (i + 1) * classIds.length);
        classIds.forEach((_, c) => expect(probs[c]).toBeCloseTo(expected[c], 4));
      });
      const [milk] = await encoder.predict(['Greenfield Whole Milk 1 gal'], 1);
      expect(milk[0].classId).toBe('food.dairy-eggs');
    } finally {
      await encoder.close();
    }
  });

  it('without fine labels trains the classes alone, as before', async () => {
    const plain = await trainEncoder(
      rows.map(({ text, classId }) => ({ text, classId })),
      { taxonomy, outDir: join(dir, 'plain'), seed: 3, bag: SMALL, writeFiles: false },
    );
    expect(plain.model.groups).toBeNull();
    expect(plain.model.classes).toBe(12);
  });

  it('reads the fine column of a labelled file, and names a missing one', async () => {
    const file = join(dir, 'labelled.csv');
    await writeFile(file, 'product_name,level1,level2,Aisle\nWhole Milk,Food,Dairy & Eggs,milk\nDish Soap,Non-Food,Household,\n');
    const { rows: read } = await readLabelledCsv(file, taxonomy, { fineColumn: 'aisle' });
    expect(read.map((r) => r.fine)).toEqual(['milk', undefined]);
    expect((await readLabelledCsv(file, taxonomy)).rows.every((r) => r.fine === undefined)).toBe(true);
    await expect(readLabelledCsv(file, taxonomy, { fineColumn: 'department' })).rejects.toThrow(/no column "department"/);
  });
});

describe('the teacher only where it agrees (TrainOptions.teacherAgreeing)', () => {
  it("leaves out the teacher's answers on texts whose level 1 it reads otherwise than the label", async () => {
    const user = groceryRows(8).map(({ text, classId }) => ({ text, classId }));
    const milk = user.find((r) => r.classId === 'food.dairy-eggs')!;
    const soap = user.find((r) => r.classId === 'non-food.household')!;
    // The teacher calls the milk household goods (another level 1) and the soap personal care (the same level 1).
    const teacher = [
      { text: milk.text, classId: 'non-food.household', weight: 0.15 },
      { text: milk.text, classId: 'food.dairy-eggs', weight: 0.05 },
      { text: soap.text, classId: 'non-food.personal-care-health', weight: 0.2 },
    ];
    const messages = async (teacherAgreeing: boolean) => {
      const out: string[] = [];
      await trainEncoder(user, {
        taxonomy,
        outDir: '/nonexistent',
        writeFiles: false,
        bag: { ...SMALL, epochs: 1 },
        teacherRows: teacher,
        teacherAgreeing,
        onProgress: (m) => out.push(m),
      });
      return out.filter((m) => m.startsWith('teacher:'));
    };
    expect(await messages(true)).toEqual(['teacher: left out its answers on 1 texts whose level 1 it reads otherwise']);
    expect(await messages(false)).toEqual([]);
  });
});
