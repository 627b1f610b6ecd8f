/**
 * The local index's items (key, class, name per slot) as JSON lines in one packed buffer (vector-index.ts): the
 * `items.jsonl` file as it lies, parsed only for the items a query returns or a class filter reads.
 */
import { writeSync } from 'node:fs';

export interface Slot {
  key: string;
  classId: string | null;
  name: string;
}

/**
 * Each slot's item as its JSON line's bytes in one growing buffer: no JS object per item. Each line is followed by
 * its newline in the buffer (a loaded file's are), so flush writes runs of adjacent lines as they lie.
 */
export class PackedLines {
  private text: Buffer;
  private used: number;
  private start: Uint32Array;
  private length: Uint32Array;
  /** Bytes of the live lines with their newlines: what the buffer would hold compacted. */
  private liveBytes = 0;
  count = 0;

  constructor(initial = Buffer.alloc(0)) {
    this.text = initial;
    this.used = initial.length;
    this.start = new Uint32Array(1024);
    this.length = new Uint32Array(1024);
  }

  /** Points slot `count` at bytes already in the buffer (a loaded file's line). */
  adopt(at: number, length: number) {
    this.reserve(this.count + 1);
    this.start[this.count] = at;
    this.length[this.count++] = length;
    if (length) this.liveBytes += length + 1;
  }

  set(slot: number, slotValue: Slot | null) {
    this.reserve(slot + 1);
    this.count = Math.max(this.count, slot + 1);
    if (this.length[slot]) this.liveBytes -= this.length[slot] + 1;
    if (!slotValue) {
      this.length[slot] = 0;
      return;
    }
    const line = `${JSON.stringify(slotValue)}\n`;
    const size = Buffer.byteLength(line, 'utf8');
    if (this.used + size > this.text.length) {
      const next = Buffer.allocUnsafe(Math.max(this.used + size, this.text.length * 2, 1 << 16));
      this.text.copy(next, 0, 0, this.used);
      this.text = next;
    }
    this.text.write(line, this.used, 'utf8');
    this.start[slot] = this.used;
    this.length[slot] = size - 1;
    this.used += size;
    this.liveBytes += size;
  }

  live(slot: number): boolean {
    return slot < this.count && this.length[slot] > 0;
  }

  get(slot: number): Slot | null {
    return this.live(slot) ? (JSON.parse(this.text.toString('utf8', this.start[slot], this.start[slot] + this.length[slot])) as Slot) : null;
  }

  /**
   * Writes the JSON lines file of every slot to `fd`, in slot order (`null` for a free one): runs of lines adjacent in
   * the buffer (a bulk load's, a loaded file's) one write each, with no copy of the whole. The buffer is compacted
   * first when replaced lines fill more than half of it.
   */
  writeTo(fd: number) {
    if (this.used > 2 * this.liveBytes + (1 << 20)) this.compact();
    const NULL = Buffer.from('null\n');
    for (let s = 0; s < this.count; ) {
      if (!this.length[s]) {
        writeSync(fd, NULL);
        s++;
        continue;
      }
      const from = this.start[s];
      let end = from + this.length[s] + 1;
      for (s++; s < this.count && this.length[s] && this.start[s] === end; s++) end += this.length[s] + 1;
      writeSync(fd, this.text, from, end - from);
    }
  }

  /** The live lines moved into a buffer of their own size, in slot order. */
  private compact() {
    const out = Buffer.allocUnsafe(this.liveBytes);
    let at = 0;
    for (let s = 0; s < this.count; s++) {
      const n = this.length[s];
      if (!n) continue;
      this.text.copy(out, at, this.start[s], this.start[s] + n + 1);
      this.start[s] = at;
      at += n + 1;
    }
    this.text = out;
    this.used = at;
  }

  private reserve(slots: number) {
    if (slots <= this.start.length) return;
    const grow = (a: Uint32Array) => {
      const next = new Uint32Array(Math.max(slots, a.length * 2));
      next.set(a);
      return next;
    };
    this.start = grow(this.start);
    this.length = grow(this.length);
  }
}

const KEY_FIRST = Buffer.from('{"key":"');

/**
 * The key of an items.jsonl line (`text[at, end)`), null for a free slot's. A line is JSON.stringify of a Slot, its
 * key first: read from between its quotes when it has no escape, else the line parsed (200k keys in 170–270 ms of CPU,
 * 440–590 parsed).
 */
export function keyOfLine(text: Buffer, at: number, end: number): string | null {
  if (text.compare(KEY_FIRST, 0, KEY_FIRST.length, at, Math.min(end, at + KEY_FIRST.length)) === 0) {
    const from = at + KEY_FIRST.length;
    let quote = from;
    while (quote < end && text[quote] !== 0x22 && text[quote] !== 0x5c) quote++;
    if (text[quote] === 0x22 && quote < end) return text.toString('utf8', from, quote);
  }
  return (JSON.parse(text.toString('utf8', at, end)) as Slot | null)?.key ?? null;
}
