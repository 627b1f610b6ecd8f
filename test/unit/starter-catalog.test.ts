import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { loadTaxonomy } from '../../functions/core/taxonomy.ts';
import { CATALOG_PATH, generateCatalog, splitOf, toCsv } from '../../models/starter/generate.ts';
import { VOCABULARY } from '../../models/starter/vocabulary.ts';
import { LANGUAGE_VOCABULARY } from '../../models/starter/vocabulary-languages.ts';
import { WORLD_VOCABULARY } from '../../models/starter/vocabulary-world.ts';

describe('starter catalog', () => {
  const rows = generateCatalog();

  it('is deterministic and the committed catalog.csv is the generator output', () => {
    expect(toCsv(generateCatalog())).toBe(toCsv(rows));
    expect(readFileSync(CATALOG_PATH, 'utf8')).toBe(toCsv(rows));
    // A different seed gives a different catalog: the seed is really used.
    expect(toCsv(generateCatalog(7))).not.toBe(toCsv(rows));
  });

  it('has at least 20,000 unique names, every taxonomy leaf and general merchandise', () => {
    const names = new Set(rows.map((r) => r.product_name.toLowerCase()));
    expect(names.size).toBe(rows.length);
    expect(rows.length).toBeGreaterThanOrEqual(20_000);
    const taxonomy = loadTaxonomy();
    const counts = new Map<string, number>();
    for (const r of rows) {
      const cls = taxonomy.fromLevels([r.level1, r.level2]);
      expect(cls, `${r.level1} / ${r.level2} is not a taxonomy class`).toBeDefined();
      counts.set(cls!.id, (counts.get(cls!.id) ?? 0) + 1);
    }
    for (const leaf of taxonomy.leaves) expect(counts.get(leaf.id) ?? 0, leaf.label).toBeGreaterThanOrEqual(300);
    expect(counts.get('non-food') ?? 0).toBeGreaterThanOrEqual(1000);
  });

  it('covers the world: 30 kinds of merchandise and foods of several kitchens, in fifteen languages and their scripts', () => {
    const general = WORLD_VOCABULARY.concat(VOCABULARY).filter((c) => c.level1 === 'Non-Food');
    expect(general.flatMap((c) => c.families).length).toBeGreaterThanOrEqual(30);
    const text = (re: RegExp) => rows.filter((r) => re.test(r.product_name));
    // Indian staples, spices, pulses, masalas and atta, in English and in Hindi, are Food.
    for (const word of [/\batta\b/i, /\bdal\b/i, /\bmasala\b/i, /\bhaldi\b|chilli powder|garam masala/i, /आटा/, /दाल/]) {
      const found = text(word);
      expect(found.length, String(word)).toBeGreaterThanOrEqual(10);
      expect(found.filter((r) => r.level1 === 'Food').length / found.length, String(word)).toBeGreaterThan(0.9);
    }
    const scripts: [string, RegExp][] = [
      ['Devanagari', /\p{Script=Devanagari}/u],
      ['Cyrillic', /\p{Script=Cyrillic}/u],
      ['Han', /\p{Script=Han}/u],
      ['kana', /[\p{Script=Hiragana}\p{Script=Katakana}]/u],
    ];
    for (const [script, re] of scripts) expect(text(re).length, script).toBeGreaterThanOrEqual(500);
    // The scripts of South and East India, every class in each.
    for (const script of ['Tamil', 'Telugu', 'Kannada', 'Malayalam', 'Bengali', 'Gujarati', 'Gurmukhi', 'Oriya']) {
      const found = text(new RegExp(`\\p{Script=${script}}`, 'u'));
      expect(found.length, script).toBeGreaterThanOrEqual(1000);
      expect(new Set(found.map((r) => `${r.level1}/${r.level2}`)).size, script).toBe(13);
    }
    const languages = new Set(LANGUAGE_VOCABULARY.flatMap((c) => c.families.map((f) => f.language)));
    expect([...languages].sort()).toEqual(['bn', 'de', 'es', 'fr', 'gu', 'hi', 'ja', 'kn', 'ml', 'or', 'pa', 'ru', 'ta', 'te', 'zh']);
  });

  it('sells amounts and counts on Food and Non-Food alike in every language, so a pack size alone never decides', () => {
    // A model that saw "1000g" only on detergent and "枚入" only on goods called "サラダ油 1000g" and "鶏むね肉 2枚入" Non-Food.
    const languages = new Set(LANGUAGE_VOCABULARY.flatMap((c) => c.families.map((f) => f.language)));
    for (const language of languages) {
      const sizesOf = (food: boolean) =>
        LANGUAGE_VOCABULARY.filter((c) => (c.level1 === 'Food') === food && c.level2)
          .flatMap((c) => c.families)
          .filter((f) => f.language === language)
          .map((f) => new Set((f.sizes ?? []).filter(Boolean)));
      for (const food of sizesOf(true))
        for (const goods of sizesOf(false)) expect([...food].filter((s) => goods.has(s)).length, language).toBeGreaterThanOrEqual(40);
    }
  });

  it('parses back as CSV and splits by a stable hash of the name', () => {
    const parsed = parse(readFileSync(CATALOG_PATH, 'utf8'), { columns: true }) as Record<string, string>[];
    expect(parsed.length).toBe(rows.length);
    expect(Object.keys(parsed[0])).toEqual(['product_name', 'brand', 'level1', 'level2', 'split']);
    for (const r of parsed) expect(r.split).toBe(splitOf(r.product_name));
    const validation = parsed.filter((r) => r.split === 'validation').length / parsed.length;
    expect(validation).toBeGreaterThan(0.15);
    expect(validation).toBeLessThan(0.25);
  });
});
