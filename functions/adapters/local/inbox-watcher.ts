/**
 * The drop zone on one machine (the S3 inbox's counterpart): every CSV file that lands in the inbox folder
 * becomes a job, started the way an upload is (LocalJobsService.start), its results in the outbox.
 *
 * - A file is taken once its size and modification time stayed the same for `settleMs` (a copy in progress
 *   keeps changing). Writers that pause longer should write under a name the inbox skips (a dot-file, or
 *   `*.part` / `*.tmp`) and rename it into place when complete.
 * - Taking a file renames it into `processing/` (prefixed with its job id), so it is never taken twice; when the
 *   job ends it moves to `done/` or to `failed/` beside a `<file>.error.txt` that says why.
 * - Files already there at start-up are taken too; files a stopped server left in `processing/` run again.
 * - Files that are not `.csv` stay where they are, with one log line each.
 *
 * Node's fs.watch on the one folder (inotify, FSEvents, ReadDirectoryChangesW) tells when to look; a rescan
 * every `rescanMs` catches what it may miss (an overflowing event queue, network file systems). That is all
 * chokidar would add for a single, non-recursive folder, so it is not a dependency.
 */
import { type FSWatcher, watch } from 'node:fs';
import { mkdir, readdir, rename, stat, writeFile } from 'node:fs/promises';
import { extname, join, relative } from 'node:path';
import { newJobId } from '../../core/job-ids.ts';
import type { LocalJobsService } from './jobs-service.ts';

export interface InboxWatcherOptions {
  /** The inbox folder; created when missing. */
  dir: string;
  jobs: Pick<LocalJobsService, 'start' | 'finished' | 'moveInput'>;
  /** How long a file must stay unchanged before it is taken (default 1000 ms). */
  settleMs?: number;
  /** How often the folder is listed again, for events the watcher missed (default 5000 ms). */
  rescanMs?: number;
  log?: (line: string) => void;
}

/** Names writers use before renaming a finished file into place: skipped without a word. */
const IN_PROGRESS = /^\.|\.(part|partial|tmp|crdownload|swp)$/i;
/** A taken file: `<job id>-<original name>`. */
const TAKEN = /^(j-\d{8}T\d{6}-[0-9a-f]{6})-(.+)$/;

export class InboxWatcher {
  readonly dir: string;
  readonly processing: string;
  readonly done: string;
  readonly failed: string;
  private readonly settleMs: number;
  private readonly rescanMs: number;
  private readonly log: (line: string) => void;
  private watcher?: FSWatcher;
  private rescan?: NodeJS.Timeout;
  /** Files being watched until they settle, with their pending look. */
  private readonly settling = new Map<string, NodeJS.Timeout | null>();
  /** Non-CSV files already reported. */
  private readonly ignored = new Set<string>();
  private readonly work = new Set<Promise<void>>();
  private closed = false;
  private scansDone = 0;

  constructor(private readonly opts: InboxWatcherOptions) {
    this.dir = opts.dir;
    this.processing = join(opts.dir, 'processing');
    this.done = join(opts.dir, 'done');
    this.failed = join(opts.dir, 'failed');
    this.settleMs = opts.settleMs ?? 1000;
    this.rescanMs = opts.rescanMs ?? 5000;
    this.log = opts.log ?? ((line) => console.log(line));
  }

  /** Starts watching; resolves once the files already there are seen (each is taken once it settles). */
  async start(): Promise<void> {
    for (const dir of [this.processing, this.done, this.failed]) await mkdir(dir, { recursive: true });
    for (const name of await readdir(this.processing)) {
      const taken = TAKEN.exec(name);
      if (taken) this.follow(taken[1], taken[2], join(this.processing, name), 'again: the server stopped before it finished');
    }
    this.watcher = watch(this.dir, (_event, name) => {
      if (name) this.consider(name.toString());
    });
    this.watcher.on('error', (err) => this.log(`inbox: watching ${this.dir} failed (${err.message}); rescanning every ${this.rescanMs} ms`));
    this.rescan = setInterval(() => void this.scan(), this.rescanMs);
    this.rescan.unref();
    await this.scan();
  }

