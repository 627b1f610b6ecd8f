/**
 * Tokenizers in the Hugging Face `tokenizer.json` format.
 *
 * The project's own tokenizer is a WordPiece vocabulary built from normalized training texts: frequent whole
 * words, plus word-initial pieces and "##" continuation pieces so a word never seen in training still splits
 * into known subwords (and every character seen in training is a piece, so nothing but over-long words maps
 * to [UNK]). Text is normalized by core/normalize before tokenization, so the file needs no normalizer.
 *
 * Any tokenizer.json is loaded with @huggingface/tokenizers (WordPiece, Unigram, BPE, with their pre- and
 * post-processors). For the project's own layout (WhitespaceSplit + WordPiece, no post-processor) a fast path
 * produces the same ids without the library's per-call overhead; test/unit/encoder-tokenizer.test.ts proves
 * the two agree.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Tokenizer } from '@huggingface/tokenizers';

export const PAD_TOKEN = '[PAD]';
export const UNK_TOKEN = '[UNK]';
export const CONTINUATION_PREFIX = '##';
const MAX_INPUT_CHARS_PER_WORD = 100;

/** Words seen at least this often become one token; rarer words are split into pieces. */
const MIN_WORD_COUNT = 2;
/** Most whole-word tokens kept, most frequent first. */
const MAX_WORDS = 60_000;
/** Longest piece in characters (without "##"). */
const MAX_PIECE_LENGTH = 6;
/** A piece must occur in at least this many distinct words. */
const MIN_PIECE_WORDS = 3;
/** Most pieces kept (besides single characters), most frequent first. */
const MAX_PIECES = 20_000;
/**
 * Scripts written without spaces (Chinese, Japanese): a whitespace "word" is often a whole name glued together
 * ("サバ水煮缶190g"), so a word can start anywhere and a piece must occur in fewer words to be kept.
 */
const UNSPACED_SCRIPT = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]/u;
const MIN_UNSPACED_PIECE_WORDS = 2;

const byCountThenText = (a: [string, number], b: [string, number]) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);

/**
 * Builds a WordPiece tokenizer.json (the subset of the Hugging Face schema the fast path reads) from normalized
 * texts. Deterministic: same texts, same file.
 */
export function buildTokenizer(texts: Iterable<string>) {
  const { wordCounts, chars, pieceWords } = countWordsAndPieces(texts);

  const vocab: Record<string, number> = Object.create(null);
  let next = 0;
  const add = (token: string) => {
    if (!(token in vocab)) vocab[token] = next++;
  };
  add(PAD_TOKEN);
  add(UNK_TOKEN);
  for (const c of [...chars].sort()) {
    add(c);
    add(CONTINUATION_PREFIX + c);
  }
  const words = [...wordCounts]
    .filter(([, n]) => n >= MIN_WORD_COUNT)
    .sort(byCountThenText)
    .slice(0, MAX_WORDS);
  for (const [word] of words) add(word);
  const pieces = [...pieceWords]
    .filter(([piece, n]) => n >= (UNSPACED_SCRIPT.test(piece) ? MIN_UNSPACED_PIECE_WORDS : MIN_PIECE_WORDS))
    .sort(byCountThenText)
    .slice(0, MAX_PIECES);
  for (const [piece] of pieces) add(piece);

  const special = (content: string) => ({
    id: vocab[content],
    content,
    single_word: false,
    lstrip: false,
    rstrip: false,
    normalized: false,
    special: true,
  });
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: [special(PAD_TOKEN), special(UNK_TOKEN)],
    normalizer: null,
    pre_tokenizer: { type: 'WhitespaceSplit' },
    post_processor: null,
    decoder: { type: 'WordPiece', prefix: CONTINUATION_PREFIX, cleanup: true },
    model: {
      type: 'WordPiece',
      unk_token: UNK_TOKEN,
      continuing_subword_prefix: CONTINUATION_PREFIX,
      max_input_chars_per_word: MAX_INPUT_CHARS_PER_WORD,
      vocab,
    },
  };
}

