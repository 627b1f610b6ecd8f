import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Retrainer, TrainingRun } from '../../ports.ts';

const AISLE_BIN = fileURLToPath(new URL('../../../bin/aisle.mjs', import.meta.url));

/**
 * Retraining on one machine: runs `aisle train` (export → train → evaluate → promote) as a child process,
 * its output in $AISLE_HOME/runs/<id>.log. One run at a time: a second start while one runs returns it.
 */
export class LocalRetrainer implements Retrainer {
  private readonly runs = new Map<string, TrainingRun>();
  private current?: TrainingRun;

  constructor(private readonly opts: { home: string; command?: string[] }) {}

  async start(): Promise<TrainingRun> {
    if (this.current?.status === 'running') return this.current;
    const id = `train-${new Date().toISOString().replace(/[-:]/g, '').slice(0, 15)}-${randomBytes(2).toString('hex')}`;
    const dir = join(this.opts.home, 'runs');
    mkdirSync(dir, { recursive: true });
    const log = join(dir, `${id}.log`);
    const fd = openSync(log, 'a');
    const [cmd, ...args] = this.opts.command ?? [process.execPath, AISLE_BIN, 'train'];
    const run: TrainingRun = { id, status: 'running', startedAt: new Date().toISOString(), detail: log };
    this.runs.set(id, run);
    this.current = run;
    const child = spawn(cmd, args, { stdio: ['ignore', fd, fd] });
    closeSync(fd);
    const finish = (status: TrainingRun['status'], error?: string) => {
      if (run.status !== 'running') return;
      Object.assign(run, { status, finishedAt: new Date().toISOString(), ...(error ? { error } : {}) });
    };
    child.on('error', (err) => finish('failed', err.message));
    child.on('exit', (code, signal) =>
      finish(code === 0 ? 'succeeded' : 'failed', code === 0 ? undefined : `exited with ${signal ?? code}: see ${log}`),
    );
    return run;
  }

  async get(id: string): Promise<TrainingRun | null> {
    return this.runs.get(id) ?? null;
  }
}
