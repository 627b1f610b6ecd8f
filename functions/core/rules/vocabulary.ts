/** The words the rules know, numbered, and the hash an item's tokens are looked up by. */

export const FNV_OFFSET = 0x811c9dc5;
export const FNV_PRIME = 0x01000193;

/** FNV-1a over the UTF-16 code units: what the matcher's tokenize computes for each token as it scans. */
function hashOf(word: string): number {
  let h = FNV_OFFSET;
  for (let i = 0; i < word.length; i++) h = Math.imul(h ^ word.charCodeAt(i), FNV_PRIME);
  return h;
}

/**
 * The words the rules know (entry, exclude and package words), numbered. An item's tokens are looked up here
 * by position and hash, so matching compares small integers and never slices the item's text.
 */
export class Vocabulary {
  readonly words: string[] = [];
  private slots = new Int32Array(1024);

  /** The id of a word, numbering it when new. */
  intern(word: string): number {
    const h = hashOf(word);
    const found = this.find(word, 0, word.length, h);
    if (found >= 0) return found;
    if ((this.words.length + 1) * 2 > this.slots.length) this.grow();
    this.words.push(word);
    this.place(this.words.length - 1, h);
    return this.words.length - 1;
  }

  /** The id of text[start, end) (hash: FNV-1a of its characters, as `intern` computes it), or -1. */
  find(text: string, start: number, end: number, hash: number): number {
    const mask = this.slots.length - 1;
    const length = end - start;
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const id = this.slots[slot] - 1;
      if (id < 0) return -1;
      const word = this.words[id];
      if (word.length === length && text.startsWith(word, start)) return id;
    }
  }

  private place(id: number, hash: number): void {
    const mask = this.slots.length - 1;
    let slot = hash & mask;
    while (this.slots[slot] !== 0) slot = (slot + 1) & mask;
    this.slots[slot] = id + 1;
  }

  private grow(): void {
    this.slots = new Int32Array(this.slots.length * 2);
    this.words.forEach((word, id) => this.place(id, hashOf(word)));
  }
}
