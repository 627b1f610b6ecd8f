/**
 * The inspector's browser module (vanilla JS, no build step, no network beyond this API). Kept as a string so
 * the Lambda bundle carries it without a loader. No backticks or "${" inside: it lives in a template literal.
 */
export const APP_JS = String.raw`
const KEY_STORE = 'aisle.apiKey';
const $ = (sel) => document.querySelector(sel);
const calls = [];
let taxonomy = null;

function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) if (c !== null && c !== undefined && c !== false) el.append(c instanceof Node ? c : String(c));
  return el;
}
const pct = (x) => (Math.round(x * 1000) / 10).toFixed(1) + '%';
const ms = (x) => (x < 10 ? x.toFixed(2) : x.toFixed(0)) + ' ms';

async function api(method, path, body, opts) {
  const headers = {};
  const key = sessionStorage.getItem(KEY_STORE);
  if (key) headers.authorization = 'Bearer ' + key;
  let payload = body;
  if (body !== undefined && !(body instanceof FormData)) { headers['content-type'] = 'application/json'; payload = JSON.stringify(body); }
  const started = performance.now();
  const res = await fetch(path, { method, headers, body: payload });
  const took = performance.now() - started;
  calls.push({ method, path, status: res.status, ms: took });
  if (calls.length > 50) calls.shift();
  if (opts && opts.raw && res.ok) return res;
  const type = res.headers.get('content-type') || '';
  const data = type.includes('json') ? await res.json() : await res.text();
  if (!res.ok) {
    const err = new Error((data && data.error && data.error.message) || res.statusText);
    err.status = res.status; err.code = data && data.error && data.error.code; err.details = data && data.error && data.error.details;
    if (res.status === 401) $('#key-status').textContent = 'Enter a valid API key (aisle keys create --name you).';
    throw err;
  }
  return { data, ms: took };
}
function errorText(err) {
  const details = (err.details || []).map((d) => d.path + ': ' + d.message).join('; ');
  return 'Error ' + (err.status || '') + ' ' + (err.code || '') + ': ' + err.message + (details ? ' (' + details + ')' : '');
}
function showError(where, err) { where.replaceChildren(h('p', { class: 'error', role: 'alert' }, errorText(err))); }
const classLabel = (id) => { const c = taxonomy && taxonomy.classes.find((x) => x.id === id); return c ? c.label : (id || 'Unknown'); };

// ---- key
$('#api-key').value = sessionStorage.getItem(KEY_STORE) || '';
$('#key-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  const v = $('#api-key').value.trim();
  if (v) sessionStorage.setItem(KEY_STORE, v); else sessionStorage.removeItem(KEY_STORE);
  try { await loadTaxonomy(); $('#key-status').textContent = 'Key accepted.'; refreshTab(); } catch (err) { $('#key-status').textContent = errorText(err); }
});
async function loadTaxonomy() { taxonomy = (await api('GET', '/v1/taxonomy')).data; renderClassList(); }

// ---- tabs
const tabs = [...document.querySelectorAll('[role=tab]')];
function selectTab(tab, focus) {
  for (const t of tabs) {
    const on = t === tab;
    t.setAttribute('aria-selected', String(on));
    t.tabIndex = on ? 0 : -1;
    document.getElementById(t.getAttribute('aria-controls')).hidden = !on;
  }
  if (focus) tab.focus();
  history.replaceState(null, '', '#' + tab.id.slice(4));
  refreshTab();
}
/** Loads what the selected tab shows (on selection, and again once a key is entered). */
function refreshTab() {
  const tab = tabs.find((t) => t.getAttribute('aria-selected') === 'true');
  const onShow = { jobs: refreshJobs, review: refreshReview, models: refreshModels, insights: refreshInsights }[tab.id.slice(4)];
  if (onShow) onShow();
}
tabs.forEach((t, i) => {
  t.addEventListener('click', () => selectTab(t, false));
  t.addEventListener('keydown', (e) => {
    const d = e.key === 'ArrowRight' ? 1 : e.key === 'ArrowLeft' ? -1 : 0;
    if (d) { e.preventDefault(); selectTab(tabs[(i + d + tabs.length) % tabs.length], true); }
  });
});

// ---- classify
function decisionCard(d, clientMs, serverMs) {
  const top = (d.topK || []).length ? d.topK : (d.classId ? [{ classId: d.classId, label: d.label, score: d.confidence }] : []);
  return h('article', { class: 'card' },
    h('h2', {}, d.label || 'Unknown'),
    h('dl', { class: 'facts' },
      ...Object.entries(d.levels).flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v || '—')]),
      h('dt', {}, 'tier'), h('dd', {}, h('span', { class: 'tier tier-' + d.tier }, d.tier)),
      h('dt', {}, 'status'), h('dd', {}, h('span', { class: 'status-' + d.status }, d.status)),
      h('dt', {}, 'confidence'), h('dd', {}, pct(d.confidence)),
      h('dt', {}, 'rule'), h('dd', {}, d.ruleId || '—'),
      h('dt', {}, 'model'), h('dd', {}, d.modelVersion || '—'),
      h('dt', {}, 'latency'), h('dd', {}, ms(clientMs) + ' round trip, ' + ms(serverMs) + ' in the server'),
      h('dt', {}, 'key'), h('dd', {}, h('code', {}, d.key)),
    ),
    d.reason ? h('p', { class: 'reason' }, d.reason) : null,
    top.length ? h('div', { class: 'bars', role: 'list', 'aria-label': 'Top candidates' }, top.map((c) =>
      h('div', { class: 'bar', role: 'listitem' },
        h('span', { class: 'bar-label' }, c.label),
        h('span', { class: 'bar-track', 'aria-hidden': 'true' }, h('span', { class: 'bar-fill', style: 'width:' + Math.max(1, c.score * 100).toFixed(1) + '%' })),
        h('span', { class: 'bar-value' }, pct(c.score))))) : null,
  );
}
const recent = [];
function remember(name, d) {
  recent.unshift({ name, d });
  if (recent.length > 50) recent.pop();
  $('#recent tbody').replaceChildren(...recent.map((r) => h('tr', {},
    h('td', {}, r.name), h('td', {}, r.d.label || 'Unknown'), h('td', {}, r.d.tier), h('td', {}, r.d.status),
    h('td', {}, h('button', { type: 'button', class: 'link', onclick: () => showItem(r.d.key) }, r.d.key)))));
}
$('#classify-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  const f = new FormData(e.target);
  const item = {};
  for (const [k, v] of f) if (String(v).trim()) item[k] = String(v).trim();
  const debug = $('#c-debug').checked;
  const out = $('#classify-result');
  const before = calls.length;
  try {
    const { data, ms: took } = await api('POST', '/v1/classify' + (debug ? '?trace=1' : ''), { items: [item] });
    const d = data.items[0];
    out.replaceChildren(decisionCard(d, took, data.ms));
    remember(item.name, d);
    const dbg = $('#classify-debug');
    dbg.hidden = !debug;
    if (debug) {
      dbg.replaceChildren(
        h('h3', {}, 'Trace'),
        h('table', { class: 'trace' }, h('thead', {}, h('tr', {}, ['tier', 'outcome', 'reason', 'rule', 'ms', 'cost'].map((x) => h('th', { scope: 'col' }, x)))),
          h('tbody', {}, (d.trace ? d.trace.steps : []).map((s) => h('tr', {}, h('td', {}, s.tier), h('td', {}, s.outcome), h('td', {}, s.reason || ''),
            h('td', {}, s.ruleId || ''), h('td', {}, s.ms !== undefined ? ms(s.ms) : ''), h('td', {}, s.costUnits !== undefined ? String(s.costUnits) : ''))))),
        h('h3', {}, 'Calls made'),
        h('ul', { class: 'calls' }, calls.slice(before).map((c) => h('li', {}, h('code', {}, c.method + ' ' + c.path), ' → ' + c.status + ' in ' + ms(c.ms)))),
        h('details', {}, h('summary', {}, 'Raw JSON'), h('pre', {}, JSON.stringify(d, null, 2))),
      );
    }
  } catch (err) { showError(out, err); }
});

// ---- history
async function showItem(key) {
  const out = $('#item-detail');
  selectTab($('#tab-history'), false);
  $('#item-key').value = key;
  try {
    const { data } = await api('GET', '/v1/items/' + encodeURIComponent(key));
    const row = (r) => h('tr', {}, h('td', {}, r.at), h('td', {}, r.decision.label || 'Unknown'), h('td', {}, r.decision.tier),
      h('td', {}, r.decision.status), h('td', {}, pct(r.decision.confidence)), h('td', {}, r.decision.reason || ''));
    out.replaceChildren(
      h('h2', {}, data.current.input.name),
      h('p', {}, 'Normalized text: ', h('code', {}, data.current.text)),
      h('table', {}, h('thead', {}, h('tr', {}, ['when', 'label', 'tier', 'status', 'confidence', 'why'].map((x) => h('th', { scope: 'col' }, x)))),
        h('tbody', {}, [data.current, ...data.history].map(row))),
    );
  } catch (err) { showError(out, err); }
}
$('#item-form').addEventListener('submit', (e) => { e.preventDefault(); showItem($('#item-key').value.trim()); });

// ---- jobs
let polling = null;
async function refreshJobs() {
  try {
    const { data } = await api('GET', '/v1/jobs?limit=20');
    $('#jobs tbody').replaceChildren(...data.items.map((j) => h('tr', { 'data-job': j.id },
      h('td', {}, h('code', {}, j.id), h('br'), h('small', {}, j.input.split('/').pop())),
      h('td', { class: 'job-status' }, j.status + (j.error ? ': ' + j.error : '')),
      h('td', {}, h('progress', { max: '1', value: j.progress === null ? undefined : String(j.progress), 'aria-label': 'Progress of job ' + j.id }),
        ' ', j.progress === null ? '' : pct(j.progress)),
      h('td', {}, String(j.rowsIn)), h('td', {}, String(j.classified)), h('td', {}, String(j.rejected)), h('td', {}, String(j.needsReview)),
      h('td', {}, j.status === 'done' ? [
        h('button', { type: 'button', class: 'download-result', onclick: () => download(j.links.result, j.id + '.result.csv') }, 'Results'), ' ',
        h('button', { type: 'button', class: 'download-rejects', onclick: () => download(j.links.rejects, j.id + '.rejects.csv') }, 'Rejects'),
      ] : '—'))));
    const active = data.items.some((j) => j.status !== 'done' && j.status !== 'failed');
    clearTimeout(polling);
    if (active && !$('#panel-jobs').hidden) polling = setTimeout(refreshJobs, 1000);
  } catch (err) { $('#job-status').textContent = errorText(err); }
}
async function download(path, filename) {
  try {
    const res = await api('GET', path, undefined, { raw: true });
    const url = URL.createObjectURL(await res.blob());
    const a = h('a', { href: url, download: filename });
    document.body.append(a); a.click(); a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
  } catch (err) { $('#job-status').textContent = errorText(err); }
}
async function upload(file) {
  if (!file) return;
  const form = new FormData();
  form.append('file', file, file.name);
  $('#job-status').textContent = 'Uploading ' + file.name + '…';
  try {
    const { data } = await api('POST', '/v1/jobs', form);
    $('#job-status').textContent = 'Job ' + data.job.id + ' started for ' + file.name + '.';
    refreshJobs();
  } catch (err) { $('#job-status').textContent = errorText(err); }
}
const drop = $('#drop');
drop.addEventListener('dragover', (e) => { e.preventDefault(); drop.classList.add('over'); });
drop.addEventListener('dragleave', () => drop.classList.remove('over'));
drop.addEventListener('drop', (e) => { e.preventDefault(); drop.classList.remove('over'); upload(e.dataTransfer.files[0]); });
drop.addEventListener('keydown', (e) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); $('#job-file').click(); } });
$('#job-file').addEventListener('change', (e) => { upload(e.target.files[0]); e.target.value = ''; });

// ---- review
let reviewItems = [];
let cursor = 0;
const marked = new Set();
const picked = new Map();
let digits = '';
let digitTimer = null;
function renderClassList() {
  if (!taxonomy) return;
  $('#classes').replaceChildren(...taxonomy.classes.filter((c) => c.isLeaf).map((c) => h('li', {}, c.label)));
}
function leafByNumber(n) { const leaves = taxonomy ? taxonomy.classes.filter((c) => c.isLeaf) : []; return leaves[n - 1]; }
function renderReview() {
  const list = $('#review-list');
  if (!reviewItems.length) { list.replaceChildren(h('p', {}, 'Nothing waits for review.')); list.removeAttribute('aria-activedescendant'); return; }
  cursor = Math.min(cursor, reviewItems.length - 1);
  list.replaceChildren(...reviewItems.map((r, i) => {
    const key = r.decision.key;
    const pick = picked.get(key);
    return h('div', { id: 'rv-' + key, role: 'option', 'aria-selected': String(i === cursor), class: 'review-item' + (i === cursor ? ' current' : '') + (marked.has(key) ? ' marked' : ''), 'data-key': key, onclick: () => { cursor = i; renderReview(); } },
      h('strong', {}, r.input.name), ' ',
      h('span', { class: 'guess' }, 'guess: ' + (r.decision.label || 'Unknown') + ' (' + pct(r.decision.confidence) + ')'),
      pick ? h('span', { class: 'pick' }, ' → ' + classLabel(pick)) : null,
      marked.has(key) ? h('span', { class: 'mark' }, ' ✓ marked') : null);
  }));
  list.setAttribute('aria-activedescendant', 'rv-' + reviewItems[cursor].decision.key);
  const cur = document.getElementById('rv-' + reviewItems[cursor].decision.key);
  if (cur && cur.scrollIntoView) cur.scrollIntoView({ block: 'nearest' });
}
async function refreshReview() {
  try {
    if (!taxonomy) await loadTaxonomy();
    reviewItems = (await api('GET', '/v1/review?limit=100')).data.items;
    renderReview();
  } catch (err) { $('#review-status').textContent = errorText(err); }
}
async function acceptCurrent() {
  const r = reviewItems[cursor];
  if (!r) return;
  const key = r.decision.key;
  const pick = picked.get(key);
  try {
    if (pick) await api('PUT', '/v1/items/' + key + '/label', { classId: pick });
    else await api('POST', '/v1/review/' + key + '/accept');
    $('#review-status').textContent = 'Labelled "' + r.input.name + '" as ' + classLabel(pick || r.decision.classId) + '.';
    reviewItems.splice(cursor, 1);
    picked.delete(key); marked.delete(key);
    renderReview();
  } catch (err) { $('#review-status').textContent = errorText(err); }
}
$('#review-list').addEventListener('keydown', (e) => {
  if (e.target.closest('input, textarea')) return;
  if (e.key === 'j' || e.key === 'ArrowDown') { cursor = Math.min(cursor + 1, reviewItems.length - 1); renderReview(); e.preventDefault(); }
  else if (e.key === 'k' || e.key === 'ArrowUp') { cursor = Math.max(cursor - 1, 0); renderReview(); e.preventDefault(); }
  else if (e.key === 'x' && reviewItems[cursor]) { const k = reviewItems[cursor].decision.key; if (marked.has(k)) marked.delete(k); else marked.add(k); renderReview(); }
  else if (e.key === 'Enter') { e.preventDefault(); acceptCurrent(); }
  else if (/^[0-9]$/.test(e.key) && reviewItems[cursor]) {
    digits += e.key;
    clearTimeout(digitTimer);
    digitTimer = setTimeout(() => { digits = ''; }, 700);
    const leaf = leafByNumber(Number(digits));
    if (leaf) { picked.set(reviewItems[cursor].decision.key, leaf.id); $('#review-status').textContent = 'Picked ' + leaf.label + '.'; renderReview(); }
  }
});
$('#review-refresh').addEventListener('click', refreshReview);
$('#review-bulk').addEventListener('click', async () => {
  const keys = marked.size ? [...marked] : reviewItems.map((r) => r.decision.key);
  if (!keys.length) return;
  try {
    const { data } = await api('POST', '/v1/review/accept', { keys });
    $('#review-status').textContent = 'Accepted ' + data.accepted.length + ' guesses' + (data.failed.length ? ', ' + data.failed.length + ' failed' : '') + '.';
    marked.clear();
    refreshReview();
  } catch (err) { $('#review-status').textContent = errorText(err); }
});

// ---- models
function metricRows(m) {
  const rows = [];
  const walk = (obj, prefix) => {
    for (const [k, v] of Object.entries(obj || {})) {
      if (typeof v === 'number') rows.push([prefix + k, v]);
      else if (v && typeof v === 'object' && !Array.isArray(v) && prefix.split('.').length < 3 && !/confusion|threshold/i.test(k)) walk(v, prefix + k + '.');
    }
  };
  walk(m, '');
  return rows;
}
function confusion(m) {
  // metrics.json of a trained or shipped model keeps it under validation; other trainers may put it on top.
  const c = m && (m.validation?.confusion || m.confusion || m.confusionMatrix || m.confusion_matrix);
  if (!c) return null;
  const labels = c.labels || m.labels || [];
  const matrix = c.matrix || c;
  if (!Array.isArray(matrix)) return null;
  const max = Math.max(1, ...matrix.flat());
  return h('table', { class: 'confusion' }, h('caption', {}, 'Confusion matrix (rows: truth, columns: predicted)'),
    h('thead', {}, h('tr', {}, h('th', {}), matrix.map((_, j) => h('th', { scope: 'col', title: labels[j] || '' }, String(j + 1))))),
    h('tbody', {}, matrix.map((row, i) => h('tr', {}, h('th', { scope: 'row' }, (i + 1) + '. ' + (labels[i] || '')),
      row.map((v) => h('td', { style: 'background: rgba(37, 99, 235, ' + (v / max).toFixed(2) + ')' + (v / max > 0.5 ? ';color:#fff' : '') }, String(v)))))));
}
function modelCard(m, title) {
  return h('article', { class: 'card model' }, h('h2', {}, title + ': ', h('code', {}, m.version)), h('p', {}, 'created ' + m.createdAt),
    h('table', {}, h('tbody', {}, metricRows(m.metrics).map(([k, v]) => h('tr', {}, h('th', { scope: 'row' }, k), h('td', {}, v <= 1 ? v.toFixed(4) : String(v)))))),
    confusion(m.metrics));
}
async function refreshModels() {
  const out = $('#models');
  try {
    const { data } = await api('GET', '/v1/models');
    out.replaceChildren(h('div', { class: 'models' },
      data.champion ? modelCard(data.champion, 'Champion') : h('p', {}, 'No champion yet: run aisle train.'),
      ...data.challengers.map((m) => modelCard(m, 'Challenger'))));
  } catch (err) { showError(out, err); }
}
$('#models-refresh').addEventListener('click', refreshModels);
$('#retrain').addEventListener('click', async () => {
  try { const { data } = await api('POST', '/v1/models/retrain'); $('#models-status').textContent = 'Retraining started: run ' + data.id + '.'; }
  catch (err) { $('#models-status').textContent = errorText(err); }
});

// ---- insights (charts: inline SVG, no library)
const SVG_NS = 'http://www.w3.org/2000/svg';
function svgEl(tag, attrs) {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs || {})) el.setAttribute(k, String(v));
  return el;
}
function svgText(x, y, text, attrs) { const t = svgEl('text', { x, y, ...(attrs || {}) }); t.textContent = text; return t; }
function categoryOf(r) { return r.level2 ? r.level1 + ' > ' + r.level2 : (r.level1 || '(unknown)'); }
function insightRowLabel(r, cols) {
  if ('antecedent_1' in r) return r.antecedent_1 + ' + ' + r.antecedent_2 + ' → ' + r.consequent;
  if ('antecedent' in r) return r.antecedent + ' → ' + r.consequent;
  if ('level1' in r) return ('job_id' in r && !('psi' in r) ? r.job_id + ' · ' : '') + categoryOf(r);
  const c = cols.find((k) => typeof r[k] === 'string');
  return c ? String(r[c]) : '';
}
function valueColumn(cols, rows) {
  const preferred = ['items', 'hits', 'lift', 'psi_contribution', 'review_rate', 'share'];
  return preferred.find((c) => cols.includes(c)) || cols.find((c) => typeof rows[0][c] === 'number');
}
function dataTable(rows) {
  const cols = Object.keys(rows[0]);
  return h('table', {}, h('thead', {}, h('tr', {}, cols.map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', {}, rows.map((r) => h('tr', {}, cols.map((c) => h('td', {}, r[c] === null ? '' : String(r[c])))))));
}
/** Horizontal bars: one per row, label from the row's categories. */
function barChart(rows, valueCol) {
  const cols = Object.keys(rows[0]);
  const shown = rows.slice(0, 40);
  const max = Math.max(...shown.map((r) => Math.abs(Number(r[valueCol]) || 0)), 1e-9);
  const rowH = 22, width = 720, labelW = 300;
  const svg = svgEl('svg', { viewBox: '0 0 ' + width + ' ' + shown.length * rowH, role: 'img', 'aria-label': valueCol + ' per row (bar chart)' });
  shown.forEach((r, i) => {
    const v = Number(r[valueCol]) || 0;
    svg.append(svgText(0, i * rowH + 15, insightRowLabel(r, cols).slice(0, 44)),
      svgEl('rect', { x: labelW, y: i * rowH + 3, height: rowH - 6, width: Math.max(1, (Math.abs(v) / max) * (width - labelW - 70)), class: 'svg-bar' }),
      svgText(labelW + Math.max(1, (Math.abs(v) / max) * (width - labelW - 70)) + 6, i * rowH + 15, String(v)));
  });
  return svg;
}
/** Vertical bars over ordered buckets (confidence histogram). */
function histogram(found) {
  // Every bucket from 0.0 to 0.9 is drawn, empty ones too, so the shape reads at a glance.
  const rows = Array.from({ length: 10 }, (_, i) => found.find((r) => Math.round(r.bucket_from * 10) === i) || { bucket_from: i / 10, items: 0 });
  const width = 720, height = 220, pad = 30, barW = (width - pad) / rows.length;
  const max = Math.max(...rows.map((r) => r.items), 1);
  const svg = svgEl('svg', { viewBox: '0 0 ' + width + ' ' + (height + 24), role: 'img', 'aria-label': 'items per confidence bucket (histogram)' });
  rows.forEach((r, i) => {
    const hgt = (r.items / max) * height;
    svg.append(svgEl('rect', { x: pad + i * barW + 2, y: height - hgt, width: barW - 4, height: Math.max(1, hgt), class: 'svg-bar' }),
      svgText(pad + i * barW + 4, height + 16, Number(r.bucket_from).toFixed(1)));
  });
  svg.append(svgText(0, 12, String(max)));
  return svg;
}
/** One line per category over an ordered x column (dt or month). */
function timeSeries(rows, xCol) {
  const xs = [...new Set(rows.map((r) => r[xCol]))].sort();
  const series = new Map();
  for (const r of rows) {
    const k = categoryOf(r);
    if (!series.has(k)) series.set(k, new Map());
    series.get(k).set(r[xCol], r.items);
  }
  const width = 720, height = 240, left = 40, right = 200;
  const max = Math.max(...rows.map((r) => r.items), 1);
  const x = (i) => left + (xs.length > 1 ? (i / (xs.length - 1)) * (width - left - right) : 0);
  const y = (v) => height - (v / max) * (height - 10);
  const svg = svgEl('svg', { viewBox: '0 0 ' + width + ' ' + (height + 24), role: 'img', 'aria-label': 'items per category over ' + xCol + ' (time series)' });
  xs.forEach((v, i) => svg.append(svgText(x(i) - 18, height + 16, String(v))));
  svg.append(svgText(0, 12, String(max)));
  [...series.entries()].forEach(([name, points], n) => {
    const hue = (n * 47) % 360;
    const d = xs.map((v, i) => (i ? 'L' : 'M') + x(i).toFixed(1) + ' ' + y(points.get(v) || 0).toFixed(1)).join(' ');
    svg.append(svgEl('path', { d, fill: 'none', stroke: 'hsl(' + hue + ' 60% 45%)', 'stroke-width': 2 }),
      svgText(width - right + 8, 14 + n * 14, name.slice(0, 30), { fill: 'hsl(' + hue + ' 60% 35%)' }));
  });
  return svg;
}
function insightChart(name, rows) {
  if (!rows.length) return h('p', {}, 'No rows: the lake has no data for this query yet (classify a file first).');
  const cols = Object.keys(rows[0]);
  let chart;
  if (name === 'confidence_histogram') chart = histogram(rows);
  else if (name === 'category_by_day') chart = timeSeries(rows, 'dt');
  else if (name === 'seasonality') chart = timeSeries(rows, 'month');
  else { const v = valueColumn(cols, rows); chart = v ? barChart(rows, v) : null; }
  return h('div', { class: 'insight' }, chart || '', dataTable(rows));
}
async function refreshInsights() {
  const list = $('#insights-list');
  try {
    const { data } = await api('GET', '/v1/insights');
    list.replaceChildren(...data.items.map((q) => h('button', { type: 'button', title: q.description, onclick: () => runInsight(q.name) }, q.name.replace(/_/g, ' '))));
  } catch (err) {
    list.replaceChildren(h('p', {}, err.status === 404 ? 'Insights are not available on this server.' : errorText(err)));
  }
}
async function runInsight(name) {
  const out = $('#insights');
  const job = $('#insights-job').value.trim();
  out.replaceChildren(h('p', {}, 'Running ' + name + '…'));
  try {
    const { data } = await api('GET', '/v1/insights/' + encodeURIComponent(name) + (job ? '?job=' + encodeURIComponent(job) : ''));
    out.replaceChildren(h('h2', {}, name.replace(/_/g, ' ') + (data.job ? ' · ' + data.job : '')), insightChart(name, data.rows));
  } catch (err) { showError(out, err); }
}

// ---- start
const initial = tabs.find((t) => '#' + t.id.slice(4) === location.hash) || tabs[0];
selectTab(initial, false);
loadTaxonomy().catch(() => {});
document.body.dataset.ready = 'true';
`;
