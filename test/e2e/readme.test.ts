import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toolAvailable } from '../support/tools.ts';

/**
 * The README's quick start and tour run as written, their shown outputs are what the commands print, and
 * every relative link in README.md and docs/ leads somewhere. The tour's commands run in order in one bash
 * session from the repository root (as the README says), with local state in a temporary AISLE_HOME.
 */
const ROOT = resolve(import.meta.dirname, '../..');
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');
const PKG = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { bin: Record<string, string>; scripts: Record<string, string> };

/** `npm ci` reinstalls the node_modules this test runs from; `npm test` runs the suite this test is part of. */
const NOT_RUN_HERE = new Set(['npm ci', 'npm test']);

/** What each tour command must print (on stdout or stderr) besides exiting 0: one entry per command. */
const EXPECTED: [command: RegExp, output: RegExp][] = [
  [/^npx aisle classify$/, /^aisle: 100 rows in = 96 classified \+ 4 rejected/m],
  [/^head -n 3 sample\.out\.csv$/, /^id,product_name,brand,description,level1,level2,confidence,tier,status,rule_id,/m],
  [/^KEY=\$\(npx aisle keys create --name me\)$/, /created write key [0-9a-f]{8} "me"/],
  [/^npx aisle serve$/, /^aisle serve: http:\/\/127\.0\.0\.1:\d+ \(inspector at/m],
  [/\/v1\/classify /, /"classId":"food\.dairy-eggs".*"classId":"non-food\.pet-supplies"/],
  [/^npx aisle insights$/, /^tier_mix\s+Which tier decided/m],
  [/^npx aisle insights tier_mix$/, /^rules\s+73\s/m],
  [/\/v1\/insights\/tier_mix /, /"name":"tier_mix".*"tier":"rules","items":73/],
  [/^npx aisle cost$/, /^total per million products\s+\$[\d.]+\s+\$[\d.]+$/m],
];

/** Output lines that differ from run to run: the README shows one run's figures. */
const VOLATILE = [/ rows\/s\)$/];

interface Block {
  lang: string;
  lines: string[];
}

/** The fenced code blocks of one `## ` section of a markdown file. */
function blocksOf(markdown: string, heading: string): Block[] {
  const start = markdown.indexOf(`\n## ${heading}\n`);
  expect(start, `README section "## ${heading}"`).toBeGreaterThan(-1);
  const end = markdown.indexOf('\n## ', start + 1);
  const section = markdown.slice(start, end === -1 ? undefined : end);
  return [...section.matchAll(/^```(\w*)\n([\s\S]*?)^```$/gm)].map((m) => ({ lang: m[1], lines: m[2].replace(/\n$/, '').split('\n') }));
}

