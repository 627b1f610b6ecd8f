import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat, SourceMapMode } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

/** The Lambda entry files (names fixed for every branch: functions/handlers/<name>.ts). */
export const HANDLERS = [
  'ingest',
  'classify',
  'finalize',
  'dead-letters',
  'api',
  'authorizer',
  'shoppers',
  'retrain-export',
  'retrain-evaluate',
  'retrain-promote',
  'category-fit',
] as const;
export type HandlerName = (typeof HANDLERS)[number];

export const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));
export const handlerEntry = (name: HandlerName): string => fileURLToPath(new URL(`../functions/handlers/${name}.ts`, import.meta.url));

export const LAMBDA_RUNTIME = lambda.Runtime.NODEJS_24_X;
export const SERVICE_NAME = 'aisle';
/** The handlers' CloudWatch metrics namespace (POWERTOOLS_METRICS_NAMESPACE), which the dashboard reads. */
export const METRICS_NAMESPACE = 'Aisle';

/**
 * esbuild options shared by the CDK bundling and bench/bundle-sizes.ts, so the measured sizes are the
 * shipped ones. ESM output (top-level await allowed) with a `require` shim for CommonJS dependencies;
 * the AWS SDK v3 is left out (the Node.js runtime provides it), and esbuild (functions/api/ui/build.ts imports
 * it on use only; a Lambda is given the built inspector). onnxruntime-node is never reachable
 * from a Lambda entry (the encoder runs on SageMaker there).
 */
export const BUNDLING = {
  target: 'node24',
  format: 'esm',
  externalModules: ['@aws-sdk/*', 'esbuild'],
  banner: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
  mainFields: ['module', 'main'],
} as const;

/** A log group deleted with the stack, keeping its events for `retention`. */
export const stackLogGroup = (scope: Construct, id: string, retention: logs.RetentionDays, props: logs.LogGroupProps = {}) =>
  new logs.LogGroup(scope, id, { ...props, retention, removalPolicy: RemovalPolicy.DESTROY });

export interface HandlerFunctionProps {
  readonly name: HandlerName;
  readonly description: string;
  readonly environment: Record<string, string>;
  readonly timeout: Duration;
  readonly memorySize?: number;
  /**
   * Folders the code reads at run time next to its module (`new URL('./x/', import.meta.url)`), copied
   * into the bundle: repository path → path inside the bundle.
   */
  readonly bundleFolders?: Record<string, string>;
  /** Shell commands run after esbuild, given the repository and the bundle's folder (files built into the bundle). */
  readonly bundleCommands?: (inputDir: string, outputDir: string) => string[];
}

/**
 * One Lambda handler: arm64, Node 22, esbuild-bundled, X-Ray active, Powertools configured, its own log
 * group with a retention, and its own role that may write only to that log group (grants are added by the
 * caller, resource by resource).
 */
export class HandlerFunction extends Construct {
  readonly fn: NodejsFunction;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;

  /** Long on purpose: one NodejsFunction declaration, most of it esbuild bundling options; role and log group before it. */
  constructor(scope: Construct, id: string, props: HandlerFunctionProps) {
    super(scope, id);
    const entry = handlerEntry(props.name);
    if (!existsSync(entry)) {
      throw new Error(`Lambda entry ${entry} is missing: every handler in HANDLERS must exist (functions/handlers/<name>.ts).`);
    }
    this.logGroup = stackLogGroup(this, 'Logs', logs.RetentionDays.ONE_MONTH);
    // A role without the AWS-managed basic execution policy: log writes scoped to this function's group.
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Aisle ${props.name} handler`,
    });
    this.role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [this.logGroup.logGroupArn],
      }),
    );
    this.fn = new NodejsFunction(this, 'Function', {
      entry,
      description: props.description,
      runtime: LAMBDA_RUNTIME,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout,
      tracing: lambda.Tracing.ACTIVE,
      role: this.role,
      logGroup: this.logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      projectRoot: REPO_ROOT,
      depsLockFilePath: fileURLToPath(new URL('../package-lock.json', import.meta.url)),
      environment: {
        POWERTOOLS_SERVICE_NAME: SERVICE_NAME,
        POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
        NODE_OPTIONS: '--enable-source-maps',
        ...props.environment,
      },
      bundling: {
        minify: true,
        sourceMap: true,
        sourceMapMode: SourceMapMode.DEFAULT,
        sourcesContent: false,
        target: BUNDLING.target,
        format: OutputFormat.ESM,
        mainFields: [...BUNDLING.mainFields],
        banner: BUNDLING.banner,
        externalModules: [...BUNDLING.externalModules],
        commandHooks: (props.bundleFolders || props.bundleCommands) && {
          beforeBundling: () => [],
          beforeInstall: () => [],
          afterBundling: (inputDir: string, outputDir: string) => [
            ...Object.entries(props.bundleFolders ?? {}).map(([from, to]) => `cp -R "${inputDir}/${from}" "${outputDir}/${to}"`),
            ...(props.bundleCommands?.(inputDir, outputDir) ?? []),
          ],
        },
      },
    });
    Validations.of(this.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'X-Ray tracing: xray:PutTraceSegments and xray:PutTelemetryRecords support no resource-level permissions.',
    });
  }
}
