import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEncoderTier } from '../../functions/core/encoder-tier.ts';
import { toCascadeItem } from '../../functions/core/normalize.ts';
import { loadTaxonomy } from '../../functions/core/taxonomy.ts';
import type { TierOutcome } from '../../functions/core/types.ts';
import { OnnxEncoder } from '../../functions/model/encoder.ts';
import { trainEncoder } from '../../functions/model/train.ts';
import { groceryRows, OUT_OF_DOMAIN } from '../fixtures/grocery.ts';

const taxonomy = loadTaxonomy();

/** Names that share nothing with the training rows but letters: the encoder must defer them, not guess. */
const FAR_FROM_EVERYTHING = [
  'Zorblatt Quenximor Vell',
  'xkq7 vvbz 99-plm',
  'Flurbish Wembleton Kraxis 3000',
  'qwertyuiop asdfghjkl',
  'Brautkleid Spitze Elfenbein Gr. 38',
  'Chaussures de randonnée imperméables homme',
  'Zapatillas deportivas niño talla 32',
  'Кроссовки мужские беговые',
  '男士 运动鞋 透气',
  'ノートパソコン スタンド アルミ',
];
const SMALL = { ngramBuckets: 20_000, pairBuckets: 5_000, dim: 32, epochs: 30, lr: 0.1 };

describe('encoder on out-of-domain products', () => {
  let dir: string;
  let encoder: OnnxEncoder;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'aisle-ood-'));
    // Groceries, household, personal care, pet and baby only: no clothing, electronics or tools.
    await trainEncoder(groceryRows(60), { taxonomy, outDir: join(dir, 'model'), seed: 3, validationFraction: 0.2, bag: SMALL });
    encoder = await OnnxEncoder.load(join(dir, 'model'), { threads: 1 });
  });
  afterAll(async () => {
    await encoder?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('never accepts a Food class for clothing, electronics, tools and other unseen goods', async () => {
    const tier = createEncoderTier(encoder, { taxonomy });
    const outcomes = await tier.decide(
      OUT_OF_DOMAIN.map((name) => toCascadeItem({ name })),
      { hints: [] },
    );
    const confidentFood = outcomes
      .map((o, i) => ({ o, name: OUT_OF_DOMAIN[i] }))
      .filter((x): x is { o: Extract<TierOutcome, { kind: 'decided' }>; name: string } => x.o.kind === 'decided')
      .filter((x) => x.o.classId?.startsWith('food'))
      .map((x) => `${x.name} → ${x.o.classId} (${x.o.reason})`);
    expect(confidentFood).toEqual([]);
  });

  it('decides nothing for invented words, random strings and merchandise in other languages', async () => {
    const tier = createEncoderTier(encoder, { taxonomy });
    const outcomes = await tier.decide(
      FAR_FROM_EVERYTHING.map((name) => toCascadeItem({ name })),
      { hints: [] },
    );
    const decided = outcomes.flatMap((o, i) => (o.kind === 'decided' ? [`${FAR_FROM_EVERYTHING[i]} → ${o.classId} (${o.reason})`] : []));
    expect(decided).toEqual([]);
  });

  it('is less sure of unseen goods than of known products under unseen brands', async () => {
    const known: [string, string][] = [
      ['Riverside organic whole milk 1 gal', 'food.dairy-eggs'],
      ['Hilltop potato chips 8 oz', 'food.snacks-sweets'],
      ['Lakeside laundry detergent 32 fl oz', 'non-food.household'],
      ['Meadow dry dog food 1 lb', 'non-food.pet-supplies'],
    ];
    const inDomain = await encoder.predict(
      known.map(([text]) => text),
      1,
    );
    expect(inDomain.map((c) => c[0].classId)).toEqual(known.map(([, classId]) => classId));
    const ood = (await encoder.predict(OUT_OF_DOMAIN, 1)).map((c) => c[0].score);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(mean(ood)).toBeLessThan(mean(inDomain.map((c) => c[0].score)) - 0.2);
  });
});
