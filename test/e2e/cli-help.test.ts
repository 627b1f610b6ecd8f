import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const CLI = join(ROOT, 'bin/aisle.mjs');
let home: string;

beforeAll(() => {
  home = mkdtempSync(join(tmpdir(), 'aisle-help-'));
});
afterAll(() => rmSync(home, { recursive: true, force: true }));

function aisle(args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    cwd: home,
    env: { ...process.env, AISLE_HOME: join(home, '.aisle') },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The commands `aisle --help` lists (the indented lines under "commands:"). */
function commandsOf(help: string): string[] {
  const block = help.split('commands:\n')[1]?.split('\n\n')[0] ?? '';
  return block
    .split('\n')
    .map((l) => /^ {2}([a-z][a-z-]*)\s/.exec(l)?.[1])
    .filter((c): c is string => !!c);
}

/** The subcommands a command's usage names: "aisle keys create ...", "aisle rules explain ...", "[promote VERSION]". */
function subcommandsOf(command: string, usage: string): string[] {
  const subs = new Set<string>();
  for (const m of usage.matchAll(new RegExp(`aisle ${command} \\[?([a-z][a-z-]*)\\b`, 'g'))) subs.add(m[1]);
  return [...subs];
}

describe('every aisle --help (real CLI)', { timeout: 300_000 }, () => {
  it('prints a usage naming each command and subcommand and exits 0, touching nothing', () => {
    const top = aisle(['--help']);
    expect(top.code).toBe(0);
    const commands = commandsOf(top.stdout);
    expect(commands).toEqual(expect.arrayContaining(['classify', 'keys', 'serve', 'rules', 'models', 'insights']));
    const checked: string[] = [];
    for (const command of commands) {
      const r = aisle([command, '--help']);
      expect({ command, code: r.code, stderr: r.stderr }).toEqual({ command, code: 0, stderr: '' });
      expect(r.stdout).toMatch(new RegExp(`usage: aisle ${command}\\b`));
      checked.push(command);
      for (const sub of subcommandsOf(command, r.stdout)) {
        for (const flag of ['--help', '-h']) {
          const s = aisle([command, sub, flag]);
          expect({ command: `${command} ${sub} ${flag}`, code: s.code, stderr: s.stderr }).toEqual({
            command: `${command} ${sub} ${flag}`,
            code: 0,
            stderr: '',
          });
          expect(s.stdout).toMatch(new RegExp(`aisle ${command} \\[?${sub}\\b`));
        }
        checked.push(`${command} ${sub}`);
      }
    }
    // The subcommands named in the usages were found and run.
    expect(checked).toEqual(expect.arrayContaining(['keys create', 'keys list', 'keys revoke', 'rules check', 'rules explain', 'models promote']));
    // No help opened a store or made $AISLE_HOME (e.g. `keys revoke --help` once tried to revoke a key named "--help").
    expect(existsSync(join(home, '.aisle'))).toBe(false);
  });
});
