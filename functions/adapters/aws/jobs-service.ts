import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { DEFAULT_TENANT } from '../../core/api-keys.ts';
import { type ReadOptions, toObjectMetadata } from '../../core/input/read-options.ts';
import { newJobId, uploadKey } from '../../core/job-ids.ts';
import { StoredJobs } from '../../pipeline/stored-jobs.ts';
import type { JobArtifact, JobStore, JobsService, PresignedUpload } from '../../ports.ts';

export interface S3JobsServiceOptions {
  s3: S3Client;
  jobs: JobStore;
  inboxBucket: string;
  lakeBucket: string;
}

/** Lifetime of presigned URLs, seconds. */
const EXPIRES_IN = 900;

/**
 * Jobs on AWS as the API sees them: the client PUTs its CSV to a presigned inbox URL (the ingest handler takes
 * it from there, keeping the job id in the key), and downloads results through presigned GETs of the outbox.
 */
export class S3JobsService extends StoredJobs implements JobsService {
  constructor(
    private readonly opts: S3JobsServiceOptions,
    readonly tenant = DEFAULT_TENANT,
  ) {
    super(opts.jobs.forTenant(tenant));
  }

  forTenant(tenant: string): S3JobsService {
    return new S3JobsService(this.opts, tenant);
  }

  /** `options` become the object's metadata, signed into the URL: the client sends them as the headers listed, or S3 refuses the PUT. */
  async createUpload(filename: string, options: ReadOptions = {}): Promise<PresignedUpload> {
    const now = new Date();
    const jobId = newJobId(now);
    const key = uploadKey(this.tenant, jobId, filename);
    const metadata = toObjectMetadata(options);
    const metaHeaders = Object.fromEntries(Object.entries(metadata).map(([k, v]) => [`x-amz-meta-${k}`, v]));
    const headers: Record<string, string> = { 'content-type': 'text/csv', ...metaHeaders };
    const url = await getSignedUrl(
      this.opts.s3,
      new PutObjectCommand({ Bucket: this.opts.inboxBucket, Key: key, ContentType: headers['content-type'], Metadata: metadata }),
      // Signed as headers, not hoisted into the query string: the upload cannot drop or change them.
      { expiresIn: EXPIRES_IN, unhoistableHeaders: new Set(Object.keys(metaHeaders)) },
    );
    // Recorded now so GET /v1/jobs/{id} answers "queued" until the upload is read.
    await this.jobs.create({ id: jobId, input: `s3://${this.opts.inboxBucket}/${key}`, status: 'queued' });
    return { jobId, method: 'PUT', url, headers, expiresAt: new Date(now.getTime() + EXPIRES_IN * 1000).toISOString() };
  }

  async artifact(id: string, which: 'result' | 'rejects'): Promise<JobArtifact | null> {
    const found = await this.located(id, which);
    const ended = found?.job.status === 'done' || found?.job.status === 'partial';
    if (!found || (which === 'result' && !ended)) return null;
    try {
      await this.opts.s3.send(new HeadObjectCommand({ Bucket: this.opts.lakeBucket, Key: found.at }));
    } catch {
      return null;
    }
    const filename = `${id}-${which}.csv`;
    const url = await getSignedUrl(
      this.opts.s3,
      new GetObjectCommand({ Bucket: this.opts.lakeBucket, Key: found.at, ResponseContentDisposition: `attachment; filename="${filename}"` }),
      { expiresIn: EXPIRES_IN },
    );
    return { kind: 'redirect', url };
  }
}
