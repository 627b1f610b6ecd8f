import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { cruise, type ICruiseResult } from 'dependency-cruiser';
import extractDepcruiseOptions from 'dependency-cruiser/config-utl/extract-depcruise-options';
import extractTSConfig from 'dependency-cruiser/config-utl/extract-ts-config';
import { afterAll, describe, expect, it } from 'vitest';

// `npm run lint:layers` runs the same config over the repository; here a small tree with planted wrong-way imports
// shows each rule fires, and that a `.ts`-extension import resolves (an unresolved one would pass every rule).
const ROOT = resolve(import.meta.dirname, '../..');
const tree = mkdtempSync(join(tmpdir(), 'aisle-layers-'));
afterAll(() => rmSync(tree, { recursive: true, force: true }));

const FILES: Record<string, string> = {
  'functions/core/ok.ts': 'export const ok = 1;\n',
  'functions/adapters/local/few-shot.ts': "import { ok } from '../../core/ok.ts';\nexport const shots = ok;\n",
  'functions/adapters/aws/s3.ts': "import { ok } from '../../core/ok.ts';\nexport const s3 = ok;\n",
  'functions/core/wrong.ts': "import type { shots } from '../adapters/local/few-shot.ts';\nexport type Wrong = typeof shots;\n",
  'functions/pipeline/wrong.ts': "import { s3 } from '../adapters/aws/s3.ts';\nexport const w = s3;\n",
  'functions/adapters/ollama.ts': "import { shots } from './local/few-shot.ts';\nexport const o = shots;\n",
  'functions/handlers/ingest.ts': "import { shots } from '../adapters/local/few-shot.ts';\nexport const i = shots;\n",
  'functions/adapters/local/parallel.ts': "import { bundleFor } from '../../../bin/bundles.mjs';\nexport const p = bundleFor;\n",
  'bin/bundles.mjs': 'export const bundleFor = 1;\n',
  'functions/core/a.ts': "import { b } from './b.ts';\nexport const a = () => b;\n",
  'functions/core/b.ts': "import { a } from './a.ts';\nexport const b = () => a;\n",
  'functions/core/typo.ts': "import { ok } from './mising.ts';\nexport const t = ok;\n",
};

async function violations(): Promise<string[]> {
  for (const [path, text] of Object.entries(FILES)) {
    mkdirSync(dirname(join(tree, path)), { recursive: true });
    writeFileSync(join(tree, path), text);
  }
  writeFileSync(join(tree, 'tsconfig.json'), JSON.stringify({ compilerOptions: { allowImportingTsExtensions: true, noEmit: true } }));
  const options = await extractDepcruiseOptions(join(ROOT, '.dependency-cruiser.cjs'));
  const { output } = await cruise(['functions', 'bin'], { ...options, baseDir: tree }, undefined, {
    tsConfig: extractTSConfig(join(tree, 'tsconfig.json')),
  });
  const result = output as ICruiseResult;
  return result.summary.violations.map((v) => `${v.rule.name}: ${v.from} → ${v.to}`).sort();
}

describe('layering rules (.dependency-cruiser.cjs)', () => {
  it('catches each planted wrong-way import, cycle and unresolved import, and nothing else', async () => {
    expect(await violations()).toEqual([
      'core-imports-no-outer-layer: functions/core/wrong.ts → functions/adapters/local/few-shot.ts',
      'core-imports-no-outer-layer: functions/pipeline/wrong.ts → functions/adapters/aws/s3.ts',
      'functions-import-no-cli-or-cdk: functions/adapters/local/parallel.ts → bin/bundles.mjs',
      'no-circular: functions/core/a.ts → functions/core/b.ts',
      'no-reach-into-local-adapters: functions/adapters/ollama.ts → functions/adapters/local/few-shot.ts',
      'no-reach-into-local-adapters: functions/handlers/ingest.ts → functions/adapters/local/few-shot.ts',
      'not-to-unresolvable: functions/core/typo.ts → ./mising.ts',
    ]);
  });
});
