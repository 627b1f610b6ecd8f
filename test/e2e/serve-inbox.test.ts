import { type ChildProcess, spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SAMPLE_CSV } from '../../bin/commands/classify.ts';

const CLI = resolve(import.meta.dirname, '../../bin/aisle.mjs');

describe('aisle serve watches its inbox (real CLI)', { timeout: 120_000 }, () => {
  let dir: string;
  let server: ChildProcess;
  let url: string;
  let stdout = '';

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'aisle-serve-inbox-'));
    server = spawn(process.execPath, [CLI, 'serve', '--port', '0', '--no-auth', '--inbox', join(dir, 'drop')], {
      env: { ...process.env, AISLE_HOME: join(dir, 'home'), OLLAMA_HOST: 'http://127.0.0.1:9' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    await new Promise<void>((ready, failed) => {
      server.stdout!.on('data', (d: Buffer) => {
        stdout += d.toString();
        if (/watching .* for CSV files/.test(stdout)) ready();
      });
      server.once('exit', (code) => failed(new Error(`aisle serve exited with ${code} before it was ready:\n${stdout}`)));
    });
    url = /aisle serve: (http:\/\/\S+)/.exec(stdout)![1];
  }, 60_000);
  afterAll(async () => {
    if (server.exitCode === null) {
      server.kill('SIGTERM');
      await new Promise((r) => server.once('exit', r));
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('logs a dropped file whose name holds control characters with markers, so it cannot rewrite the terminal', async () => {
    writeFileSync(join(dir, 'drop', 'notes\u001b]0;owned\u0007\u001b[2J.txt'), 'x');
    await expect.poll(() => stdout, { timeout: 20_000 }).toContain('inbox: ignoring notes<U+001B>]0;owned<U+0007><U+001B>[2J.txt: not a .csv file');
    expect(stdout).not.toContain('\u001b');
  });

  it('says where it watches, turns a dropped CSV into a job whose outputs reconcile, and files the input in done/', async () => {
    const inbox = join(dir, 'drop');
    expect(stdout).toContain(`aisle serve: watching ${inbox} for CSV files (results in ${join(dir, 'home', 'outbox')})`);
    copyFileSync(SAMPLE_CSV, join(inbox, '.catalog.csv'));
    renameSync(join(inbox, '.catalog.csv'), join(inbox, 'catalog.csv'));

    const get = async (path: string) => {
      const res = await fetch(`${url}${path}`);
      expect(res.status).toBe(200);
      return res;
    };
    let job:
      | {
          id: string;
          status: string;
          rowsIn: number;
          classified: number;
          rejected: number;
          input: string;
          links: { result?: string; rejects?: string };
        }
      | undefined;
    await expect
      .poll(
        async () => {
          job = ((await (await get('/v1/jobs')).json()) as { items: NonNullable<typeof job>[] }).items[0];
          return job?.status;
        },
        { timeout: 60_000 },
      )
      .toBe('done');
    expect(job).toMatchObject({ rowsIn: 100, classified: 96, rejected: 4 });
    // The input is filed once the job is done, then the log says so.
    await expect.poll(() => stdout).toContain(`inbox: job ${job!.id} (catalog.csv) done: 100 rows in = 96 classified + 4 rejected`);
    expect(stdout).toContain(`inbox: catalog.csv → job ${job!.id}`);
    // A server's jobs go to the results lake as they finish, not when insights next ask.
    const lakeFiles = readdirSync(join(dir, 'home', 'lake'), { recursive: true, encoding: 'utf8' }).filter((f) => /\.(parquet|json)$/.test(f));
    expect(lakeFiles).toEqual([
      expect.stringMatching(new RegExp(`^results/tenant=[a-z0-9_-]+/dt=\\d{4}-\\d{2}-\\d{2}/job=${job!.id}/part-0\\.parquet$`)),
    ]);
    job = (await (await get(`/v1/jobs/${job!.id}`)).json()) as NonNullable<typeof job>;
    // Job JSON names the input without the server's folders; the file itself is filed under done/.
    expect(job!.input).toBe('catalog.csv');
    expect(existsSync(join(inbox, 'done', `${job!.id}-catalog.csv`))).toBe(true);
    expect(existsSync(join(inbox, 'catalog.csv'))).toBe(false);

    const result = parse(await (await get(job!.links.result!)).text(), { relax_column_count: true }) as string[][];
    const rejects = parse(await (await get(job!.links.rejects!)).text(), { relax_column_count: true }) as string[][];
    expect(result).toHaveLength(1 + job!.classified);
    expect(rejects).toHaveLength(1 + job!.rejected);
    expect(result[0]).toContain('level2');
    expect(rejects[0]).toEqual(['line', 'reason', 'raw']);

    server.kill('SIGTERM');
    const code = await new Promise((r) => server.once('exit', r));
    expect(code).toBe(0);
  });
});