/** A batch of encoded texts, row-major [batch, seq], ready to be fed to an ONNX session. */
export interface EncodedBatch {
  batch: number;
  seq: number;
  inputIds: BigInt64Array;
  attentionMask: BigInt64Array;
}

// The fields of a tokenizer.json this module reads; anything else is left to the library.
interface AnyTokenizerJson {
  normalizer?: unknown;
  pre_tokenizer?: { type?: string } | null;
  post_processor?: unknown;
  padding?: { pad_id?: number } | null;
  added_tokens?: { id: number; content: string }[];
  model?: { type?: string; vocab?: unknown; unk_token?: string; continuing_subword_prefix?: string; max_input_chars_per_word?: number };
}

export class TokenizerError extends Error {}

/**
 * A loaded tokenizer.json: the library tokenizer, plus the fast path when the file has the project's layout.
 */
export class TextTokenizer {
  /** The maintained library's tokenizer built from the same file (the reference for the fast path). */
  readonly library: Tokenizer;
  readonly padId: number;
  /** True when ids come from the fast WordPiece path (identical to the library's by construction and test). */
  readonly fast: boolean;
  private readonly vocab: Map<string, number> | null = null;
  private readonly unkId: number = 0;
  private readonly prefix: string = CONTINUATION_PREFIX;
  private readonly maxChars: number = MAX_INPUT_CHARS_PER_WORD;
  private readonly wordCache = new Map<string, number[]>();

  private constructor(readonly json: AnyTokenizerJson) {
    try {
      this.library = new Tokenizer(json, {});
    } catch (err) {
      throw new TokenizerError(`tokenizer.json cannot be loaded: ${(err as Error).message}`);
    }
    const vocab = this.library.get_vocab(true);
    this.padId = json.padding?.pad_id ?? vocab.get(PAD_TOKEN) ?? vocab.get('<pad>') ?? 0;
    const model = json.model;
    this.fast =
      !json.normalizer &&
      json.pre_tokenizer?.type === 'WhitespaceSplit' &&
      !json.post_processor &&
      model?.type === 'WordPiece' &&
      typeof model.unk_token === 'string' &&
      vocab.has(model.unk_token) &&
      (json.added_tokens ?? []).every((t) => /^\[[A-Z]+\]$/.test(t.content));
    if (this.fast && model) {
      this.vocab = new Map(Object.entries(model.vocab as Record<string, number>));
      this.unkId = this.vocab.get(model.unk_token!)!;
      this.prefix = model.continuing_subword_prefix ?? CONTINUATION_PREFIX;
      this.maxChars = model.max_input_chars_per_word ?? MAX_INPUT_CHARS_PER_WORD;
    }
  }

  static fromJson(json: object): TextTokenizer {
    const model = (json as AnyTokenizerJson).model;
    if (!model || typeof model !== 'object' || !model.type) throw new TokenizerError('tokenizer.json has no "model" section');
    return new TextTokenizer(json as AnyTokenizerJson);
  }

  static async load(dir: string): Promise<TextTokenizer> {
    const file = join(dir, 'tokenizer.json');
    const text = await readFile(file, 'utf8').catch((err: Error) => {
      throw new TokenizerError(`cannot read ${file}: ${err.message}`);
    });
    try {
      return TextTokenizer.fromJson(JSON.parse(text));
    } catch (err) {
      if (err instanceof TokenizerError) throw new TokenizerError(`${file}: ${err.message}`);
      throw new TokenizerError(`${file} is not valid JSON: ${(err as Error).message}`);
    }
  }

  /** Token ids of one (already normalized) text, special tokens included as the file's post-processor adds them. */
  encode(text: string): number[] {
    if (!this.fast) return this.library.encode(text).ids;
    const ids: number[] = [];
    for (const word of text.split(/\s+/)) if (word) for (const id of this.wordIds(word)) ids.push(id);
    return ids;
  }

