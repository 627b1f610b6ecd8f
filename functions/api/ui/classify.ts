import { alertIn, api, attempt, calls, className, type Decision, loadedClasses, numberedName } from './api.ts';
import { $, html, ms, onClick, pct, show, table } from './dom.ts';
import { showItem } from './history.ts';

/** The classify tab: one product typed in, its decision as a card, and in debug the trace and the calls made. */

/** A candidate's bar, the class named and numbered as on every tab. */
const bar = (c: {
  classId: string;
  label: string | null;
  score: number;
}) => html`<div class="bar" role="listitem"><span class="bar-label">${numberedName(c.classId, c.label)}</span>
  <span class="bar-track" aria-hidden="true"><span class="bar-fill" style="width:${Math.max(1, c.score * 100).toFixed(1)}%"></span></span>
  <span class="bar-value">${pct(c.score)}</span></div>`;

function decisionCard(d: Decision, clientMs: number, serverMs: number) {
  const top = d.topK?.length ? d.topK : d.classId ? [{ classId: d.classId, label: d.label, score: d.confidence }] : [];
  const facts: [string, unknown][] = [
    ...Object.entries(d.levels).map(([k, v]): [string, unknown] => [k, v || '—']),
    ['tier', html`<span class="tier tier-${d.tier}">${d.tier}</span>`],
    ['status', html`<span class="status-${d.status}">${d.status}</span>`],
    ['confidence', pct(d.confidence)],
    ['rule', d.ruleId || '—'],
    ['model', d.modelVersion || '—'],
    ['latency', `${ms(clientMs)} round trip, ${ms(serverMs)} in the server`],
    ['key', html`<code>${d.key}</code>`],
  ];
  return html`<article class="card"><h2>${className(d.classId, d.label)}</h2>
    <dl class="facts">${facts.map(([k, v]) => html`<dt>${k}</dt><dd>${v}</dd>`)}</dl>
    ${d.reason && html`<p class="reason">${d.reason}</p>`}
    ${top.length > 0 && html`<div class="bars" role="list" aria-label="Top candidates">${top.map(bar)}</div>`}</article>`;
}

function debugView(d: Decision, callsBefore: number) {
  const steps = (d.trace?.steps ?? []).map((s) => [s.tier, s.outcome, s.reason, s.ruleId, s.ms !== undefined && ms(s.ms), s.costUnits]);
  return html`<h3>Trace</h3>${table(['tier', 'outcome', 'reason', 'rule', 'ms', 'cost'], steps, 'trace')}
    <h3>Calls made</h3>
    <ul class="calls">${calls.slice(callsBefore).map((c) => html`<li><code>${c.method} ${c.path}</code> → ${c.status} in ${ms(c.ms)}</li>`)}</ul>
    <details><summary>Raw JSON</summary><pre>${JSON.stringify(d, null, 2)}</pre></details>`;
}

/** Decisions made in this browser session, newest first, on the history tab. */
const recent: { name: string; d: Decision }[] = [];
function recentRow({ name, d }: (typeof recent)[number]) {
  return html`<tr><td>${name}</td><td>${className(d.classId, d.label)}</td><td>${d.tier}</td><td>${d.status}</td>
    <td><button type="button" class="link" data-key="${d.key}">${d.key}</button></td></tr>`;
}
function remember(name: string, d: Decision) {
  recent.unshift({ name, d });
  if (recent.length > 50) recent.pop();
  show($('#recent tbody'), recent.map(recentRow));
}
onClick($('#recent'), 'button[data-key]', (b) => showItem(String(b.dataset.key)));

$<HTMLFormElement>('#classify-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  const item: Record<string, string> = {};
  for (const [k, v] of new FormData($<HTMLFormElement>('#classify-form'))) if (String(v).trim()) item[k] = String(v).trim();
  const debug = $<HTMLInputElement>('#c-debug').checked;
  const out = $('#classify-result');
  const before = calls.length;
  await attempt(async () => {
    await loadedClasses();
    const { data, ms: took } = await api<{ items: Decision[]; ms: number }>('POST', `/v1/classify${debug ? '?trace=1' : ''}`, { items: [item] });
    const d = data.items[0];
    show(out, decisionCard(d, took, data.ms));
    remember(item.name, d);
    const dbg = $('#classify-debug');
    dbg.hidden = !debug;
    if (debug) show(dbg, debugView(d, before));
  }, alertIn(out));
});
