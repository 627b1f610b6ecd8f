import { ApiError, alertIn, api, attempt, errorText } from './api.ts';
import { $, type Html, html, onClick, show, table } from './dom.ts';
import { whenShown } from './tabs.ts';

/** The insights tab: the named lake queries as buttons, each answer as a chart (inline SVG, no library) over its table. */
type Row = Record<string, unknown>;
const WIDTH = 720;
const svgText = (x: number, y: number, text: unknown, fill?: string) => html`<text x="${x}" y="${y}"${fill && html` fill="${fill}"`}>${text}</text>`;
const svg = (height: number, label: string, ...parts: Html[][]) =>
  html`<svg viewBox="0 0 ${WIDTH} ${height}" role="img" aria-label="${label}">${parts}</svg>`;
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

/** One line per category over an ordered x column (dt or month). */
function timeSeries(rows: Row[], xCol: string) {
  const [height, left, right] = [240, 40, 200];
  const xs = [...new Set(rows.map((r) => r[xCol]))].sort();
  const series = new Map<string, Map<unknown, number>>();
  for (const r of rows) series.set(categoryOf(r), (series.get(categoryOf(r)) ?? new Map()).set(r[xCol], Number(r.items)));
  const max = Math.max(...rows.map((r) => Number(r.items)), 1);
  const x = (i: number) => left + (xs.length > 1 ? (i / (xs.length - 1)) * (WIDTH - left - right) : 0);
  const y = (v: number) => height - (v / max) * (height - 10);
  const lines = [...series.entries()].map(([name, points], n) => {
    const hue = (n * 47) % 360;
    const d = xs.map((v, i) => `${i ? 'L' : 'M'}${x(i).toFixed(1)} ${y(points.get(v) || 0).toFixed(1)}`).join(' ');
    return html`<path d="${d}" fill="none" stroke="hsl(${hue} 60% 45%)" stroke-width="2"></path>
      ${svgText(WIDTH - right + 8, 14 + n * 14, name.slice(0, 30), `hsl(${hue} 60% 35%)`)}`;
  });
  const ticks = xs.map((v, i) => svgText(x(i) - 18, height + 16, v));
  return svg(height + 24, `items per category over ${xCol} (time series)`, ticks, [svgText(0, 12, max)], lines);
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

async function refreshInsights() {
  const list = $('#insights-list');
  try {
    const { data } = await api<{ items: { name: string; description: string }[] }>('GET', '/v1/insights');
    const button = (q: { name: string; description: string }) =>
      html`<button type="button" title="${q.description}" data-query="${q.name}">${q.name.replace(/_/g, ' ')}</button>`;
    show(list, data.items.map(button));
  } catch (err) {
    show(list, html`<p>${err instanceof ApiError && err.status === 404 ? 'Insights are not available on this server.' : errorText(err)}</p>`);
  }
}

onClick($('#insights-list'), 'button[data-query]', async ({ dataset: { query: name = '' } }) => {
  const out = $('#insights');
  const job = $<HTMLInputElement>('#insights-job').value.trim();
  show(out, html`<p>Running ${name}…</p>`);
  await attempt(async () => {
    const query = job ? `?job=${encodeURIComponent(job)}` : '';
    const { data } = await api<{ job: string | null; rows: Row[] }>('GET', `/v1/insights/${encodeURIComponent(name)}${query}`);
    show(out, html`<h2>${name.replace(/_/g, ' ')}${data.job && ` · ${data.job}`}</h2>${insightChart(name, data.rows)}`);
  }, alertIn(out));
});
whenShown('insights', refreshInsights);
