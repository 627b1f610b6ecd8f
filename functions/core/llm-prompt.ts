/**
 * The LLM tier's prompt and answer contract, pure: a system prompt built from the taxonomy and few-shot
 * examples taken from data, a numbered list of products per request, a JSON schema for Ollama's `format`
 * (one entry per product number, class ids as an enum) and a zod check of the answer, since a model may
 * still answer outside the schema (older servers ignore `format`, a truncated reply is not JSON).
 */
import { z } from 'zod';
import type { LlmItem } from '../ports.ts';
import type { Taxonomy } from './taxonomy.ts';

/** What the model answers when it cannot tell; such items go to review with no label. */
export const UNKNOWN_ANSWER = 'unknown';

/** A labelled product text used as a few-shot example, with where it came from. */
export interface FewShotExample {
  text: string;
  classId: string;
  source: 'human' | 'catalog' | 'rules';
}

/** Human labels are the best examples, then the starter catalog, then rule phrases and keywords. */
const SOURCE_RANK: Record<FewShotExample['source'], number> = { human: 0, catalog: 1, rules: 2 };

/**
 * Picks up to `perClass` examples for each leaf of the taxonomy: best source first, then in the order given,
 * skipping duplicate texts and classes the taxonomy does not know. Deterministic for the same input.
 */
export function selectFewShot(taxonomy: Taxonomy, examples: FewShotExample[], perClass = 3): Map<string, FewShotExample[]> {
  const ranked = examples.map((e, i) => ({ e, i })).sort((a, b) => SOURCE_RANK[a.e.source] - SOURCE_RANK[b.e.source] || a.i - b.i);
  const out = new Map<string, FewShotExample[]>(taxonomy.leaves.map((c) => [c.id, []]));
  const seen = new Set<string>();
  for (const { e } of ranked) {
    const text = e.text.trim().replace(/\s+/g, ' ');
    const list = out.get(e.classId);
    if (!text || !list || list.length >= perClass || seen.has(text.toLowerCase())) continue;
    seen.add(text.toLowerCase());
    list.push({ ...e, text });
  }
  return out;
}

/** A chat message as Ollama's /api/chat takes it. */
export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

/** One item's parsed answer: a taxonomy class id, or null when the model said it cannot tell. */
export interface ParsedAnswer {
  classId: string | null;
  confidence: number;
}

export interface ParsedReply {
  /** Parallel to the items asked; undefined where the answer was missing or invalid. */
  answers: (ParsedAnswer | undefined)[];
  /** Why each invalid item was rejected, by position (0-based). */
  problems: Map<number, string>;
}

const entrySchema = z.object({
  classId: z.string(),
  // Ollama's grammar always emits it; tolerated when absent because it does not change the label.
  confidence: z.number().min(0).max(1).optional(),
});

export class LlmPrompt {
  readonly system: string;
  /** Class ids the model may answer: the taxonomy's leaves and "unknown". */
  readonly allowed: string[];
  private readonly allowedSet: Set<string>;

  constructor(
    private readonly taxonomy: Taxonomy,
    examples: FewShotExample[] = [],
    perClass = 3,
  ) {
    this.allowed = [...taxonomy.leaves.map((c) => c.id), UNKNOWN_ANSWER];
    this.allowedSet = new Set(this.allowed);
    const fewShot = selectFewShot(taxonomy, examples, perClass);
    const lines = taxonomy.leaves.map((c) => {
      const shots = fewShot.get(c.id) ?? [];
      const eg = shots.length ? ` Examples: ${shots.map((s) => `"${s.text}"`).join('; ')}.` : '';
      return `- ${c.id} (${c.label}): ${c.description}${eg}`;
    });
    this.system = [
      `You sort retail products into the "${taxonomy.name}" taxonomy (version ${taxonomy.version}).`,
      'Answer with exactly one class id per product, chosen from this list:',
      ...lines,
      `- ${UNKNOWN_ANSWER}: the text is not enough to tell which class the product belongs to.`,
      'Products come numbered; "hints" are a smaller model\'s guesses with probabilities, which may be wrong.',
      'Reply with a JSON object whose keys are the product numbers and whose values are',
      '{"classId": <one id from the list>, "confidence": <0 to 1>}. Never invent ids; use "unknown" rather than guess.',
    ].join('\n');
  }

