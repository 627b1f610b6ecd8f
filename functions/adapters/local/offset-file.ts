import { closeSync, ftruncateSync, openSync, writeSync } from 'node:fs';
import { UserError } from '../../core/errors.ts';

/** An output file written at explicit offsets, so a resume can cut it back to a checkpoint. */
export class OffsetFile {
  private readonly fd: number;
  position: number;

  constructor(path: string, truncateTo: number | null) {
    try {
      this.fd = openSync(path, truncateTo === null ? 'w' : 'r+');
    } catch (err) {
      throw new UserError(`cannot write ${path}: ${(err as Error).message}`);
    }
    this.position = truncateTo ?? 0;
    if (truncateTo !== null) ftruncateSync(this.fd, truncateTo);
  }

  write(text: string | Uint8Array): void {
    if (!text.length) return;
    const buf = typeof text === 'string' ? Buffer.from(text) : text;
    let done = 0;
    while (done < buf.length) done += writeSync(this.fd, buf, done, buf.length - done, this.position + done);
    this.position += buf.length;
  }

  close(): void {
    closeSync(this.fd);
  }
}
