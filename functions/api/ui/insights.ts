import { ApiError, alertIn, api, attempt, errorText, listedClass, loadedClasses, numberedName } from './api.ts';
import { $, type Html, html, onClick, show, table } from './dom.ts';
import { whenShown } from './tabs.ts';

/**
 * The insights tab: the named lake queries as buttons, each answer as a chart (inline SVG, no library) over its
 * table. It opens on the category mix by day; categories are named, numbered and coloured as on every tab.
 */
type Row = Record<string, unknown>;
const WIDTH = 720;
const DEFAULT_QUERY = 'category_by_day';
const svgText = (x: number, y: number, text: unknown, fill?: string) => html`<text x="${x}" y="${y}"${fill && html` fill="${fill}"`}>${text}</text>`;
const svg = (height: number, label: string, ...parts: Html[][]) =>
  html`<svg viewBox="0 0 ${WIDTH} ${height}" role="img" aria-label="${label}">${parts}</svg>`;
/** A row's category as the lake spells it ("Food > Beverages"; "Non-Food" alone when Level-1-only), '' for none. */
const labelOf = (r: Row) => (r.level2 ? `${r.level1} > ${r.level2}` : String(r.level1 ?? ''));
const nameOf = (label: string) => (label ? numberedName(label) : '(unknown)');
const categoryOf = (r: Row) => nameOf(labelOf(r));
/** A class's colour, from its number: the same on every chart; grey for none. */
const colourOf = (label: string) => {
  const n = listedClass(label)?.number;
  return n === undefined ? 'hsl(0 0% 45%)' : `hsl(${(n * 47) % 360} 60% 40%)`;
};

function insightRowLabel(r: Row, cols: string[]) {
  if ('antecedent_1' in r) return `${r.antecedent_1} + ${r.antecedent_2} → ${r.consequent}`;
  if ('antecedent' in r) return `${r.antecedent} → ${r.consequent}`;
  if ('product_name' in r) return `${r.product_name} · ${categoryOf(r)}`;
  if ('level1' in r) return ('job_id' in r && !('psi' in r) ? `${r.job_id} · ` : '') + categoryOf(r);
  const c = cols.find((k) => typeof r[k] === 'string');
  return c ? String(r[c]) : '';
}

/** What a bar chart plots: a measure named so, else the first number that is not a row number, id or key. */
const MEASURES = ['items', 'hits', 'lift', 'psi_contribution', 'review_rate', 'share', 'confidence'];
const NOT_A_MEASURE = /(^|_)(no|id|key)$/;
const valueColumn = (cols: string[], rows: Row[]) =>
  MEASURES.find((c) => cols.includes(c)) ?? cols.find((c) => typeof rows[0][c] === 'number' && !NOT_A_MEASURE.test(c));

/** Horizontal bars: one per row (the first 40), label from the row's categories. */
function barChart(rows: Row[], valueCol: string) {
  const [rowH, labelW] = [22, 300];
  const cols = Object.keys(rows[0]);
  const values = rows.slice(0, 40).map((r) => Number(r[valueCol]) || 0);
  const max = Math.max(...values.map(Math.abs), 1e-9);
  const bars = values.map((v, i) => {
    const width = Math.max(1, (Math.abs(v) / max) * (WIDTH - labelW - 70));
    return html`${svgText(0, i * rowH + 15, insightRowLabel(rows[i], cols).slice(0, 44))}
      <rect x="${labelW}" y="${i * rowH + 3}" height="${rowH - 6}" width="${width}" class="svg-bar"></rect>${svgText(labelW + width + 6, i * rowH + 15, v)}`;
  });
  return svg(values.length * rowH, `${valueCol} per row (bar chart)`, bars);
}

/** Vertical bars over ordered buckets (confidence histogram). */
function histogram(found: Row[]) {
  const [height, pad] = [220, 30];
  // Every bucket from 0.0 to 0.9 is drawn, empty ones too, so the shape reads at a glance.
  const bucket = (i: number) => found.find((r) => Math.round(Number(r.bucket_from) * 10) === i) ?? { bucket_from: i / 10, items: 0 };
  const rows = Array.from({ length: 10 }, (_, i) => bucket(i));
  const max = Math.max(...rows.map((r) => Number(r.items)), 1);
  const barW = (WIDTH - pad) / rows.length;
  const bars = rows.map((r, i) => {
    const h = (Number(r.items) / max) * height;
    return html`<rect x="${pad + i * barW + 2}" y="${height - h}" width="${barW - 4}" height="${Math.max(1, h)}" class="svg-bar"></rect>
      ${svgText(pad + i * barW + 4, height + 16, Number(r.bucket_from).toFixed(1))}`;
  });
  return svg(height + 24, 'items per confidence bucket (histogram)', bars, [svgText(0, 12, max)]);
}

