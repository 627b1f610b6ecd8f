/**
 * Product names come from catalogs anyone may write: printed as they are, an ESC or CSI in one starts a terminal
 * escape sequence (recolour, retitle, rewrite the screen). The CLI prints them with each control character as a
 * visible marker.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { formatTable } from '../../bin/commands/insights.ts';
import { review } from '../../bin/commands/review.ts';
import { terminalText } from '../../bin/commands/terminal.ts';
import { closeTestApis, json, makeTestApi } from './fixtures.ts';

afterEach(closeTestApis);

/** Whether the text holds a control character other than LF (line ends between printed lines), or U+202E. */
const hasControl = (text: string) =>
  [...text].some((c) => {
    const n = c.codePointAt(0)!;
    return (n < 0x20 && n !== 0x0a) || (n >= 0x7f && n <= 0x9f) || n === 0x202e;
  });

const HOSTILE = '\u001b]0;owned\u0007Gizmo \u001b[2J\r\u009b31m\u202Eedoc';

describe('names printed on a terminal', () => {
  it('writes every control character as a marker and leaves the rest as it is', () => {
    expect(terminalText(HOSTILE)).toBe('<U+001B>]0;owned<U+0007>Gizmo <U+001B>[2J<U+000D><U+009B>31m<U+202E>edoc');
    expect(terminalText('Crème brûlée 日本茶 12" "x"')).toBe('Crème brûlée 日本茶 12" "x"');
  });

  it('tables (insights, ask, similar, map-categories) print no control character', () => {
    const table = formatTable([{ name: HOSTILE, items: 3 }]);
    expect(hasControl(table)).toBe(false);
    expect(table).toContain('<U+001B>[2J');
  });

  it('aisle review lists and labels such a name with markers', async () => {
    const t = await makeTestApi();
    const res = await t.app.request('/v1/classify', {
      method: 'POST',
      headers: json(t.writeKey),
      body: JSON.stringify({ items: [{ name: HOSTILE }] }),
    });
    const { key } = (await res.json()).items[0];
    const lines: string[] = [];
    const cli = (...argv: string[]) =>
      review(argv, {
        store: t.rt.store,
        cache: t.rt.cache,
        taxonomy: t.rt.taxonomy,
        labelledBy: 'tester',
        llmTier: () => Promise.reject(new Error('not asked')),
        out: (l) => lines.push(l),
        err: (l) => lines.push(l),
      });
    expect(await cli()).toBe(0);
    expect(await cli('--label', key, '2')).toBe(0);
    expect(hasControl(lines.join('\n'))).toBe(false);
    expect(lines.at(-1)).toContain('Labelled "<U+001B>]0;owned<U+0007>Gizmo');
  });

  it('aisle keys create and list print a key named with control characters with markers', () => {
    const home = mkdtempSync(join(tmpdir(), 'aisle-keys-text-'));
    const aisle = (...argv: string[]) =>
      spawnSync(process.execPath, [resolve(import.meta.dirname, '../../bin/aisle.mjs'), 'keys', ...argv], {
        env: { ...process.env, AISLE_HOME: home },
        encoding: 'utf8',
        timeout: 60_000,
      });
    try {
      const created = aisle('create', '--name', HOSTILE);
      expect(created.status).toBe(0);
      expect(hasControl(created.stderr)).toBe(false);
      const listed = aisle('list');
      expect(listed.status).toBe(0);
      expect(hasControl(listed.stdout)).toBe(false);
      expect(listed.stdout).toContain(terminalText(HOSTILE));
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  }, 60_000);
});
