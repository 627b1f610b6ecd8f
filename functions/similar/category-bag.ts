/**
 * The project's own fastText-style bag (functions/model/bag.ts) trained on a catalog's own categories: a part of
 * the category model (category-model.ts) beside the regression and the names' vote. It sees what the regression
 * does not: hashed character 3–5-grams of each token (so "choc" and "chocolate" share evidence), WordPiece pieces
 * of words it never saw whole, and token dropout. Scored in process from the folded tables (no ONNX).
 */
import { normalizeText } from '../core/normalize.ts';
import { type BagConfig, type BagModel, bagLogits, DEFAULT_BAG_CONFIG, headFlagsOf, trainBag } from '../model/bag.ts';
import { buildTokenizer, CONTINUATION_PREFIX, TextTokenizer, UNK_TOKEN } from '../model/tokenizer.ts';

/** The bag's settings for a catalog's categories: the encoder's, fewer n-gram buckets (a catalog, not a taxonomy). */
export const CATEGORY_BAG_CONFIG: BagConfig = { ...DEFAULT_BAG_CONFIG, ngramBuckets: 200_000, pairBuckets: 100_000, epochs: 15 };

/**
 * Fewest SGD steps a fit takes (more passes over a small catalog): 15 passes over 32 labelled names (480 steps)
 * left the bag unable to file a third of its own training names.
 */
const MIN_STEPS = 150_000;

/** A fitted bag as plain data (inside CategoryModelData: structured clone, v8 serialization). */
export interface CategoryBagData {
  model: BagModel;
  /** The tokenizer.json it was fitted with. */
  tokenizer: object;
  maxTokens: number;
}

export class CategoryBag {
  private constructor(
    private readonly model: BagModel,
    private readonly tokenizer: TextTokenizer,
    private readonly maxTokens: number,
  ) {}

  /** Fits the bag on names and their category index (0 … classes − 1); the same rows and seed give the same bag. */
  static fit(names: string[], targets: number[], classes: number, cfg: BagConfig = CATEGORY_BAG_CONFIG, seed = 1): CategoryBag {
    const texts = names.map((n) => normalizeText(n));
    const json = buildTokenizer(texts);
    const tokenizer = TextTokenizer.fromJson(json);
    const tokens: string[] = [];
    for (const [token, id] of Object.entries(json.model.vocab)) tokens[id] = token;
    const encode = (t: string) => Int32Array.from(tokenizer.encode(t).slice(0, cfg.maxTokens));
    const model = trainBag(
      {
        ids: texts.map(encode),
        labels: Int32Array.from(targets),
        classes,
        tokens,
        unknownFlags: Float32Array.from(tokens, (t) => (t.startsWith(CONTINUATION_PREFIX) || t === UNK_TOKEN ? 1 : 0)),
        headFlags: headFlagsOf(tokens),
      },
      { ...cfg, epochs: Math.max(cfg.epochs, Math.ceil(MIN_STEPS / Math.max(names.length, 1))) },
      seed,
    );
    // Not folded into class scores (bag.ts foldLinearHead): rows of `dim` numbers and one dim × classes product per
    // name keep a tenant's bag at a few MB where 131 classes would make each pair bucket's row 131 numbers.
    return new CategoryBag(model, tokenizer, cfg.maxTokens);
  }

  data(): CategoryBagData {
    return { model: this.model, tokenizer: this.tokenizer.json, maxTokens: this.maxTokens };
  }

  static fromData(data: CategoryBagData): CategoryBag {
    return new CategoryBag(data.model, TextTokenizer.fromJson(data.tokenizer), data.maxTokens);
  }

  /** The bag's logits for a name (one per category, in the order of the targets it was fitted on). */
  logits(name: string): Float32Array {
    return bagLogits(this.model, this.tokenizer.encode(normalizeText(name)).slice(0, this.maxTokens));
  }
}
