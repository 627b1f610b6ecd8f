/**
 * Words of a question or a product name as retrieval compares them: the tiers' normalization (case, accents,
 * units, punctuation), question words dropped, and English plurals folded ("cookies" and "cookie" are one term).
 */
import { normalizeText } from '../core/normalize.ts';

// biome-ignore format: a word list
const STOPWORDS = new Set([
  'a', 'an', 'and', 'any', 'are', 'as', 'at', 'be', 'by', 'can', 'carry', 'do', 'does', 'did', 'for', 'from', 'have', 'has', 'how',
  'i', 'in', 'is', 'it', 'its', 'list', 'me', 'my', 'of', 'on', 'or', 'our', 'show', 'sell', 'stock', 'that', 'the', 'their',
  'them', 'there', 'these', 'this', 'those', 'to', 'us', 'we', 'what', 'whats', 'which', 'who', 'with', 'you', 'your', 'all',
  'some', 'find', 'get', 'got', 'give', 'kind', 'kinds', 'type', 'types', 'item', 'items', 'product', 'products', 'anything',
  'something', 'offer', 'available', 'shop', 'store', 'catalog', 'range', 'please', 'tell', 'about', 'other', 'good',
]);

/** One word's term: lower-case English plurals folded to the singular, other words as they are. */
export function stem(word: string): string {
  if (word.length <= 3 || /\d/.test(word)) return word;
  if (word.endsWith('ies') && word.length > 4) return `${word.slice(0, -3)}y`;
  if (/(?:ches|shes|sses|xes|oes)$/.test(word)) return word.slice(0, -2);
  if (word.endsWith('s') && !word.endsWith('ss') && !word.endsWith('us')) return word.slice(0, -1);
  return word;
}

/** The terms of a text, question words left out, in order (repeats kept). */
export function terms(raw: string): string[] {
  const out: string[] = [];
  for (const word of normalizeText(raw).split(' ')) {
    if (!word || STOPWORDS.has(word) || /^[.%]+$/.test(word)) continue;
    out.push(stem(word));
  }
  return out;
}
