/**
 * AWS emulators for tests, each on 127.0.0.1 and an ephemeral port: dynalite (DynamoDB), s3rver (S3) and
 * local-aws-sqs (SQS) in-process; moto_server as a child process when it is on PATH.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo, Server } from 'node:net';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient, UpdateTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import { type AwsClients, type ClientOptions, makeClients } from '../../functions/adapters/aws/clients.ts';

export const TEST_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
export const TEST_REGION = 'us-east-1';

export interface Emulator {
  endpoint: string;
  clients: AwsClients;
  options: ClientOptions;
  stop(): Promise<void>;
}

function clientOptions(endpoint: string): ClientOptions {
  return { endpoint, region: TEST_REGION, credentials: TEST_CREDENTIALS };
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

export async function startDynalite(): Promise<Emulator> {
  const { default: dynalite } = (await import('dynalite')) as unknown as { default: (o: object) => Server };
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  const port = await listen(server);
  const endpoint = `http://127.0.0.1:${port}`;
  return { endpoint, options: clientOptions(endpoint), clients: makeClients(clientOptions(endpoint)), stop: () => close(server) };
}

export async function startS3rver(buckets: string[]): Promise<Emulator> {
  const { default: S3rver } = (await import('s3rver')) as unknown as {
    default: new (o: object) => { run(): Promise<AddressInfo>; close(): Promise<void> };
  };
  const directory = mkdtempSync(join(tmpdir(), 'aisle-s3rver-'));
  const s3rver = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory, configureBuckets: buckets.map((name) => ({ name })) });
  const { port } = await s3rver.run();
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    endpoint,
    options: clientOptions(endpoint),
    clients: makeClients(clientOptions(endpoint)),
    stop: async () => {
      await s3rver.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}

export async function startLocalSqs(): Promise<Emulator> {
  const { createSqsServer } = await import('local-aws-sqs');
  const port = await freePort();
  const server = await createSqsServer({ port, hostname: '127.0.0.1', emulateQueueCreationLifecycle: false });
  const endpoint = `http://127.0.0.1:${port}`;
  return { endpoint, options: clientOptions(endpoint), clients: makeClients(clientOptions(endpoint)), stop: () => close(server) };
}

export async function freePort(): Promise<number> {
  const probe = createServer();
  const port = await listen(probe);
  await close(probe);
  return port;
}

/** Why moto_server cannot be used here, or null when it can. */
export function motoMissing(): string | null {
  const probe = spawnSync('moto_server', ['--help'], { stdio: 'ignore' });
  return probe.error || probe.status !== 0 ? 'moto_server is not on PATH (pip install "moto[server]")' : null;
}

/** Under AISLE_REQUIRE_ALL=1 a missing tool fails the test instead of skipping it. */
export function skipReason(reason: string | null): string | null {
  if (reason && process.env.AISLE_REQUIRE_ALL === '1') throw new Error(`${reason}; required because AISLE_REQUIRE_ALL=1`);
  if (reason) console.warn(`skipped: ${reason}`);
  return reason;
}

export async function startMoto(): Promise<Emulator> {
  const port = await freePort();
  const child: ChildProcess = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  const endpoint = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`moto_server exited (${child.exitCode}): ${stderr}`);
    try {
      const res = await fetch(`${endpoint}/moto-api/`);
      if (res.ok || res.status < 500) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill();
      throw new Error(`moto_server did not start within 30 s: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    endpoint,
    options: clientOptions(endpoint),
    clients: makeClients(clientOptions(endpoint)),
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** The single table as lib/table.ts fixes it: pk/sk, GSI gsi1 (gsi1pk/gsi1sk, projection ALL), TTL on expiresAt when supported. */
export async function createTable(options: ClientOptions, name: string, withTtl: boolean): Promise<void> {
  const db = new DynamoDBClient(options);
  await db.send(
    new CreateTableCommand({
      TableName: name,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
        { AttributeName: 'gsi1pk', AttributeType: 'S' },
        { AttributeName: 'gsi1sk', AttributeType: 'S' },
      ],
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: [
        {
          IndexName: 'gsi1',
          KeySchema: [
            { AttributeName: 'gsi1pk', KeyType: 'HASH' },
            { AttributeName: 'gsi1sk', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        },
      ],
    }),
  );
  for (let i = 0; i < 100; i++) {
    const out = await db.send(new DescribeTableCommand({ TableName: name }));
    if (out.Table?.TableStatus === 'ACTIVE') break;
    await new Promise((r) => setTimeout(r, 20));
  }
  if (withTtl) {
    await db.send(new UpdateTimeToLiveCommand({ TableName: name, TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true } }));
  }
  db.destroy();
}
