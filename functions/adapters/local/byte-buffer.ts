/**
 * Text encoded as UTF-8 into one growing buffer as it is produced: a worker's output lines and the decisions it
 * stages for the store. Each piece of text dies young instead of living (and being copied by the garbage
 * collector) until its chunk is sent. Its own ArrayBuffer, never Node's shared pool: a worker transfers it.
 */
export class ByteBuffer {
  private buf: Buffer;
  length = 0;

  constructor(capacity: number) {
    this.buf = Buffer.allocUnsafeSlow(Math.max(capacity, 1024));
  }

  write(text: string): void {
    // A UTF-16 code unit is at most 3 UTF-8 bytes: with that much room, one pass encodes the text.
    if (this.buf.length - this.length < text.length * 3) {
      const need = this.length + Buffer.byteLength(text);
      if (need > this.buf.length) {
        const grown = Buffer.allocUnsafeSlow(Math.max(need, this.buf.length * 2));
        this.buf.copy(grown, 0, 0, this.length);
        this.buf = grown;
      }
    }
    this.length += this.buf.write(text, this.length);
  }

  bytes(): Uint8Array {
    return this.buf.subarray(0, this.length);
  }
}
