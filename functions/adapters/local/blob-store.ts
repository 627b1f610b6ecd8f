import { createReadStream, createWriteStream } from 'node:fs';
import { access, mkdir, open, readdir, rename, stat, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { BlobHead, BlobStore } from '../../ports.ts';

/** A folder as the bucket: keys are relative paths under the root ("outbox/job1/out.csv"). */
export class FolderBlobStore implements BlobStore {
  readonly root: string;

  constructor(root: string) {
    this.root = resolve(root);
  }

  private pathOf(key: string): string {
    const path = resolve(this.root, key);
    if (path !== this.root && !path.startsWith(this.root + sep)) throw new Error(`blob key escapes the store: ${key}`);
    return path;
  }

  async put(key: string, body: string | Uint8Array | Readable): Promise<void> {
    const path = this.pathOf(key);
    await mkdir(dirname(path), { recursive: true });
    if (body instanceof Readable) await pipeline(body, createWriteStream(path));
    else await writeFile(path, body);
  }

  async get(key: string): Promise<Readable | null> {
    const path = this.pathOf(key);
    return (await this.exists(key)) ? createReadStream(path) : null;
  }

  async exists(key: string): Promise<boolean> {
    try {
      await access(this.pathOf(key));
      return true;
    } catch {
      return false;
    }
  }

  /** A file has no user metadata. */
  async head(key: string): Promise<BlobHead | null> {
    const found = await stat(this.pathOf(key)).catch(() => null);
    return found?.isFile() ? { size: found.size, metadata: {} } : null;
  }

  async getRange(key: string, start: number, end: number): Promise<Uint8Array> {
    const file = await open(this.pathOf(key), 'r');
    try {
      const bytes = Buffer.alloc(Math.max(0, end - start));
      const { bytesRead } = await file.read(bytes, 0, bytes.length, start);
      return bytes.subarray(0, bytesRead);
    } finally {
      await file.close();
    }
  }

  /** Concatenation into a file beside the target, renamed over it when whole (a reader never sees half of it). */
  async compose(key: string, sources: string[]): Promise<void> {
    const path = this.pathOf(key);
    await mkdir(dirname(path), { recursive: true });
    const partial = `${path}.composing`;
    const paths = sources.map((source) => this.pathOf(source));
    async function* bytes() {
      for (const source of paths) yield* createReadStream(source);
    }
    await pipeline(bytes(), createWriteStream(partial));
    await rename(partial, path);
  }

  /** Keys under a prefix, sorted. */
  async list(prefix: string): Promise<string[]> {
    const base = this.pathOf(prefix.includes('/') ? prefix.slice(0, prefix.lastIndexOf('/') + 1) : '');
    const entries = await readdir(base, { recursive: true, withFileTypes: true }).catch(() => []);
    return entries
      .filter((e) => !e.isDirectory())
      .map((e) => relative(this.root, join(e.parentPath, e.name)).split(sep).join('/'))
      .filter((key) => key.startsWith(prefix))
      .sort();
  }
}
