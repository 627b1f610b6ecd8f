import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createReadStream, createWriteStream, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { ResultStore, Retrainer, TrainingRun } from '../../ports.ts';

const AISLE_BIN = fileURLToPath(new URL('../../../bin/aisle.mjs', import.meta.url));

/** A labelled item as ResultStore.exportLabelled gives it. */
export type LabelledItem = Awaited<ReturnType<ResultStore['exportLabelled']> extends AsyncIterable<infer T> ? T : never>;

/** Writes labelled items as JSON lines (the text exactly as stored) for `aisle train --store-export`; resolves to how many. */
export async function writeLabelledExport(items: AsyncIterable<LabelledItem>, path: string): Promise<number> {
  const out = createWriteStream(path);
  let n = 0;
  try {
    for await (const item of items) {
      if (!out.write(`${JSON.stringify(item)}\n`)) await once(out, 'drain');
      n++;
    }
  } finally {
    out.end();
    await once(out, 'close');
  }
  return n;
}

/** The items writeLabelledExport wrote. */
export async function* readLabelledExport(path: string): AsyncIterable<LabelledItem> {
  for await (const line of createInterface({ input: createReadStream(path), crlfDelay: Number.POSITIVE_INFINITY })) {
    if (line) yield JSON.parse(line) as LabelledItem;
  }
}

/**
 * Retraining on one machine: runs `aisle train` (train → evaluate → promote) as a child process, its output in
 * $AISLE_HOME/runs/<id>.log. The server holds the DuckDB store (one process may open it), so the labelled items
 * are exported through the server's own store first and the child reads that file (`--store-export`), never
 * the store. The run shows its latest progress line, and on failure the child's own error message. One run at a
 * time: a second start while one runs returns it.
 */
export class LocalRetrainer implements Retrainer {
  private readonly runs = new Map<string, TrainingRun>();
  private current?: TrainingRun;

  /** command: `aisle train` and its options (default: the CLI's, with the starter catalog). */
  constructor(private readonly opts: { home: string; store: Pick<ResultStore, 'exportLabelled'>; command?: string[] }) {}

  async start(): Promise<TrainingRun> {
    if (this.current?.status === 'running') return this.current;
    const id = `train-${new Date().toISOString().replace(/[-:]/g, '').slice(0, 15)}-${randomBytes(2).toString('hex')}`;
    const dir = join(this.opts.home, 'runs');
    mkdirSync(dir, { recursive: true });
    const run: TrainingRun = {
      id,
      status: 'running',
      startedAt: new Date().toISOString(),
      detail: join(dir, `${id}.log`),
      progress: 'exporting labelled items',
    };
    this.runs.set(id, run);
    this.current = run;
    const finish = (status: TrainingRun['status'], error?: string) => {
      if (run.status !== 'running') return;
      Object.assign(run, { status, finishedAt: new Date().toISOString(), ...(error ? { error } : {}) });
    };
    this.train(run, join(dir, `${id}.labelled.jsonl`)).then(
      (error) => finish(error ? 'failed' : 'succeeded', error),
      (err: Error) => finish('failed', err.message),
    );
    return run;
  }

  async get(id: string): Promise<TrainingRun | null> {
    return this.runs.get(id) ?? null;
  }

  /** Exports, trains; resolves to the failure's message, or undefined when training succeeded. */
  private async train(run: TrainingRun, exportFile: string): Promise<string | undefined> {
    const log = createWriteStream(run.detail!, { flags: 'a' });
    try {
      const items = await writeLabelledExport(this.opts.store.exportLabelled({ tiers: ['human', 'llm'] }), exportFile);
      run.progress = `exported ${items} labelled items; training`;
      const [cmd, ...args] = this.opts.command ?? [process.execPath, AISLE_BIN, 'train'];
      // The child's home is the server's: its registry is where the server reads models.
      const child = spawn(cmd, [...args, '--store-export', exportFile], {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, AISLE_HOME: this.opts.home },
      });
      let reason = '';
      const follow = (stream: NodeJS.ReadableStream, onLine: (line: string) => void) =>
        createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY }).on('line', (line) => {
          log.write(`${line}\n`);
          if (line.trim()) onLine(line.trim());
        });
      follow(child.stdout, (line) => {
        run.progress = line;
      });
      // The CLI says what went wrong on stderr, "aisle: no held-out rows: …" (then a stack, when unexpected).
      follow(child.stderr, (line) => {
        if (!reason || (line.startsWith('aisle: ') && !reason.startsWith('aisle: '))) reason = line;
      });
      // 'close': the process has exited and its output has been read to the end.
      const [code, signal] = (await Promise.race([once(child, 'close'), once(child, 'error').then(([err]) => Promise.reject(err))])) as [
        number | null,
        NodeJS.Signals | null,
      ];
      if (code === 0) return undefined;
      return `aisle train exited with ${signal ?? code}${reason ? `: ${reason.replace(/^aisle: /, '')}` : ''}`;
    } finally {
      rmSync(exportFile, { force: true });
      log.end();
    }
  }
}
