import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const TRAIN_PY = fileURLToPath(new URL('../../models/deberta/train.py', import.meta.url));
const hasPython = spawnSync('python3', ['--version']).status === 0;
if (!hasPython) console.warn('deberta trainer: python3 not found, skipping the syntax check');

describe('models/deberta/train.py', () => {
  it.skipIf(!hasPython && process.env.AISLE_REQUIRE_ALL !== '1')('byte-compiles with python3', () => {
    const out = mkdtempSync(join(tmpdir(), 'aisle-pyc-'));
    try {
      const res = spawnSync(
        'python3',
        ['-c', 'import py_compile,sys; py_compile.compile(sys.argv[1], cfile=sys.argv[2], doraise=True)', TRAIN_PY, join(out, 'train.pyc')],
        { encoding: 'utf8' },
      );
      expect(res.error, 'python3 is required when AISLE_REQUIRE_ALL=1').toBeUndefined();
      expect(res.stderr).toBe('');
      expect(res.status).toBe(0);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  it('writes every file of the artifact contract with the names the server reads', () => {
    const src = readFileSync(TRAIN_PY, 'utf8');
    for (const name of ['model.onnx', 'tokenizer.json', 'labels.json', 'metrics.json', 'card.json']) expect(src).toContain(`"${name}"`);
    for (const key of [
      '"input_ids"',
      '"attention_mask"',
      '"logits"',
      '"temperature"',
      '"thresholds"',
      '"pooledThreshold"',
      '"classIds"',
      '"taxonomyVersion"',
    ])
      expect(src).toContain(key);
  });

  it('writes evaluation.json with the fields the retraining state machine reads (champion and challenger on the same rows)', () => {
    const src = readFileSync(TRAIN_PY, 'utf8');
    expect(src).toContain('"evaluation.json"');
    for (const key of ['"heldOutRows": len(test)', '"champion": champion', '"challenger": {"version": args.version, "report": held_out}'])
      expect(src).toContain(key);
    // The champion is scored on the very rows the challenger's held-out report counts.
    expect(src).toMatch(/score_folder\(args\.champion_dir, test, /);
  });
});
