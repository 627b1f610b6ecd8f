import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { DEFAULT_TENANT } from '../../core/api-keys.ts';
import type { ReadChoice } from '../../core/input/open.ts';
import { newJobId } from '../../core/job-ids.ts';
import { StoredJobs } from '../../pipeline/stored-jobs.ts';
import type { JobArtifact, JobRecord, JobStore, JobsService } from '../../ports.ts';

/** Runs one job of a tenant to the end: reads its input, classifies, writes result and rejects, keeps the job record current. */
export type RunJob = (job: JobRecord, tenant: string, read?: ReadChoice) => Promise<void>;

/**
 * Jobs on one machine: an uploaded CSV is written to $AISLE_HOME/uploads/ and processed in-process by the
 * local pipeline (the same one `aisle classify` uses), in the background; the job record tracks progress.
 */
export class LocalJobsService extends StoredJobs implements JobsService {
  /** The jobs running, of every tenant (shared by the tenants' views): each one's work and input file. */
  private readonly running: Map<string, { work: Promise<void>; input: string }>;
  private readonly views: Map<string, LocalJobsService>;

  /** csvRaw: how run writes result and rejects cells (ClassifyFileOptions.csvRaw). */
  constructor(
    private readonly opts: { home: string; jobs: JobStore; run: RunJob; csvRaw: boolean },
    readonly tenant = DEFAULT_TENANT,
    shared?: { running: Map<string, { work: Promise<void>; input: string }>; views: Map<string, LocalJobsService> },
  ) {
    super(opts.jobs.forTenant(tenant));
    this.running = shared?.running ?? new Map();
    this.views = shared?.views ?? new Map();
    this.views.set(tenant, this);
  }

  forTenant(tenant: string): LocalJobsService {
    return this.views.get(tenant) ?? new LocalJobsService(this.opts, tenant, { running: this.running, views: this.views });
  }

  async submit(upload: { filename: string; body: Readable; read?: ReadChoice | Promise<ReadChoice | undefined> }): Promise<JobRecord> {
    const id = newJobId();
    const dir = join(this.opts.home, 'uploads');
    await mkdir(dir, { recursive: true });
    const path = join(dir, `${id}-${basename(upload.filename).replace(/[^\w.-]+/g, '_')}`);
    let read: ReadChoice | undefined;
    try {
      await pipeline(upload.body, createWriteStream(path));
      read = await upload.read;
    } catch (err) {
      // A refused upload (over the size limit, a bad option, a dropped connection) leaves no partial file behind.
      await rm(path, { force: true });
      throw err;
    }
    return this.start(id, path, read);
  }

  /** Starts a job for a CSV already on disk (the inbox watcher). */
  async start(id: string, inputPath: string, read?: ReadChoice): Promise<JobRecord> {
    const job = await this.jobs.create({ id, input: inputPath, status: 'queued' });
    const work = this.opts
      .run(job, this.tenant, read)
      .catch(async (err: Error) => {
        await this.jobs.update(id, { status: 'failed', error: err.message, updatedAt: new Date().toISOString() }).catch(() => {});
      })
      .finally(() => this.running.delete(id));
    this.running.set(id, { work, input: inputPath });
    return job;
  }

  /** The job's record once it has run to the end (done or failed). */
  async finished(id: string): Promise<JobRecord | null> {
    await this.running.get(id)?.work;
    return this.jobs.get(id);
  }

  /** Moves a finished job's input file to `to` and records where it went (the inbox sorts what it took). */
  async moveInput(id: string, to: string): Promise<void> {
    const job = await this.jobs.get(id);
    if (!job) throw new Error(`no job ${id}`);
    await mkdir(dirname(to), { recursive: true });
    await rename(job.input, to);
    await this.jobs.update(id, { input: to });
  }

  /** Resolves when no job is running (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.running.size) await Promise.all([...this.running.values()].map((r) => r.work));
  }

  /** The jobs running now, of every tenant, with their input files (what a stopping server says it waits for). */
  runningJobs(): { id: string; input: string }[] {
    return [...this.running].map(([id, r]) => ({ id, input: r.input }));
  }

  async artifact(id: string, which: 'result' | 'rejects'): Promise<JobArtifact | null> {
    const path = (await this.located(id, which))?.at;
    if (!path || !(await stat(path).catch(() => null))) return null;
    return {
      kind: 'stream',
      body: createReadStream(path),
      filename: basename(path),
      contentType: 'text/csv; charset=utf-8',
      csvRaw: this.opts.csvRaw,
    };
  }
}