/** Shell commands of a block: continuation lines joined, trailing `# comments` and blank lines dropped. */
function commandsOf(block: Block): string[] {
  return block.lines
    .join('\n')
    .replace(/\\\n\s*/g, ' ')
    .split('\n')
    .map((line) => line.replace(/\s+#\s.*$/, '').trim())
    .filter((line) => line && !line.startsWith('#'));
}

/** A line shown in the README, `…` standing for anything, as a whole-line pattern over real output. */
function shownLine(line: string): RegExp {
  const parts = line
    .trimEnd()
    .split('…')
    .map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${parts.join('.*')}\\s*$`, 'm');
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as { port: number };
  await new Promise((ok) => server.close(ok));
  return port;
}

/**
 * One bash session for the whole tour. `npx aisle …` runs what npx runs for this package (its `bin`, checked
 * below); `npx aisle serve` is started in the background (the README runs it in a terminal of its own) on a
 * free port, which the curl calls are pointed at instead of 8787.
 */
function tourScript(commands: string[], port: number): string {
  const cli = join(ROOT, PKG.bin.aisle);
  const run = commands.map((c, i) => `printf '\\n::begin ${i}\\n'\n${c}\nprintf '\\n::end ${i} %s\\n' "$?"`);
  return `exec 2>&1
export PORT=${port}
SERVE_PID=
npx() {
  if [ "$1" != aisle ]; then echo "not a tour command: npx $*"; return 127; fi
  shift
  if [ "$1" = serve ]; then
    node ${JSON.stringify(cli)} "$@" > "$AISLE_HOME/serve.log" 2>&1 &
    SERVE_PID=$!
    for _ in $(seq 300); do grep -q 'watching .* for CSV files' "$AISLE_HOME/serve.log" && break; kill -0 $SERVE_PID || break; sleep 0.1; done
    cat "$AISLE_HOME/serve.log"
    kill -0 $SERVE_PID
  else
    node ${JSON.stringify(cli)} "$@"
  fi
}
curl() { command curl --fail-with-body "\${@//localhost:8787/localhost:$PORT}"; }
trap '[ -n "$SERVE_PID" ] && kill $SERVE_PID && wait $SERVE_PID' EXIT
${run.join('\n')}
`;
}

describe('README quick start and tour', { timeout: 120_000 }, () => {
  const quickStart = blocksOf(README, 'Quick start');
  const tour = blocksOf(README, 'A five-minute tour');
  const home = mkdtempSync(join(tmpdir(), 'aisle-readme-'));
  // The tour runs from the repository root, so its output files land there (git ignores them): put back what was there.
  const outputs = ['sample.out.csv', 'sample.out.rejects.csv'].map((f) => join(ROOT, f));
  const before = outputs.map((f) => (existsSync(f) ? readFileSync(f) : null));
  const commands = tour.filter((b) => b.lang === 'sh').flatMap(commandsOf);
  const canRun = !commands.some((c) => c.startsWith('curl ')) || toolAvailable('curl', 'the README tour');
  const results: { command: string; rc: number; output: string }[] = [];

  beforeAll(async () => {
    if (!canRun) return;
    const port = await freePort();
    const run = spawnSync('bash', ['-c', tourScript(commands, port)], {
      cwd: ROOT,
      // A port nothing listens on: the tour's outputs are those of a machine without Ollama, as it says.
      env: { ...process.env, AISLE_HOME: home, OLLAMA_HOST: `http://127.0.0.1:${await freePort()}` },
      encoding: 'utf8',
      timeout: 100_000,
    });
    for (const m of run.stdout.matchAll(/^::begin (\d+)\n([\s\S]*?)\n::end \1 (\d+)$/gm)) {
      results.push({ command: commands[Number(m[1])], rc: Number(m[3]), output: m[2] });
    }
  }, 110_000);
  afterAll(() => {
    outputs.forEach((f, i) => (before[i] ? writeFileSync(f, before[i]) : rmSync(f, { force: true })));
    rmSync(home, { recursive: true, force: true });
  });

  it('the quick start is npm ci, the main job, npm test; npx aisle and npm start run bin/aisle.mjs', () => {
    const shown = quickStart.filter((b) => b.lang === 'sh').flatMap(commandsOf);
    expect(shown).toEqual(['npm ci', 'npx aisle classify', 'npm test']);
    expect(shown.filter((c) => !NOT_RUN_HERE.has(c)).every((c) => commands.includes(c))).toBe(true);
    expect(PKG.bin.aisle).toBe('bin/aisle.mjs');
    expect(PKG.scripts.start).toBe('node bin/aisle.mjs classify');
    // npx finds the package's own bin in a checkout, without a global install or a registry.
    const npx = spawnSync('npx', ['--no-install', 'aisle', '--help'], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    expect(npx.status, npx.stderr).toBe(0);
    expect(npx.stdout).toMatch(/^usage: aisle <command>/);
  });

  it.skipIf(!canRun)('every tour command exits 0 and prints what it should', () => {
    expect(commands.length).toBeGreaterThan(5);
    expect(results.map((r) => r.command)).toEqual(commands);
    for (const { command, rc, output } of results) {
      expect(rc, `${command}\n${output}`).toBe(0);
      const expected = EXPECTED.filter(([c]) => c.test(command));
      expect(expected, `one expected output for: ${command}`).toHaveLength(1);
      expect(output, command).toMatch(expected[0][1]);
    }
  });

  it.skipIf(!canRun)('the outputs the tour shows are what its commands print', () => {
    let printed = '';
    let checked = 0;
    for (const block of tour) {
      if (block.lang === 'sh') {
        const mine = new Set(commandsOf(block));
        printed = results
          .filter((r) => mine.has(r.command))
          .map((r) => r.output)
          .join('\n');
      } else if (block.lang === '') {
        for (const line of block.lines) {
          if (!line.trim() || line.trim() === '…' || VOLATILE.some((v) => v.test(line))) continue;
          expect(printed, `README shows: ${line}`).toMatch(shownLine(line));
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(10);
  });
});

describe('sample outputs in docs/', () => {
  // `aisle train` is left out: its sample (docs/models.md) is a shortened run of several seconds.
  it('docs/aws.md shows what npx aisle cost prints', () => {
    const block = /^```\n\$ npx aisle cost\n([\s\S]*?)^```$/m.exec(readFileSync(join(ROOT, 'docs/aws.md'), 'utf8'));
    expect(block, 'a block starting with "$ npx aisle cost"').not.toBeNull();
    const run = spawnSync(process.execPath, [join(ROOT, PKG.bin.aisle), 'cost'], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    expect(run.status, run.stderr).toBe(0);
    const shown = block![1].split('\n').filter((line) => line.trim() && line.trim() !== '…');
    expect(shown.length).toBeGreaterThan(20);
    for (const line of shown) expect(run.stdout, `docs/aws.md shows: ${line}`).toMatch(shownLine(line));
  });
});

describe('links in README.md, docs/ and the other READMEs', () => {
  const docs = readdirSync(join(ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`);
  const files = ['README.md', ...docs, 'models/deberta/README.md', 'functions/core/insights/README.md'];

  /** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens. */
  const anchorsOf = (markdown: string) =>
    new Set(
      [...markdown.replace(/^```[\s\S]*?^```$/gm, '').matchAll(/^#{1,6} (.+)$/gm)].map((m) =>
        m[1]
          .trim()
          .toLowerCase()
          .replace(/[^\p{L}\p{N} _-]/gu, '')
          .replace(/ /g, '-'),
      ),
    );

  it.each(files)('%s: every relative link names a file (and heading) that exists', (file) => {
    const markdown = readFileSync(join(ROOT, file), 'utf8');
    const links = [...markdown.replace(/^```[\s\S]*?^```$/gm, '').matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]);
    const relative = links.filter((l) => !/^[a-z]+:/.test(l));
    if (file === 'README.md') expect(relative.length).toBeGreaterThan(5);
    for (const link of relative) {
      const [path, anchor] = link.split('#');
      const target = path ? resolve(ROOT, dirname(file), path) : join(ROOT, file);
      expect(existsSync(target), `${file} → ${link}`).toBe(true);
      if (anchor && target.endsWith('.md')) expect(anchorsOf(readFileSync(target, 'utf8')), `${file} → ${link}`).toContain(anchor);
    }
  });
});
