import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { arrayBuffer, text } from 'node:stream/consumers';
import { Logger } from '@aws-lambda-powertools/logger';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runTrainingTask } from '../../containers/trainer/task.ts';
import { S3BlobStore } from '../../functions/adapters/aws/s3.ts';
import { loadTaxonomy } from '../../functions/core/taxonomy.ts';
import { evaluateRun, promoteRun, type RetrainDeps } from '../../functions/handlers/retrain.ts';
import { OnnxEncoder } from '../../functions/model/encoder.ts';
import { LINEAR_FILE } from '../../functions/model/linear-model.ts';
import { ARTIFACT_FILES, OPTIONAL_ARTIFACT_FILES } from '../../functions/model/registry.ts';
import { OUT_OF_DOMAIN } from '../fixtures/grocery.ts';
import { type Emulator, startS3rver } from '../support/emulators.ts';

/** The optional files the task's trainer writes: the linear classifier is off by default (`aisle train --linear`). */
const TRAINED_OPTIONAL_FILES = OPTIONAL_ARTIFACT_FILES.filter((f) => f !== LINEAR_FILE);

const taxonomy = loadTaxonomy();

describe('the Fargate training task (retraining state machine, project trainer)', () => {
  let s3: Emulator;
  let work: string;
  let lake: S3BlobStore;
  let starterCatalog: string;
  /** An exported training name: near the user's names, where the starter gate changes nothing. */
  let trainedName: string;
  const logged: string[] = [];

  beforeAll(async () => {
    s3 = await startS3rver(['lake']);
    lake = new S3BlobStore(s3.clients.s3, 'lake');
    work = mkdtempSync(join(tmpdir(), 'aisle-train-task-'));
    // An export as retrain-export writes it, from the project's starter catalog.
    const rows = parse(readFileSync('models/starter/catalog.csv'), { columns: true }) as Record<string, string>[];
    const csv = (part: Record<string, string>[]) =>
      'product_name,brand,level1,level2,tier\n' +
      part.map((r) => [r.product_name, r.brand, r.level1, r.level2, 'human'].map((v) => `"${(v ?? '').replace(/"/g, '""')}"`).join(',')).join('\n') +
      '\n';
    const picked = rows.filter((_, i) => i % 8 === 0);
    // A name the trainer trains on: picked[0] falls in its validation slice (seed 42), whose names are held out of
    // the index and may be far enough for the gate's cosine chosen on that slice.
    trainedName = picked[1].product_name;
    await lake.put('exports/v-test/train.csv', csv(picked.slice(0, 1400)));
    await lake.put('exports/v-test/heldout.csv', csv(picked.slice(1400, 1700)));
    // A small starter catalog in the shipped one's format (the whole one trains for minutes on a busy machine).
    const header = 'product_name,brand,level1,level2,split\n';
    starterCatalog = join(work, 'starter.csv');
    writeFileSync(
      starterCatalog,
      header +
        readFileSync('models/starter/catalog.csv', 'utf8')
          .split('\n')
          .slice(1)
          .filter((_, i) => i % 50 === 7)
          .join('\n'),
    );
  });
  afterAll(async () => {
    await s3?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it('trains a challenger, scores it and the champion on the same held-out rows, and writes what retrain-evaluate reads', async () => {
    const evaluation = await runTrainingTask(
      { lake, lakeBucket: 'lake', taxonomy, workDir: work, starterCatalog, log: (m) => logged.push(m) },
      {
        trainUri: 's3://lake/exports/v-test/train.csv',
        heldOutUri: 's3://lake/exports/v-test/heldout.csv',
        outputUri: 's3://lake/models/challengers/v-test/',
      },
    );
    // 300 exported rows; rows whose normalized text repeats count once.
    expect(evaluation.heldOutRows).toBeGreaterThan(250);
    expect(evaluation.heldOutRows).toBeLessThanOrEqual(300);
    expect(evaluation.champion?.version).toMatch(/^starter-/); // no registry yet: the shipped model is the champion
    expect(evaluation.challenger.version).toBe('v-test');
    expect(evaluation.challenger.report.rows).toBe(evaluation.heldOutRows);
    expect(evaluation.champion?.report.rows).toBe(evaluation.heldOutRows);
    // The starter kept beside the model, as `aisle train` keeps it: its files in starter/.
    for (const f of [...ARTIFACT_FILES, ...TRAINED_OPTIONAL_FILES, ...ARTIFACT_FILES.map((a) => `starter/${a}`), 'evaluation.json'])
      expect(await lake.exists(`models/challengers/v-test/${f}`), f).toBe(true);
    // Training never forgets, as in `aisle train`: the starter catalog's rows trained beside the 1,400 exported.
    const metrics = JSON.parse(await text((await lake.get('models/challengers/v-test/metrics.json'))!));
    expect(metrics.trainRows).toBeGreaterThan(1400);
    expect(metrics.starterGate).toMatchObject({ dir: 'starter' });
    expect(logged.join('\n')).toMatch(/starter catalog: \d+ rows, weight/);

    const deps = { taxonomy, lake, lakeBucket: 'lake', logger: new Logger({ logLevel: 'SILENT' }) } as unknown as RetrainDeps;
    const decided = await evaluateRun(deps, { execution: 'v-test', challengerUri: 's3://lake/models/challengers/v-test/' });
    expect(decided.heldOutRows).toBe(evaluation.heldOutRows);
    expect(typeof decided.promote).toBe('boolean');
  });

  it("scores the lake registry's champion, downloaded from its artifact folder with the starter kept beside it", async () => {
    await lake.put('models/registry.json', JSON.stringify({ champion: 'v-test', challengers: [], retired: [], history: [] }));
    const evaluation = await runTrainingTask(
      { lake, lakeBucket: 'lake', taxonomy, workDir: mkdtempSync(join(work, 'second-')), starterCatalog },
      {
        trainUri: 's3://lake/exports/v-test/train.csv',
        heldOutUri: 's3://lake/exports/v-test/heldout.csv',
        outputUri: 's3://lake/models/challengers/v-test2/',
      },
    );
    expect(evaluation.champion?.version).toBe('v-test');
    expect(evaluation.champion?.report.modelVersion).toBe('v-test');
    expect(evaluation.challenger.version).toBe('v-test2');
  });

  it("copies the challenger's optional files and starter/ with the others when it is promoted: the endpoint serves the folder as it was trained", async () => {
    const deps = { taxonomy, lake, lakeBucket: 'lake', logger: new Logger({ logLevel: 'SILENT' }) } as unknown as RetrainDeps;
    const promote = (version: string) =>
      promoteRun(deps, {
        execution: version,
        challengerUri: `s3://lake/models/challengers/${version}/`,
        evaluation: { promote: true, reason: 'test' },
      });
    await promote('v-test2');
    for (const f of [...ARTIFACT_FILES, ...TRAINED_OPTIONAL_FILES, ...ARTIFACT_FILES.map((a) => `starter/${a}`)]) {
      const [copied, trained] = [await lake.get(`models/champion/${f}`), await lake.get(`models/challengers/v-test2/${f}`)];
      expect(Buffer.from(await arrayBuffer(copied!)).equals(Buffer.from(await arrayBuffer(trained!))), f).toBe(true);
    }
    const gated = await championProbabilities();

    // A later champion without the gate (v-test2's files, metrics.json without starterGate, no starter/): the earlier
    // champion's starter/ stays under the prefix, which SageMaker copies whole, and is not read.
    const plainPrefix = 'models/challengers/v-plain/';
    for (const key of await lake.list('models/challengers/v-test2/')) {
      const f = key.slice('models/challengers/v-test2/'.length);
      if (f.startsWith('starter/')) continue;
      const body = Buffer.from(await arrayBuffer((await lake.get(key))!));
      if (f !== 'metrics.json') await lake.put(`${plainPrefix}${f}`, body);
      else await lake.put(`${plainPrefix}${f}`, JSON.stringify({ ...JSON.parse(body.toString()), starterGate: undefined }));
    }
    await promote('v-plain');
    expect(await lake.exists('models/champion/starter/model.onnx')).toBe(true);
    const plain = await championProbabilities();
    // The gate mixes the starter in on names far from every training name, and only there.
    expect(gated.far).not.toEqual(plain.far);
    expect(gated.near).toEqual(plain.near);
  });

  /** Loads models/champion/ as the endpoint does (SageMaker copies the whole prefix to /opt/ml/model) and scores a far and a near name. */
  async function championProbabilities(): Promise<{ far: number[]; near: number[] }> {
    const dir = mkdtempSync(join(work, 'champion-'));
    for (const key of await lake.list('models/champion/')) {
      const file = join(dir, key.slice('models/champion/'.length));
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, Buffer.from(await arrayBuffer((await lake.get(key))!)));
    }
    const encoder = await OnnxEncoder.load(dir, { taxonomy, threads: 1 });
    try {
      const p = await encoder.probabilities([OUT_OF_DOMAIN[0], trainedName]);
      const C = encoder.classIds.length;
      return { far: [...p.subarray(0, C)], near: [...p.subarray(C)] };
    } finally {
      await encoder.close();
    }
  }

  it('refuses URIs outside the lake bucket', async () => {
    await expect(
      runTrainingTask(
        { lake, lakeBucket: 'lake', taxonomy, workDir: work },
        { trainUri: 's3://elsewhere/t.csv', heldOutUri: 's3://lake/h.csv', outputUri: 's3://lake/models/challengers/x/' },
      ),
    ).rejects.toThrow(/not in the lake bucket lake/);
  });
});
