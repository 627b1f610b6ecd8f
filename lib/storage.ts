import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

/** Prefixes of the lake bucket (names fixed for every runtime; see HELPERS/ARCHITECTURE). */
export const LAKE_PREFIXES = {
  outbox: 'outbox/',
  results: 'results/',
  models: 'models/',
  exports: 'exports/',
  athenaResults: 'athena-results/',
} as const;

export const INBOX_PREFIX = 'inbox/';

/**
 * The three buckets: the inbox (CSV drop zone), the lake (outbox, results, models, exports, Athena results)
 * and the access-log bucket both write their server access logs to. All TLS-only, private, encrypted; data
 * buckets are retained on stack deletion.
 */
export class Storage extends Construct {
  readonly inbox: s3.Bucket;
  readonly lake: s3.Bucket;
  readonly accessLogs: s3.Bucket;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    const common = {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      encryption: s3.BucketEncryption.S3_MANAGED,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      removalPolicy: RemovalPolicy.RETAIN,
    } satisfies s3.BucketProps;

    // Server access logs cannot be delivered to a KMS-encrypted bucket: S3-managed keys here.
    this.accessLogs = new s3.Bucket(this, 'AccessLogs', {
      ...common,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
      lifecycleRules: [
        { id: 'expire-access-logs', expiration: Duration.days(365) },
        { id: 'abort-incomplete-uploads', abortIncompleteMultipartUploadAfter: Duration.days(1) },
      ],
    });

    this.inbox = new s3.Bucket(this, 'Inbox', {
      ...common,
      serverAccessLogsBucket: this.accessLogs,
      serverAccessLogsPrefix: 'inbox/',
      lifecycleRules: [
        // An uploaded CSV has been processed long before it expires.
        { id: 'expire-processed-uploads', prefix: INBOX_PREFIX, expiration: Duration.days(30) },
        { id: 'abort-incomplete-uploads', abortIncompleteMultipartUploadAfter: Duration.days(1) },
      ],
    });

    // Versioned: a promoted model or a results file overwritten by mistake can be recovered.
    this.lake = new s3.Bucket(this, 'Lake', {
      ...common,
      versioned: true,
      serverAccessLogsBucket: this.accessLogs,
      serverAccessLogsPrefix: 'lake/',
      lifecycleRules: [
        { id: 'abort-incomplete-uploads', abortIncompleteMultipartUploadAfter: Duration.days(1) },
        { id: 'expire-old-versions', noncurrentVersionExpiration: Duration.days(90) },
        {
          id: 'tier-old-results',
          prefix: LAKE_PREFIXES.results,
          transitions: [{ storageClass: s3.StorageClass.INTELLIGENT_TIERING, transitionAfter: Duration.days(30) }],
        },
        { id: 'expire-outbox', prefix: LAKE_PREFIXES.outbox, expiration: Duration.days(90) },
        { id: 'expire-exports', prefix: LAKE_PREFIXES.exports, expiration: Duration.days(180) },
        { id: 'expire-athena-results', prefix: LAKE_PREFIXES.athenaResults, expiration: Duration.days(30) },
      ],
    });
  }
}
