import { api, errorText, showError, ApiError } from './api.ts';
import { $, h } from './dom.ts';
import { whenShown } from './tabs.ts';

/** The insights tab: the named lake queries as buttons, each answer as a chart (inline SVG, no library) over its table. */
type Row = Record<string, unknown>;
const SVG_NS = 'http://www.w3.org/2000/svg';

function svgEl(tag: string, attrs: Record<string, string | number>) {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  return el;
}
function svgText(x: number, y: number, text: string, attrs: Record<string, string> = {}) {
  const t = svgEl('text', { x, y, ...attrs });
  t.textContent = text;
  return t;
}
const categoryOf = (r: Row) => (r.level2 ? `${r.level1} > ${r.level2}` : String(r.level1 || '(unknown)'));

function insightRowLabel(r: Row, cols: string[]) {
  if ('antecedent_1' in r) return `${r.antecedent_1} + ${r.antecedent_2} → ${r.consequent}`;
  if ('antecedent' in r) return `${r.antecedent} → ${r.consequent}`;
  if ('level1' in r) return ('job_id' in r && !('psi' in r) ? `${r.job_id} · ` : '') + categoryOf(r);
  const c = cols.find((k) => typeof r[k] === 'string');
  return c ? String(r[c]) : '';
}
function valueColumn(cols: string[], rows: Row[]) {
  const preferred = ['items', 'hits', 'lift', 'psi_contribution', 'review_rate', 'share'];
  return preferred.find((c) => cols.includes(c)) || cols.find((c) => typeof rows[0][c] === 'number');
}
function dataTable(rows: Row[]) {
  const cols = Object.keys(rows[0]);
  return h('table', {}, h('thead', {}, h('tr', {}, cols.map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', {}, rows.map((r) => h('tr', {}, cols.map((c) => h('td', {}, r[c] === null ? '' : String(r[c])))))));
}

/** Horizontal bars: one per row, label from the row's categories. */
function barChart(rows: Row[], valueCol: string) {
  const cols = Object.keys(rows[0]);
  const shown = rows.slice(0, 40);
  const max = Math.max(...shown.map((r) => Math.abs(Number(r[valueCol]) || 0)), 1e-9);
  const rowH = 22, width = 720, labelW = 300;
  const svg = svgEl('svg', { viewBox: `0 0 ${width} ${shown.length * rowH}`, role: 'img', 'aria-label': `${valueCol} per row (bar chart)` });
  shown.forEach((r, i) => {
    const v = Number(r[valueCol]) || 0;
    const barW = Math.max(1, (Math.abs(v) / max) * (width - labelW - 70));
    svg.append(svgText(0, i * rowH + 15, insightRowLabel(r, cols).slice(0, 44)),
      svgEl('rect', { x: labelW, y: i * rowH + 3, height: rowH - 6, width: barW, class: 'svg-bar' }),
      svgText(labelW + barW + 6, i * rowH + 15, String(v)));
  });
  return svg;
}

/** Vertical bars over ordered buckets (confidence histogram). */
function histogram(found: Row[]) {
  // Every bucket from 0.0 to 0.9 is drawn, empty ones too, so the shape reads at a glance.
  const rows = Array.from({ length: 10 }, (_, i) => found.find((r) => Math.round(Number(r.bucket_from) * 10) === i) || { bucket_from: i / 10, items: 0 });
  const width = 720, height = 220, pad = 30, barW = (width - pad) / rows.length;
  const max = Math.max(...rows.map((r) => Number(r.items)), 1);
  const svg = svgEl('svg', { viewBox: `0 0 ${width} ${height + 24}`, role: 'img', 'aria-label': 'items per confidence bucket (histogram)' });
  rows.forEach((r, i) => {
    const hgt = (Number(r.items) / max) * height;
    svg.append(svgEl('rect', { x: pad + i * barW + 2, y: height - hgt, width: barW - 4, height: Math.max(1, hgt), class: 'svg-bar' }),
      svgText(pad + i * barW + 4, height + 16, Number(r.bucket_from).toFixed(1)));
  });
  svg.append(svgText(0, 12, String(max)));
  return svg;
}

/** One line per category over an ordered x column (dt or month). */
function timeSeries(rows: Row[], xCol: string) {
  const xs = [...new Set(rows.map((r) => r[xCol]))].sort();
  const series = new Map<string, Map<unknown, number>>();
  for (const r of rows) {
    const k = categoryOf(r);
    if (!series.has(k)) series.set(k, new Map());
    series.get(k)?.set(r[xCol], Number(r.items));
  }
  const width = 720, height = 240, left = 40, right = 200;
  const max = Math.max(...rows.map((r) => Number(r.items)), 1);
  const x = (i: number) => left + (xs.length > 1 ? (i / (xs.length - 1)) * (width - left - right) : 0);
  const y = (v: number) => height - (v / max) * (height - 10);
  const svg = svgEl('svg', { viewBox: `0 0 ${width} ${height + 24}`, role: 'img', 'aria-label': `items per category over ${xCol} (time series)` });
  xs.forEach((v, i) => svg.append(svgText(x(i) - 18, height + 16, String(v))));
  svg.append(svgText(0, 12, String(max)));
  [...series.entries()].forEach(([name, points], n) => {
    const hue = (n * 47) % 360;
    const d = xs.map((v, i) => `${i ? 'L' : 'M'}${x(i).toFixed(1)} ${y(points.get(v) || 0).toFixed(1)}`).join(' ');
    svg.append(svgEl('path', { d, fill: 'none', stroke: `hsl(${hue} 60% 45%)`, 'stroke-width': 2 }),
      svgText(width - right + 8, 14 + n * 14, name.slice(0, 30), { fill: `hsl(${hue} 60% 35%)` }));
  });
  return svg;
}

function insightChart(name: string, rows: Row[]) {
  if (!rows.length) return h('p', {}, 'No rows: the lake has no data for this query yet (classify a file first).');
  const valueCol = valueColumn(Object.keys(rows[0]), rows);
  const chart = name === 'confidence_histogram' ? histogram(rows)
    : name === 'category_by_day' ? timeSeries(rows, 'dt')
    : name === 'seasonality' ? timeSeries(rows, 'month')
    : valueCol ? barChart(rows, valueCol) : '';
  return h('div', { class: 'insight' }, chart, dataTable(rows));
}

async function refreshInsights() {
  const list = $('#insights-list');
  try {
    const { data } = await api<{ items: { name: string; description: string }[] }>('GET', '/v1/insights');
    list.replaceChildren(...data.items.map((q) => h('button', { type: 'button', title: q.description, onclick: () => runInsight(q.name) }, q.name.replace(/_/g, ' '))));
  } catch (err) {
    list.replaceChildren(h('p', {}, err instanceof ApiError && err.status === 404 ? 'Insights are not available on this server.' : errorText(err)));
  }
}

async function runInsight(name: string) {
  const out = $('#insights');
  const job = $<HTMLInputElement>('#insights-job').value.trim();
  out.replaceChildren(h('p', {}, `Running ${name}…`));
  try {
    const { data } = await api<{ job: string | null; rows: Row[] }>('GET', `/v1/insights/${encodeURIComponent(name)}${job ? `?job=${encodeURIComponent(job)}` : ''}`);
    out.replaceChildren(h('h2', {}, name.replace(/_/g, ' ') + (data.job ? ` · ${data.job}` : '')), insightChart(name, data.rows));
  } catch (err) {
    showError(out, err);
  }
}
whenShown('insights', refreshInsights);
