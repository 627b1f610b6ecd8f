/**
 * BlobStore.compose on both adapters: a folder (concatenation) and S3 on moto_server (a multipart upload of real
 * UploadPartCopy parts, small sources read and uploaded with their neighbours). The composed bytes are the sources'
 * one after the other, and a missing source fails without touching the target.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buffer } from 'node:stream/consumers';
import { CreateBucketCommand, HeadObjectCommand, ListMultipartUploadsCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3BlobStore } from '../../functions/adapters/aws/s3.ts';
import { FolderBlobStore } from '../../functions/adapters/local/blob-store.ts';
import type { BlobStore } from '../../functions/ports.ts';
import { type Emulator, motoMissing, skipReason, startMoto } from '../support/emulators.ts';

const MB = 1024 * 1024;

/** A header and segments of these sizes: 6 MB is read with the header, 7 MB copied, 3 MB read with the 6 MB after it, 8 MB copied, 1 MB last. */
const SIZES = [0.0001, 6, 7, 3, 6, 8, 1].map((mb) => Math.round(mb * MB));

async function writeSources(store: BlobStore): Promise<{ keys: string[]; whole: Buffer }> {
  const bodies = SIZES.map((size) => randomBytes(size));
  const keys = bodies.map((_, i) => `outbox/j/work/finalize-p/segment ${i}.csv`); // a space: copy sources are URL-encoded
  for (const [i, key] of keys.entries()) await store.put(key, bodies[i]);
  return { keys, whole: Buffer.concat(bodies) };
}

describe('FolderBlobStore.compose', () => {
  const dir = mkdtempSync(join(tmpdir(), 'aisle-compose-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes the sources one after the other, and a missing source leaves the target as it was', async () => {
    const store = new FolderBlobStore(dir);
    const { keys, whole } = await writeSources(store);
    await store.compose('outbox/j/result.csv', keys);
    expect((await buffer((await store.get('outbox/j/result.csv'))!)).equals(whole)).toBe(true);
    await expect(store.compose('outbox/j/result.csv', [keys[0], 'outbox/j/work/missing.csv'])).rejects.toThrow(/ENOENT/);
    expect((await buffer((await store.get('outbox/j/result.csv'))!)).equals(whole)).toBe(true);
  });
});

const noMoto = skipReason(motoMissing());

describe.skipIf(noMoto)('S3BlobStore.compose on moto_server', () => {
  let moto: Emulator;
  const bucket = 'aisle-lake';
  beforeAll(async () => {
    moto = await startMoto();
    await moto.clients.s3.send(new CreateBucketCommand({ Bucket: bucket }));
  });
  afterAll(async () => {
    await moto?.stop();
  });

  it('copies large sources inside S3 and reads small ones with their neighbour', async () => {
    const s3 = moto.clients.s3;
    const commands: string[] = [];
    s3.middlewareStack.add(
      (next, context) => (args) => {
        commands.push(context.commandName ?? '');
        return next(args);
      },
      { step: 'initialize', name: 'recordCommands' },
    );
    const store = new S3BlobStore(s3, bucket);
    const { keys, whole } = await writeSources(store);
    commands.length = 0;
    await store.compose('outbox/j/result.csv', keys, 'text/csv');

    expect((await buffer((await store.get('outbox/j/result.csv'))!)).equals(whole)).toBe(true);
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'outbox/j/result.csv' }));
    expect(head.ContentType).toBe('text/csv');
    expect(head.ETag).toMatch(/-5"$/); // five parts: header + 6 MB, 7 MB, 3 MB + 6 MB, 8 MB, 1 MB
    expect(commands.filter((c) => c === 'UploadPartCopyCommand')).toHaveLength(2);
    expect(commands.filter((c) => c === 'UploadPartCommand')).toHaveLength(3);
    s3.middlewareStack.remove('recordCommands');
  });

  it('puts a result under 5 MiB in one request, and aborts on a missing source', async () => {
    const store = new S3BlobStore(moto.clients.s3, bucket);
    await store.put('small/a', 'sku,name\n');
    await store.put('small/b', '');
    await store.put('small/c', '1,x\n');
    await store.compose('small/out.csv', ['small/a', 'small/b', 'small/c']);
    expect((await buffer((await store.get('small/out.csv'))!)).toString()).toBe('sku,name\n1,x\n');

    const { keys } = await writeSources(store);
    await expect(store.compose('small/out.csv', [...keys, 'small/missing'])).rejects.toThrow();
    expect((await buffer((await store.get('small/out.csv'))!)).toString()).toBe('sku,name\n1,x\n');
    const uploads = await moto.clients.s3.send(new ListMultipartUploadsCommand({ Bucket: bucket }));
    expect(uploads.Uploads ?? []).toEqual([]);
  });
});
