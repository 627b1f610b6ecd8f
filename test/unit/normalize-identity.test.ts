import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Cascade } from '../../functions/core/cascade.ts';
import { CsvBatchReader, CsvOutputFormatter, cascadeItemOf, resolveColumns } from '../../functions/core/csv.ts';
import { nameProblem } from '../../functions/core/limits.ts';
import { identityText, KEY_VERSION, keyOf, normalizeText, toCascadeItem } from '../../functions/core/normalize.ts';
import { loadTaxonomy } from '../../functions/core/taxonomy.ts';
import type { CascadeItem } from '../../functions/core/types.ts';
import { readLabelledCsv } from '../../functions/model/labelled-data.ts';
import { emptyCounts } from '../../functions/pipeline/accounting.ts';
import { classifyBatches } from '../../functions/pipeline/batch.ts';
import { NAMES_BY_SCRIPT, SCRIPT_NAMES } from '../fixtures/scripts.ts';

const keyOfName = (name: string, brand?: string) => toCascadeItem({ name, brand }).key;
const BIDI_CONTROLS = ['\u202a', '\u202b', '\u202c', '\u202d', '\u202e', '\u2066', '\u2067', '\u2068', '\u2069', '\u200e', '\u200f', '\u061c'];

describe('item identity in every script', () => {
  it('gives 200 different names in 10 scripts 200 different keys, through the API and the CSV path alike', () => {
    expect(NAMES_BY_SCRIPT.map(([, names]) => new Set(names).size)).toEqual(Array(10).fill(20));
    const keys = new Set(SCRIPT_NAMES.map((name) => keyOfName(name)));
    expect(keys.size).toBe(200);
    const columns = resolveColumns(['name']);
    expect(new Set(SCRIPT_NAMES.map((name) => cascadeItemOf([name], columns).key))).toEqual(keys);
  });

  it('keeps the marks that tell Devanagari and Thai names apart', () => {
    expect(new Set(['दल', 'दाल', 'दिल', 'दूल'].map((n) => keyOfName(n))).size).toBe(4);
    expect(new Set(['กด', 'กัด', 'กิด', 'กีด'].map((n) => keyOfName(n))).size).toBe(4);
  });

  it('gives one name one key in NFC, NFD, full-width and any case', () => {
    const forms = (name: string) => [name, name.normalize('NFC'), name.normalize('NFD'), name.toUpperCase()];
    for (const name of ['Crème Brûlée 8 oz', 'Йогурт', 'Γιαούρτι', 'दूध', 'カフェオレ', '한국 김치']) {
      expect(new Set(forms(name).map((n) => keyOfName(n))).size, name).toBe(1);
    }
    expect(keyOfName('ＡＢＣ Cola １２ oz')).toBe(keyOfName('abc cola 12 oz'));
    expect(keyOfName('ｶﾌｪｵﾚ')).toBe(keyOfName('カフェオレ'));
    // Full case folding: ß is ss, a final sigma is a sigma.
    expect(keyOfName('STRASSE')).toBe(keyOfName('Straße'));
    expect(keyOfName('ΟΔΟΣ')).toBe(keyOfName('οδος'));
  });

  it('keeps Latin diacritics in the key, and folds them in the text the tiers read', () => {
    expect(keyOfName('Año')).not.toBe(keyOfName('Ano'));
    expect(toCascadeItem({ name: 'Crème Fraîche' }).text).toBe('creme fraiche');
    expect(identityText('Crème Fraîche')).toBe('crème fraîche');
    // Other scripts are the tiers' text too, with their marks.
    expect(normalizeText('Молоко 1 л')).toBe('молоко 1 л');
    expect(normalizeText('दूध 500 ml')).toBe('दूध 500ml');
    // The brand joins the identity as it joins the text.
    expect(keyOfName('Йогурт', 'Простоквашино')).not.toBe(keyOfName('Йогурт'));
    expect(keyOfName('Простоквашино Йогурт', 'ПРОСТОКВАШИНО')).toBe(keyOfName('Простоквашино Йогурт'));
  });

  it('strips bidirectional controls and other invisible format characters from keys, never from the name', () => {
    for (const c of BIDI_CONTROLS) {
      const name = `Coca${c}Cola 330ml`;
      const item = toCascadeItem({ name });
      expect(item.key, `U+${c.codePointAt(0)!.toString(16)}`).toBe(keyOfName('CocaCola 330ml'));
      expect(item.name).toBe(name);
    }
    expect(keyOfName('Choco\u00adlate')).toBe(keyOfName('Chocolate'));
  });

  it('versions keys: the same text keys differently than before KEY_VERSION 2', () => {
    expect(KEY_VERSION).toBe(2);
    // The key every name without Latin letters shared before.
    expect(keyOf('')).not.toBe('85c6c0c79e9002fa');
    expect(keyOf('whole milk 1gal')).toMatch(/^[0-9a-f]{16}$/);
  });
});

