import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHECK_TARGETS, scoreCheckSets } from '../../bench/general-check.ts';
import { seededRandom } from '../../functions/core/random.ts';
import { loadTaxonomy } from '../../functions/core/taxonomy.ts';
import type { LabelledText } from '../../functions/model/labelled-data.ts';
import { trainEncoder } from '../../functions/model/train.ts';
import { DEFAULT_TEACHER_WEIGHT, readStarterCatalog, STARTER_DIR, starterRowsBeside, teacherRows } from '../../models/starter/train-starter.ts';
import { NOUNS } from '../fixtures/grocery.ts';

const taxonomy = loadTaxonomy();

/**
 * A grocery-only catalog as a retailer's export looks: food names under thousands of brand and product words
 * the starter never saw (invented here, seeded), so that words unknown to a model mostly come from Food rows.
 */
function groceryCatalog(rows: number, seed = 11): LabelledText[] {
  const random = seededRandom(seed);
  const pick = <T>(xs: T[]) => xs[Math.floor(random() * xs.length)];
  const syllables = [
    'ka',
    'lo',
    'mi',
    'ren',
    'tas',
    'vo',
    'zu',
    'bri',
    'del',
    'fon',
    'gar',
    'hu',
    'jin',
    'kel',
    'mor',
    'nep',
    'quo',
    'sal',
    'tri',
    'wen',
  ];
  const word = () => Array.from({ length: 2 + Math.floor(random() * 2) }, () => pick(syllables)).join('');
  const foods = Object.entries(NOUNS).filter(([classId]) => classId.startsWith('food.'));
  return Array.from({ length: rows }, () => {
    const [classId, nouns] = pick(foods);
    return { text: `${word()} ${random() < 0.5 ? `${word()} ` : ''}${pick(nouns)} ${1 + Math.floor(random() * 32)} oz`, classId };
  });
}

/** Level-1 accuracy of a model on the project's general-merchandise check set (bench/checks/general.csv, all 2,181 names). */
async function generalLevel1(dir: string): Promise<number> {
  const general = (await scoreCheckSets(dir, { threads: 1 })).find((s) => s.name === 'general')!;
  return general.report.levels[0].accuracy;
}

describe('training on a grocery catalog keeps what the starter knows', () => {
  let dir: string;
  let user: LabelledText[];
  let starterL1: number;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'aisle-keeps-'));
    const starter = await readStarterCatalog(taxonomy);
    // As many rows as the starter catalog, as a large retailer's export has (Instacart: 38k training rows beside 37.7k).
    user = groceryCatalog(starter.train.length + starter.heldOut.length);
    starterL1 = await generalLevel1(STARTER_DIR);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  // Issue 16 item 2 (docs/models.md "Training never forgets"): trained without the neighbours and the starter kept
  // beside it, the model scored 0.9679–0.9716 against the starter's 0.9716–0.9734 here (names mixing food and goods
  // words flipped both ways). As `aisle train` trains (neighbours, starter gate): 0.9757 (seed 42), 0.9771 (seed 43) at the gate's
  // fixed cosine 0.1; 0.9775 (seed 42) at the cosine chosen on the validation slice (0.2).
  it('is not worse than the starter on the general-merchandise check set, with the starter catalog mixed in', async () => {
    // What `aisle train --data groceries.csv` trains on (bin/commands/train.ts).
    const starter = await starterRowsBeside(taxonomy, user.length);
    // The trainer's default configuration, as `aisle train` runs it (functions/model/retrain.ts).
    const teacher = await teacherRows(
      user.map((r) => r.text),
      DEFAULT_TEACHER_WEIGHT,
    );
    await trainEncoder(user, {
      taxonomy,
      outDir: join(dir, 'trained'),
      starterRows: starter.rows,
      teacherRows: teacher,
      neighbours: true,
      starterGate: { dir: STARTER_DIR },
    });
    const trained = await generalLevel1(join(dir, 'trained'));
    console.log(`general check set level 1 accuracy: starter ${starterL1.toFixed(4)}, trained on groceries + starter ${trained.toFixed(4)}`);
    expect(trained).toBeGreaterThanOrEqual(starterL1);
    expect(trained).toBeGreaterThanOrEqual(CHECK_TARGETS.general);
  }, 1_800_000);

  it('forgets without the starter catalog (what the test above guards against)', async () => {
    // `aisle train --no-starter`: the same grocery rows alone. Shows the check above can fail.
    await trainEncoder(user, { taxonomy, outDir: join(dir, 'alone') });
    const alone = await generalLevel1(join(dir, 'alone'));
    console.log(`general check set level 1 accuracy: starter ${starterL1.toFixed(4)}, trained on groceries alone ${alone.toFixed(4)}`);
    expect(alone).toBeLessThan(starterL1);
  }, 1_800_000);
});
