/** What every JobsService answers from the job store alone, whichever runtime runs the jobs. */
import type { JobRecord, JobStore, Page } from '../ports.ts';

export abstract class StoredJobs {
  constructor(protected readonly jobs: JobStore) {}

  get(id: string): Promise<JobRecord | null> {
    return this.jobs.get(id);
  }

  list(opts: { limit: number; cursor?: string }): Promise<Page<JobRecord>> {
    return this.jobs.list(opts);
  }

  /** The job and where its result or rejects file is (a path or a key), when the job records one. */
  protected async located(id: string, which: 'result' | 'rejects'): Promise<{ job: JobRecord; at: string } | null> {
    const job = await this.jobs.get(id);
    const at = which === 'result' ? job?.output : job?.rejects;
    return job && at ? { job, at } : null;
  }
}