  /** Same ids as encode(), always through the library (used to validate the fast path). */
  encodeWithLibrary(text: string): number[] {
    return this.library.encode(text).ids;
  }

  /**
   * Encodes texts into one padded batch. Rows longer than maxLength are truncated; seq is the longest row
   * (at least minLength, so graphs that look at token pairs always have a pair to look at).
   */
  encodeBatch(texts: string[], maxLength: number, minLength = 2): EncodedBatch {
    const rows = texts.map((t) => {
      const ids = this.encode(t);
      return ids.length > maxLength ? ids.slice(0, maxLength) : ids;
    });
    let seq = minLength;
    for (const r of rows) if (r.length > seq) seq = r.length;
    const batch = rows.length;
    const inputIds = new BigInt64Array(batch * seq);
    const attentionMask = new BigInt64Array(batch * seq);
    // int64 written as two little-endian int32 halves: ids are small and non-negative, so the high half is 0.
    const ids32 = new Int32Array(inputIds.buffer);
    const mask32 = new Int32Array(attentionMask.buffer);
    for (let b = 0; b < batch; b++) {
      const row = rows[b];
      const base = b * seq;
      for (let t = 0; t < seq; t++) {
        const at = 2 * (base + t);
        if (t < row.length) {
          ids32[at] = row[t];
          mask32[at] = 1;
        } else {
          ids32[at] = this.padId;
        }
      }
    }
    return { batch, seq, inputIds, attentionMask };
  }

  // HF WordPiece: greedy longest match first; a word with any unmatched part is [UNK] as a whole.
  private wordIds(word: string): number[] {
    const cached = this.wordCache.get(word);
    if (cached) return cached;
    const vocab = this.vocab!;
    let out: number[];
    const whole = vocab.get(word);
    if (whole !== undefined && word.length <= this.maxChars) {
      out = [whole];
    } else {
      const chars = [...word];
      out = [];
      if (chars.length > this.maxChars) out.push(this.unkId);
      else {
        let start = 0;
        while (start < chars.length) {
          let end = chars.length;
          let found: number | undefined;
          while (start < end) {
            const sub = (start > 0 ? this.prefix : '') + chars.slice(start, end).join('');
            found = vocab.get(sub);
            if (found !== undefined) break;
            end--;
          }
          if (found === undefined) {
            out = [this.unkId];
            break;
          }
          out.push(found);
          start = end;
        }
      }
    }
    if (this.wordCache.size < 200_000) this.wordCache.set(word, out);
    return out;
  }
}

/** Counts each word's occurrences, the characters seen, and for each candidate piece the number of distinct words holding it. */
function countWordsAndPieces(texts: Iterable<string>) {
  const wordCounts = new Map<string, number>();
  for (const text of texts) {
    for (const word of text.split(/\s+/)) if (word) wordCounts.set(word, (wordCounts.get(word) ?? 0) + 1);
  }
  const chars = new Set<string>();
  const pieceWords = new Map<string, number>();
  for (const word of wordCounts.keys()) {
    const cs = [...word];
    for (const c of cs) chars.add(c);
    if (cs.length > MAX_INPUT_CHARS_PER_WORD) continue;
    const seen = new Set<string>();
    const count = (piece: string) => {
      if (seen.has(piece)) return;
      seen.add(piece);
      pieceWords.set(piece, (pieceWords.get(piece) ?? 0) + 1);
    };
    for (let start = 0; start < cs.length; start++) {
      for (let len = 2; len <= MAX_PIECE_LENGTH && start + len <= cs.length; len++) {
        const sub = cs.slice(start, start + len).join('');
        // In unspaced scripts a piece inside a word may start the next name ("冷凍餃子" alone or in "味の素冷凍餃子"): both forms count.
        if (UNSPACED_SCRIPT.test(sub)) {
          count(sub);
          count(CONTINUATION_PREFIX + sub);
        } else count((start > 0 ? CONTINUATION_PREFIX : '') + sub);
      }
    }
  }
  return { wordCounts, chars, pieceWords };
}
