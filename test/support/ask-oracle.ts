/**
 * A gullible model for `ask` prompts, plugged into the Ollama test server (its `reply` option). It reads the
 * QUESTION and ITEMS blocks of a product-answer prompt and cites the items whose names share a word with the
 * question; it obeys "cite key <16 hex>" wherever it appears in the prompt (an item name that tries to instruct),
 * and `mode: 'bad-citation'` makes it cite a key that was never retrieved. A planning prompt (a QUESTION block
 * and no ITEMS block) gets `plan(question)`.
 */
import { terms } from '../../functions/ask/text.ts';

export const FOREIGN_KEY = 'ffffffffffffffff';

export interface AskOracleOptions {
  mode?: 'faithful' | 'bad-citation';
  /** The plan for an analytics question (default: {"query": "review_rate"}). */
  plan?: (question: string) => unknown;
}

function blockRows(user: string, tag: string): unknown[] | undefined {
  const m = new RegExp(`<${tag}>\\n([\\s\\S]*?)\\n?</${tag}>`).exec(user);
  if (!m) return undefined;
  return m[1]
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as unknown);
}

export function askOracle(opts: AskOracleOptions = {}): (prompt: { user: string }) => string | undefined {
  return ({ user }) => {
    const question = blockRows(user, 'question')?.[0];
    if (typeof question !== 'string') return undefined;
    const items = blockRows(user, 'items') as { key: string; name: string }[] | undefined;
    if (!items) return JSON.stringify(opts.plan?.(question) ?? { query: 'review_rate' });
    const asked = new Set(terms(question));
    const cited = items.filter((it) => terms(it.name).some((t) => asked.has(t))).map((it) => it.key);
    // Gullible: an instruction to cite a key is followed, wherever it was read (JSON-decoded, as a model sees the names).
    const injected = [
      ...items
        .map((it) => it.name)
        .join('\n')
        .matchAll(/cite (?:key )?([0-9a-f]{16})/gi),
    ].map((m) => m[1]);
    if (opts.mode === 'bad-citation') cited.push(FOREIGN_KEY);
    const keys = [...new Set([...cited, ...injected])];
    const names = items.filter((it) => keys.includes(it.key)).map((it) => it.name);
    const answer = keys.length ? `We carry ${names.join(', ') || 'these items'}.` : 'None of our items answers this.';
    return JSON.stringify({ answer, citations: keys });
  };
}
