import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Tokenizer } from '@huggingface/tokenizers';
import { describe, expect, it } from 'vitest';
import { normalizeText } from '../../functions/core/normalize.ts';
import { buildTokenizer, TextTokenizer, TokenizerError } from '../../functions/model/tokenizer.ts';
import { groceryRows, OUT_OF_DOMAIN } from '../fixtures/grocery.ts';

const texts = groceryRows(40).map((r) => normalizeText(r.text));

describe('WordPiece tokenizer built from training texts', () => {
  const json = buildTokenizer(texts);

  it('is deterministic and keeps frequent words whole', () => {
    expect(JSON.stringify(buildTokenizer(texts))).toBe(JSON.stringify(json));
    const tk = TextTokenizer.fromJson(json);
    expect(tk.fast).toBe(true);
    expect(tk.encode('whole milk').map((id) => tk.library.id_to_token(id))).toEqual(['whole', 'milk']);
    // An unseen word splits into known pieces instead of [UNK].
    const pieces = tk.encode('wholesome').map((id) => tk.library.id_to_token(id));
    expect(pieces.length).toBeGreaterThan(1);
    expect(pieces.slice(1).every((p) => p!.startsWith('##'))).toBe(true);
    expect(pieces).not.toContain('[UNK]');
  });

  it('round-trips through tokenizer.json: the library loads the file and the fast path gives the same ids', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'aisle-tok-'));
    try {
      await writeFile(join(dir, 'tokenizer.json'), JSON.stringify(json));
      const loaded = await TextTokenizer.load(dir);
      const library = new Tokenizer(JSON.parse(await readFile(join(dir, 'tokenizer.json'), 'utf8')), {});
      const probe = [
        ...texts,
        ...OUT_OF_DOMAIN.map(normalizeText),
        'x'.repeat(150) + ' milk',
        'café crème brûlée 2x 330ml',
        'ünïcödé 日本 milk',
        '',
      ].map(normalizeText);
      for (const text of probe) {
        const ids = library.encode(text).ids;
        expect(loaded.encode(text), text).toEqual(ids);
        expect(loaded.encodeWithLibrary(text), text).toEqual(ids);
      }
      // Over-long words are [UNK], as in the Rust and JS libraries.
      expect(loaded.library.id_to_token(loaded.encode('x'.repeat(150))[0])).toBe('[UNK]');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('pads and truncates batches into int64 tensors with an attention mask', () => {
    const tk = TextTokenizer.fromJson(json);
    const batch = tk.encodeBatch(['whole milk', 'cola', 'greenfield organic whole milk 12oz value pack'], 4);
    expect(batch.batch).toBe(3);
    expect(batch.seq).toBe(4);
    const row = (b: number, a: BigInt64Array) => Array.from(a.subarray(b * 4, b * 4 + 4), Number);
    expect(row(0, batch.inputIds)).toEqual([...tk.encode('whole milk'), tk.padId, tk.padId]);
    expect(row(0, batch.attentionMask)).toEqual([1, 1, 0, 0]);
    const cola = tk.encode('cola').length;
    expect(row(1, batch.attentionMask)).toEqual([1, 1, 1, 1].map((_, i) => (i < cola ? 1 : 0)));
    expect(row(2, batch.inputIds)).toEqual(tk.encode('greenfield organic whole milk 12oz value pack').slice(0, 4));
    expect(row(2, batch.attentionMask)).toEqual([1, 1, 1, 1]);
  });

  it('keeps pieces of names written without spaces wherever they occur in a glued word', () => {
    // "サバ" starts one word and continues another, "水煮" twice continues words: in Japanese a glued name may begin
    // anywhere, so both count as pieces in both positions, and an unseen compound splits into them, not into characters.
    const glued = buildTokenizer([...texts, 'サバ缶 190g', 'はごろもサバ味噌煮', 'いわし水煮缶', 'ツナ水煮']);
    const tk = TextTokenizer.fromJson(glued);
    expect(tk.encode('サバ水煮').map((id) => tk.library.id_to_token(id))).toEqual(['サバ', '##水煮']);
    // Spaced scripts keep their threshold: a piece seen in two words only is not kept.
    const spaced = TextTokenizer.fromJson(buildTokenizer([...texts, 'zqxwv', 'azqxw']));
    expect(spaced.encode('zqxwvb').length).toBeGreaterThan(2);
  });

  it('rejects a file that is not a tokenizer', () => {
    expect(() => TextTokenizer.fromJson({ hello: 'world' })).toThrow(TokenizerError);
  });
});