/** One line per category over an ordered x column (dt or month), a dot on each point; a single day is drawn as bars. */
function timeSeries(rows: Row[], xCol: string) {
  const [height, left, right] = [240, 40, 20];
  const xs = [...new Set(rows.map((r) => String(r[xCol])))].sort();
  if (xs.length === 1) return barChart(rows, 'items');
  const series = new Map<string, Map<string, number>>();
  for (const r of rows) series.set(labelOf(r), (series.get(labelOf(r)) ?? new Map()).set(String(r[xCol]), Number(r.items)));
  const rank = (label: string) => listedClass(label)?.number ?? Number.POSITIVE_INFINITY;
  const ordered = [...series.entries()].sort(([a], [b]) => rank(a) - rank(b));
  const max = Math.max(...rows.map((r) => Number(r.items)), 1);
  const x = (i: number) => left + (i / (xs.length - 1)) * (WIDTH - left - right);
  const y = (v: number) => height - (v / max) * (height - 10);
  const lines = ordered.map(([label, counts]) => {
    const colour = colourOf(label);
    const points = xs.map((v, i) => [x(i), y(counts.get(v) || 0)].map((n) => n.toFixed(1)));
    const d = points.map(([px, py], i) => `${i ? 'L' : 'M'}${px} ${py}`).join(' ');
    return html`<path d="${d}" fill="none" stroke="${colour}" stroke-width="2"></path>
      ${points.map(([px, py]) => html`<circle cx="${px}" cy="${py}" r="4" fill="${colour}"></circle>`)}`;
  });
  const ticks = xs.map((v, i) => svgText(x(i) - 18, height + 16, v));
  const legend = ordered.map(([label]) => html`<li><span class="swatch" style="background:${colourOf(label)}"></span>${nameOf(label)}</li>`);
  return html`${svg(height + 24, `items per category over ${xCol} (time series)`, ticks, [svgText(0, 12, max)], lines)}
    <ul class="legend" aria-label="Categories">${legend}</ul>`;
}

const CHARTS: Record<string, (rows: Row[]) => Html> = {
  confidence_histogram: histogram,
  category_by_day: (rows) => timeSeries(rows, 'dt'),
  seasonality: (rows) => timeSeries(rows, 'month'),
};

function insightChart(name: string, rows: Row[]) {
  if (!rows.length) return html`<p>No rows: the lake has no data for this query yet (classify a file first).</p>`;
  const cols = Object.keys(rows[0]);
  const valueCol = valueColumn(cols, rows);
  const chart = CHARTS[name]?.(rows) ?? (valueCol && barChart(rows, valueCol));
  const cells = rows.map((r) => cols.map((c) => (r[c] === null ? '' : String(r[c]))));
  return html`<div class="insight">${chart}${table(cols, cells)}</div>`;
}

/** Runs a named query and shows its chart; an answer that comes after a later click is dropped. */
let runs = 0;
let showing = '';
async function showQuery(name: string) {
  const out = $('#insights');
  const job = $<HTMLInputElement>('#insights-job').value.trim();
  const run = ++runs;
  showing = name;
  for (const b of document.querySelectorAll<HTMLElement>('#insights-list button')) b.setAttribute('aria-pressed', String(b.dataset.query === name));
  show(out, html`<p>Running ${name}…</p>`);
  await attempt(async () => {
    const query = job ? `?job=${encodeURIComponent(job)}` : '';
    const [{ data }] = await Promise.all([
      api<{ job: string | null; rows: Row[] }>('GET', `/v1/insights/${encodeURIComponent(name)}${query}`),
      loadedClasses(),
    ]);
    if (run === runs) show(out, html`<h2>${name.replace(/_/g, ' ')}${data.job && ` · ${data.job}`}</h2>${insightChart(name, data.rows)}`);
  }, alertIn(out));
}

/** Lists the queries; the first time, shows the default one's chart, so the tab never opens on an empty page. */
async function refreshInsights() {
  const list = $('#insights-list');
  try {
    const { data } = await api<{ items: { name: string; description: string }[] }>('GET', '/v1/insights');
    const button = (q: { name: string; description: string }) =>
      html`<button type="button" title="${q.description}" data-query="${q.name}" aria-pressed="${String(q.name === showing)}">${q.name.replace(/_/g, ' ')}</button>`;
    show(list, data.items.map(button));
    const first = data.items.find((q) => q.name === DEFAULT_QUERY) ?? data.items[0];
    if (!showing && first) await showQuery(first.name);
  } catch (err) {
    show(list, html`<p>${err instanceof ApiError && err.status === 404 ? 'Insights are not available on this server.' : errorText(err)}</p>`);
  }
}

onClick($('#insights-list'), 'button[data-query]', ({ dataset: { query: name = '' } }) => showQuery(name));
whenShown('insights', refreshInsights);
