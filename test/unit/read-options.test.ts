/** The options of an S3 job (input/read-options.ts): as the upload's fields and as the inbox object's metadata. */
import { describe, expect, it } from 'vitest';
import { choicesOf, readOptionsOfMetadata, toObjectMetadata } from '../../functions/core/input/read-options.ts';

describe('read options as S3 object metadata', () => {
  it('round-trips every field, non-ASCII column names percent-encoded, keys as S3 lowercases them', () => {
    const options = {
      encoding: 'windows-1252',
      name_column: 'Désignation',
      text_columns: 'Désignation,Marke',
      sheet: 'Blatt 1',
      out_format: 'tsv',
      bom: true,
    } as const;
    const meta = toObjectMetadata(options);
    expect(meta['aisle-name-column']).toBe('D%C3%A9signation');
    expect(Object.values(meta).every((v) => /^[\x20-\x7e]*$/.test(v))).toBe(true);
    const upper = Object.fromEntries(Object.entries(meta).map(([k, v]) => [k.toUpperCase(), v]));
    expect(readOptionsOfMetadata({ ...upper, 'other-tool': 'x' })).toEqual({ ...options, bom: 'true' });
  });

  it('turns the fields into the reader and writer choices', () => {
    expect(choicesOf({ name_column: 'a', text_columns: 'a, b,,c', out_format: 'tsv', bom: '1' })).toEqual({
      read: { columns: { name: 'a', text: ['a', 'b', 'c'] } },
      output: { delimiter: '\t', bom: true },
    });
    expect(choicesOf({})).toEqual({ read: { columns: {} }, output: {} });
  });

  it('refuses an unknown aisle- key, a bad value and bad percent-encoding, naming them', () => {
    expect(() => readOptionsOfMetadata({ 'aisle-name-colum': 'x' })).toThrow(/name_colum/);
    expect(() => readOptionsOfMetadata({ 'aisle-out-format': 'xlsx' })).toThrow(/out_format/);
    expect(() => readOptionsOfMetadata({ 'aisle-name-column': '%E9' })).toThrow(/aisle-name-column is not percent-encoded UTF-8/);
  });
});
