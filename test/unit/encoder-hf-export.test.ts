import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OnnxEncoder, ModelLoadError } from '../../functions/model/encoder.ts';
import { GraphBuilder } from '../../functions/model/onnx-graph.ts';

// A tiny Hugging Face-style sequence-classification export: BERT normalizer and pre-tokenizer, WordPiece,
// [CLS] … [SEP] post-processor, labels.json with labels only, an optional token_type_ids input.
const VOCAB = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', 'whole', 'milk', 'dish', 'soap', 'sparkling', 'water', 'oat', '##s'];
const LABELS = ['Food > Dairy & Eggs', 'Non-Food > Household', 'Food > Beverages'];
const SCORES: Record<string, number[]> = { milk: [4, 0, 1], soap: [0, 4, 0], water: [0, 0, 4], '##s': [0, 1, 0] };

const tokenizerJson = {
  version: '1.0',
  truncation: null,
  padding: null,
  added_tokens: ['[PAD]', '[UNK]', '[CLS]', '[SEP]'].map((content, id) => ({ id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true })),
  normalizer: { type: 'BertNormalizer', clean_text: true, handle_chinese_chars: true, strip_accents: null, lowercase: true },
  pre_tokenizer: { type: 'BertPreTokenizer' },
  post_processor: {
    type: 'TemplateProcessing',
    single: [{ SpecialToken: { id: '[CLS]', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '[SEP]', type_id: 0 } }],
    pair: [{ SpecialToken: { id: '[CLS]', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '[SEP]', type_id: 0 } }, { Sequence: { id: 'B', type_id: 1 } }, { SpecialToken: { id: '[SEP]', type_id: 1 } }],
    special_tokens: { '[CLS]': { id: '[CLS]', ids: [2], tokens: ['[CLS]'] }, '[SEP]': { id: '[SEP]', ids: [3], tokens: ['[SEP]'] } },
  },
  decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
  model: { type: 'WordPiece', unk_token: '[UNK]', continuing_subword_prefix: '##', max_input_chars_per_word: 100, vocab: Object.fromEntries(VOCAB.map((t, i) => [t, i])) },
};

/** logits = Σ masked token rows (+ a token-type row, which is zero for type 0 and large for type 1). */
function exportModel(withTokenTypes: boolean): Uint8Array {
  const C = LABELS.length;
  const g = new GraphBuilder('tiny-hf');
  const ids = g.input('input_ids', 'int64', ['batch', 'sequence']);
  const mask = g.input('attention_mask', 'int64', ['batch', 'sequence']);
  const table = Float32Array.from(VOCAB.flatMap((t) => SCORES[t] ?? [0, 0, 0]));
  let rows = g.op('Gather', [g.floats('embeddings', [VOCAB.length, C], table), ids], { axis: 0 });
  if (withTokenTypes) {
    const types = g.input('token_type_ids', 'int64', ['batch', 'sequence']);
    rows = g.op('Add', [rows, g.op('Gather', [g.floats('type_embeddings', [2, C], Float32Array.of(0, 0, 0, 50, -50, 0)), types], { axis: 0 })]);
  }
  const maskF = g.op('Unsqueeze', [g.op('Cast', [mask], { to: 1 }), g.ints('axes2', [1], [2])]);
  g.op('ReduceSum', [g.op('Mul', [rows, maskF]), g.ints('axes1', [1], [1])], { keepdims: 0 }, 'logits');
  g.output('logits', 'float', ['batch', C]);
  return g.toBytes();
}

function softmax(z: number[], t: number): number[] {
  const e = z.map((v) => Math.exp(v / t));
  const s = e.reduce((a, b) => a + b);
  return e.map((v) => v / s);
}

describe('Hugging Face-style exports', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'aisle-hf-'));
    for (const withTypes of [true, false]) {
      const d = join(dir, withTypes ? 'with-types' : 'without-types');
      await mkdir(d);
      await writeFile(join(d, 'model.onnx'), exportModel(withTypes));
      await writeFile(join(d, 'tokenizer.json'), JSON.stringify(tokenizerJson));
      await writeFile(join(d, 'labels.json'), JSON.stringify({ labels: LABELS, taxonomyVersion: '2026.11.1' }));
      await writeFile(join(d, 'metrics.json'), JSON.stringify({ temperature: 2, thresholds: { 'food.dairy-eggs': 0.6 } }));
    }
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
          const p = softmax(logits, 2);
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
    const bad = join(dir, 'bad');
    await mkdir(bad);
    await writeFile(join(bad, 'model.onnx'), exportModel(false));
    await writeFile(join(bad, 'tokenizer.json'), JSON.stringify(tokenizerJson));
    await writeFile(join(bad, 'labels.json'), JSON.stringify({ labels: LABELS.slice(0, 2) }));
    await expect(OnnxEncoder.load(bad)).rejects.toThrow(/3 logits per row but labels.json lists 2 classes/);
    await writeFile(join(bad, 'labels.json'), JSON.stringify({ labels: ['Food > Candy'] }));
    await expect(OnnxEncoder.load(bad)).rejects.toThrow(ModelLoadError);
    await expect(OnnxEncoder.load(join(dir, 'missing'))).rejects.toThrow(/cannot read labels.json/);
  });
});