  /** Stops taking files and waits for the jobs it started (and their inputs' moves). */
  async close(): Promise<void> {
    this.closed = true;
    this.watcher?.close();
    clearInterval(this.rescan);
    for (const timer of this.settling.values()) if (timer) clearTimeout(timer);
    this.settling.clear();
    while (this.work.size) await Promise.all([...this.work]);
  }

  private async scan(): Promise<void> {
    const entries = await readdir(this.dir, { withFileTypes: true }).catch((err: Error) => {
      this.log(`inbox: cannot list ${this.dir}: ${err.message}`);
      return [];
    });
    for (const e of entries) if (e.isFile()) this.consider(e.name);
    this.scansDone++;
  }

  /** Scans of the folder finished so far: what a caller waits on to know the watcher has looked. */
  get scans(): number {
    return this.scansDone;
  }

  /** Whether the file was looked at and is waiting to settle (it is taken once unchanged for settleMs). */
  settlingOn(name: string): boolean {
    return Boolean(this.settling.get(name));
  }

  private consider(name: string): void {
    if (this.closed || this.settling.has(name) || IN_PROGRESS.test(name)) return;
    if (extname(name).toLowerCase() !== '.csv') {
      // Folders (done/, failed/, processing/) come through here too: only files are reported.
      if (!this.ignored.has(name)) {
        stat(join(this.dir, name)).then(
          (st) => {
            if (!st.isFile() || this.ignored.has(name)) return;
            this.ignored.add(name);
            this.log(`inbox: ignoring ${name}: not a .csv file`);
          },
          () => undefined,
        );
      }
      return;
    }
    this.settling.set(name, null);
    this.track(this.look(name, null));
  }

  /** Takes the file once a look finds it as it was at the previous one; until then looks again later. */
  private async look(name: string, previous: { size: number; mtimeMs: number } | null): Promise<void> {
    const st = await stat(join(this.dir, name)).catch(() => null);
    if (this.closed) return;
    if (!st?.isFile()) {
      this.settling.delete(name); // gone (deleted, or renamed away by its writer)
      return;
    }
    if (previous && st.size === previous.size && st.mtimeMs === previous.mtimeMs) {
      this.settling.delete(name);
      await this.take(name);
      return;
    }
    const now = { size: st.size, mtimeMs: st.mtimeMs };
    this.settling.set(
      name,
      setTimeout(() => this.track(this.look(name, now)), this.settleMs),
    );
  }

  private async take(name: string): Promise<void> {
    if (this.closed) return;
    const id = newJobId();
    const path = join(this.processing, `${id}-${name}`);
    try {
      await rename(join(this.dir, name), path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') this.log(`inbox: cannot take ${name}: ${(err as Error).message}`);
      return;
    }
    this.follow(id, name, path);
  }

  /** Work close() waits for: looks at settling files and the jobs of taken ones. */
  private track(work: Promise<void>): void {
    const tracked = work.catch((err: Error) => this.log(`inbox: ${err.message}`)).finally(() => this.work.delete(tracked));
    this.work.add(tracked);
  }

  /** Runs the job for a taken file and sorts the file into done/ or failed/ when it ends. */
  private follow(id: string, name: string, path: string, note?: string): void {
    this.track(
      (async () => {
        const job = await this.opts.jobs.start(id, path);
        this.log(`inbox: ${name} → job ${job.id}${note ? ` (${note})` : ''}`);
        const end = await this.opts.jobs.finished(id);
        const ok = end?.status === 'done';
        const to = join(ok ? this.done : this.failed, `${id}-${name}`);
        await this.opts.jobs.moveInput(id, to);
        const moved = relative(this.dir, to);
        if (ok) {
          this.log(
            `inbox: job ${id} (${name}) done: ${end.rowsIn} rows in = ${end.classified} classified + ${end.rejected} rejected` +
              `${end.needsReview ? ` (${end.needsReview} need review)` : ''} → ${end.output ?? 'no output'}; input moved to ${moved}`,
          );
        } else {
          const reason = end?.error ?? 'the job ended without a result';
          await writeFile(`${to}.error.txt`, `${reason}\n`);
          this.log(`inbox: job ${id} (${name}) failed: ${reason}; input moved to ${moved}`);
        }
      })().catch((err: Error) => this.log(`inbox: ${name} (job ${id}): ${err.message}`)),
    );
  }
}
