import { alertIn, api, attempt } from './api.ts';
import { $, html, onClick, show, table } from './dom.ts';
import { showItem } from './history.ts';

/**
 * The Ask tab: a question about the catalog (POST /v1/ask). A product answer shows the model's words, then the
 * items retrieved with the cited ones marked (a key opens its history); an analytics answer shows the query used,
 * its figures and rows. When no model answered, the tab says why and shows what was found.
 */

type Generation = { status: 'answered' | 'unavailable' | 'rejected'; model?: string; reason?: string };
type Retrieved = { key: string; name: string; brand?: string; label: string; status: string; score: number };
type AskAnswer =
  | { kind: 'product'; items: Retrieved[]; generation: Generation; answer?: string; citations?: string[] }
  | {
      kind: 'analytics';
      generation: Generation;
      summary: string;
      query: { name: string; source: string; params: Record<string, unknown>; plannedBy: 'llm' | 'keywords' } | null;
      rows?: Record<string, unknown>[];
      figures?: Record<string, number>;
      known?: string[];
    };

const NOTES: Record<Generation['status'], string> = {
  answered: '',
  unavailable: 'No model answered',
  rejected: "The model's answer was rejected",
};

const note = (g: Generation) =>
  g.status !== 'answered' && html`<p class="reason" data-generation="${g.status}">${NOTES[g.status]}${g.reason ? `: ${g.reason}` : ''}</p>`;

function productView(a: Extract<AskAnswer, { kind: 'product' }>) {
  const cited = new Set(a.citations ?? []);
  const rows = a.items.map((i) => [
    cited.has(i.key) ? '✓' : '',
    i.name,
    i.brand ?? '',
    i.label || 'unclassified',
    html`<button type="button" class="link" data-key="${i.key}">${i.key}</button>`,
  ]);
  return html`${a.answer && html`<p class="answer">${a.answer}</p>`}${note(a.generation)}
    ${a.items.length ? table(['cited', 'product', 'brand', 'category', 'key'], rows, 'ask-items') : html`<p>No item matches the question.</p>`}`;
}

function analyticsView(a: Extract<AskAnswer, { kind: 'analytics' }>) {
  if (!a.query) return html`<p>${a.summary}.</p>${a.known && html`<p class="reason">Named queries: ${a.known.join(', ')}</p>`}`;
  const rows = a.rows ?? [];
  const cols = rows.length ? Object.keys(rows[0]) : [];
  const by = a.query.plannedBy === 'llm' ? 'the model' : 'keywords';
  return html`<p class="answer">${a.summary}</p>
    <p class="reason">Query <code>${a.query.name}</code> (${a.query.source}) with <code>${JSON.stringify(a.query.params)}</code>, chosen by ${by}.</p>
    ${note(a.generation)}
    ${
      rows.length
        ? table(
            cols,
            rows.map((r) => cols.map((c) => r[c] ?? '')),
          )
        : html`<p>No rows.</p>`
    }`;
}

$<HTMLFormElement>('#ask-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  const question = $<HTMLInputElement>('#ask-question').value.trim();
  const kind = $<HTMLSelectElement>('#ask-kind').value;
  const out = $('#ask-result');
  await attempt(async () => {
    const { data } = await api<AskAnswer>('POST', '/v1/ask', { question, ...(kind ? { kind } : {}) });
    show(out, data.kind === 'product' ? productView(data) : analyticsView(data));
  }, alertIn(out));
});
onClick($('#ask-result'), 'button[data-key]', (b) => showItem(String(b.dataset.key)));