  /** The user message: products numbered from 1, each with the encoder's candidates as hints when present. */
  userMessage(items: LlmItem[], note?: string): string {
    const lines = items.map((it, i) => {
      const hints = it.hints
        .filter((h) => this.taxonomy.get(h.classId))
        .slice(0, 3)
        .map((h) => `${h.classId} ${h.score.toFixed(2)}`);
      const shown = it.name && it.name.trim().toLowerCase() !== it.text ? `${it.name.trim()} [${it.text}]` : it.text;
      return `${i + 1}. ${oneLine(shown)}${hints.length ? `\n   hints: ${hints.join(', ')}` : ''}`;
    });
    const head = `Classify these ${items.length} product${items.length === 1 ? '' : 's'}.`;
    return [...(note ? [note] : []), head, ...lines].join('\n');
  }

  messages(items: LlmItem[], note?: string): ChatMessage[] {
    return [
      { role: 'system', content: this.system },
      { role: 'user', content: this.userMessage(items, note) },
    ];
  }

  /**
   * The corrective request: only the items whose answer was invalid, renumbered from 1, with what was wrong.
   * `problems` are the reasons from parse(), in the order of `items`.
   */
  correctionMessages(items: LlmItem[], problems: string[]): ChatMessage[] {
    const note =
      `Your previous answer could not be used (${problems.map((p, i) => `product ${i + 1}: ${p}`).join('; ')}). ` +
      'Answer again, one entry per product number, using only class ids from the list.';
    return this.messages(items, note);
  }

  /** JSON schema for Ollama's `format`: one required key per product number, class ids as an enum. */
  format(n: number): Record<string, unknown> {
    const entry = {
      type: 'object',
      properties: { classId: { type: 'string', enum: this.allowed }, confidence: { type: 'number', minimum: 0, maximum: 1 } },
      required: ['classId', 'confidence'],
    };
    const keys = Array.from({ length: n }, (_, i) => String(i + 1));
    return { type: 'object', properties: Object.fromEntries(keys.map((k) => [k, entry])), required: keys };
  }

  /** Validates a reply for n products; every item is either a valid answer or a problem, never a guess. */
  parse(content: string, n: number): ParsedReply {
    const answers: (ParsedAnswer | undefined)[] = new Array(n).fill(undefined);
    const problems = new Map<number, string>();
    // The whole reply's problem, when it has one, is every item's.
    let root: Record<string, unknown> | string;
    try {
      const json: unknown = JSON.parse(content);
      const isObject = typeof json === 'object' && json !== null && !Array.isArray(json);
      root = isObject ? (json as Record<string, unknown>) : 'reply is not a JSON object keyed by product number';
    } catch {
      root = `reply is not valid JSON: ${oneLine(content).slice(0, 60)}`;
    }
    for (let i = 0; i < n; i++) {
      const got = typeof root === 'string' ? root : this.answerOf(root[String(i + 1)]);
      if (typeof got === 'string') problems.set(i, got);
      else answers[i] = got;
    }
    return { answers, problems };
  }

  /** One product's answer, or what is wrong with it. */
  private answerOf(raw: unknown): ParsedAnswer | string {
    if (raw === undefined) return 'no answer for this product';
    const entry = entrySchema.safeParse(raw);
    if (!entry.success) return 'answer is not {"classId", "confidence"}';
    const id = entry.data.classId.trim();
    if (!this.allowedSet.has(id)) return `"${id.slice(0, 40)}" is not a class id of the taxonomy`;
    return { classId: id === UNKNOWN_ANSWER ? null : id, confidence: entry.data.confidence ?? 0.5 };
  }
}

/** A rough token count (about 4 characters per token for English text with Llama-style tokenizers). */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

function oneLine(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}
