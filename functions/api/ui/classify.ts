import { api, calls, type Decision, showError } from './api.ts';
import { $, h, ms, pct } from './dom.ts';
import { showItem } from './history.ts';

/** The classify tab: one product typed in, its decision as a card, and in debug the trace and the calls made. */

function decisionCard(d: Decision, clientMs: number, serverMs: number) {
  const top = d.topK?.length ? d.topK : d.classId ? [{ classId: d.classId, label: d.label, score: d.confidence }] : [];
  return h('article', { class: 'card' },
    h('h2', {}, d.label || 'Unknown'),
    h('dl', { class: 'facts' },
      ...Object.entries(d.levels).flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v || '—')]),
      h('dt', {}, 'tier'), h('dd', {}, h('span', { class: `tier tier-${d.tier}` }, d.tier)),
      h('dt', {}, 'status'), h('dd', {}, h('span', { class: `status-${d.status}` }, d.status)),
      h('dt', {}, 'confidence'), h('dd', {}, pct(d.confidence)),
      h('dt', {}, 'rule'), h('dd', {}, d.ruleId || '—'),
      h('dt', {}, 'model'), h('dd', {}, d.modelVersion || '—'),
      h('dt', {}, 'latency'), h('dd', {}, `${ms(clientMs)} round trip, ${ms(serverMs)} in the server`),
      h('dt', {}, 'key'), h('dd', {}, h('code', {}, d.key)),
    ),
    d.reason ? h('p', { class: 'reason' }, d.reason) : null,
    top.length ? h('div', { class: 'bars', role: 'list', 'aria-label': 'Top candidates' }, top.map((c) =>
      h('div', { class: 'bar', role: 'listitem' },
        h('span', { class: 'bar-label' }, c.label),
        h('span', { class: 'bar-track', 'aria-hidden': 'true' }, h('span', { class: 'bar-fill', style: `width:${Math.max(1, c.score * 100).toFixed(1)}%` })),
        h('span', { class: 'bar-value' }, pct(c.score))))) : null,
  );
}

function debugView(d: Decision, callsBefore: number) {
  const cols = ['tier', 'outcome', 'reason', 'rule', 'ms', 'cost'];
  return [
    h('h3', {}, 'Trace'),
    h('table', { class: 'trace' }, h('thead', {}, h('tr', {}, cols.map((x) => h('th', { scope: 'col' }, x)))),
      h('tbody', {}, (d.trace?.steps ?? []).map((s) => h('tr', {}, h('td', {}, s.tier), h('td', {}, s.outcome), h('td', {}, s.reason || ''),
        h('td', {}, s.ruleId || ''), h('td', {}, s.ms !== undefined ? ms(s.ms) : ''), h('td', {}, s.costUnits !== undefined ? String(s.costUnits) : ''))))),
    h('h3', {}, 'Calls made'),
    h('ul', { class: 'calls' }, calls.slice(callsBefore).map((c) => h('li', {}, h('code', {}, `${c.method} ${c.path}`), ` → ${c.status} in ${ms(c.ms)}`))),
    h('details', {}, h('summary', {}, 'Raw JSON'), h('pre', {}, JSON.stringify(d, null, 2))),
  ];
}

/** Decisions made in this browser session, newest first, on the history tab. */
const recent: { name: string; d: Decision }[] = [];
function remember(name: string, d: Decision) {
  recent.unshift({ name, d });
  if (recent.length > 50) recent.pop();
  $('#recent tbody').replaceChildren(...recent.map((r) => h('tr', {},
    h('td', {}, r.name), h('td', {}, r.d.label || 'Unknown'), h('td', {}, r.d.tier), h('td', {}, r.d.status),
    h('td', {}, h('button', { type: 'button', class: 'link', onclick: () => showItem(r.d.key) }, r.d.key)))));
}

$<HTMLFormElement>('#classify-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  const item: Record<string, string> = {};
  for (const [k, v] of new FormData($<HTMLFormElement>('#classify-form'))) if (String(v).trim()) item[k] = String(v).trim();
  const debug = $<HTMLInputElement>('#c-debug').checked;
  const out = $('#classify-result');
  const before = calls.length;
  try {
    const { data, ms: took } = await api<{ items: Decision[]; ms: number }>('POST', `/v1/classify${debug ? '?trace=1' : ''}`, { items: [item] });
    const d = data.items[0];
    out.replaceChildren(decisionCard(d, took, data.ms));
    remember(item.name, d);
    const dbg = $('#classify-debug');
    dbg.hidden = !debug;
    if (debug) dbg.replaceChildren(...debugView(d, before));
  } catch (err) {
    showError(out, err);
  }
});