describe('names with no letter or digit', () => {
  it('are refused with their reason', () => {
    for (const name of ['!!!', '🍎🍎', '❤️', '--', '\u202e\u202c', '\u0007', '…', '«»']) {
      expect(nameProblem(name), JSON.stringify(name)).toBe('no letter or digit in the product name (only punctuation, symbols or emoji)');
    }
    expect(nameProblem('   ')).toBe('empty product name');
    for (const name of ['7', 'I ❤️ NY', 'Молоко', '牛奶', '١٢', 'Ⅻ']) expect(nameProblem(name), name).toBeUndefined();
  });

  it('go to the rejects of a CSV job, and its counts reconcile', async () => {
    const lines = ['product_name,sku', 'Whole Milk,a', '!!!,b', '🍎🍎,c', 'Молоко,d', '"  ",e', '牛奶,f'];
    const reader = new CsvBatchReader(
      (async function* () {
        yield `${lines.join('\n')}\n`;
      })(),
    );
    const classified: CascadeItem[] = [];
    const cascade = {
      classify: async (items: CascadeItem[]) => {
        classified.push(...items);
        return items.map((it) => ({
          key: it.key,
          classId: null,
          confidence: 0,
          tier: 'review',
          status: 'needs_review',
          reason: 'test',
          taxonomyVersion: '1',
        }));
      },
    } as unknown as Cascade;
    const counts = emptyCounts();
    const rejects: { line: number; reason: string; raw: string }[] = [];
    await classifyBatches(reader, cascade, {
      window: 1,
      counts,
      sink: (columns) => ({ formatter: new CsvOutputFormatter(columns.header, loadTaxonomy()), jobId: 'j', keep: () => false }),
      write: (s) => void rejects.push(...s.batch.rejects),
    });
    const why = 'no letter or digit in the product name (only punctuation, symbols or emoji)';
    expect(rejects).toEqual([
      { line: 3, reason: why, raw: '!!!,b' },
      { line: 4, reason: why, raw: '🍎🍎,c' },
      { line: 6, reason: 'empty product name', raw: '  ,e' },
    ]);
    expect(classified.map((i) => i.name)).toEqual(['Whole Milk', 'Молоко', '牛奶']);
    expect(new Set(classified.map((i) => i.key)).size).toBe(3);
    expect(counts.classified + counts.rejected).toBe(lines.length - 1);
    expect(counts.rejected).toBe(3);
  });

  it('are left out of labelled training data with the same reason', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aisle-labels-'));
    try {
      const file = join(dir, 'labels.csv');
      writeFileSync(file, 'product_name,level1,level2\nWhole Milk,Food,Dairy & Eggs\n!!!,Food,Dairy & Eggs\nМолоко,Food,Dairy & Eggs\n');
      const data = await readLabelledCsv(file, loadTaxonomy());
      expect(data.rows.map((r) => r.text)).toEqual(['whole milk', 'молоко']);
      expect(data.skipped).toEqual([{ line: 3, reason: 'no letter or digit in the product name (only punctuation, symbols or emoji)' }]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
