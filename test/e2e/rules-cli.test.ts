import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const CLI = fileURLToPath(new URL('../../bin/aisle.mjs', import.meta.url));
const aisle = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 60_000 });

describe('aisle rules', () => {
  it('check accepts the shipped rules and reports their coverage', () => {
    const out = aisle('rules', 'check');
    expect(out.status, out.stderr).toBe(0);
    expect(out.stdout).toMatch(/rules\.json: ok, version \S+, \d+ rules/);
    expect(out.stdout).toContain('12/12 leaves have rules');
  });

  it('check refuses a bad file with exit 1, naming each rule and its problem', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'aisle-rules-cli-')), 'bad.json');
    writeFileSync(
      file,
      JSON.stringify({
        version: '1',
        rules: [
          { id: 'x.bad', target: 'food.sweets', keywords: ['candy'] },
          { id: 'x.re', target: 'food', regex: '(oops' },
        ],
      }),
    );
    const out = aisle('rules', 'check', file);
    expect(out.status).toBe(1);
    expect(out.stderr).toContain('rule x.bad: target "food.sweets" is not a class');
    expect(out.stderr).toMatch(/rule x\.re: regex \/\(oops\/ does not compile/);
    expect(out.stderr).not.toMatch(/\n\s+at /); // a message for the user, not a stack trace
  });

  it('explain shows the normalized text, each match and the verdict', () => {
    const out = aisle('rules', 'explain', 'Vanilla Bean Ice Cream, 48 oz.');
    expect(out.status, out.stderr).toBe(0);
    expect(out.stdout).toContain('text: "vanilla bean ice cream 48oz"');
    expect(out.stdout).toMatch(/decisive\s+frozen\.ice-cream\S* → food\.frozen/);
    expect(out.stdout).toContain('decided: Food > Frozen Foods');
  });
});
