import { ApiError, alertIn, api, attempt, errorText } from './api.ts';
import { $, type Html, html, show, table } from './dom.ts';
import { whenShown } from './tabs.ts';

/**
 * The Shoppers tab: every named shopper insight (GET /v1/shoppers/insights) as a chart over its table, one after
 * the other, with the two parameters every insight takes. Charts are inline SVG (no library): bars for ranked
 * rows, columns over time for the seasonality queries.
 */
type Row = Record<string, unknown>;
interface Insight {
  name: string;
  description: string;
}
const WIDTH = 720;

/** What each insight plots: a label per row and the measure; `over` draws columns in the label's order (time). */
interface ChartSpec {
  label: (r: Row) => string;
  value: string;
  over?: boolean;
}
const joined = (...parts: unknown[]) => parts.filter((p) => p !== null && p !== undefined && p !== '').join(' · ');
const CHARTS: Record<string, ChartSpec> = {
  demographics_by_category: { label: (r) => joined(r.category, r.value), value: 'skew_index' },
  browsing_time_by_category: { label: (r) => joined(r.category, r.gender), value: 'browsing_min' },
  seasonality_by_month: { label: (r) => String(r.month), value: 'sessions', over: true },
  seasonality_by_week: { label: (r) => String(r.week), value: 'sessions', over: true },
  seasonality_by_hour: { label: (r) => String(r.hour), value: 'events', over: true },
  top_purchased_categories: { label: (r) => String(r.category), value: 'purchases' },
  frequent_category_sets: { label: (r) => `${r.antecedent} → ${r.consequent}`, value: 'lift' },
  top_search_terms_by_category: { label: (r) => joined(r.category, r.search_term), value: 'searches' },
  searches_without_results: { label: (r) => String(r.search_term), value: 'searches' },
  search_conversion_by_category: { label: (r) => String(r.category), value: 'conversion' },
};
/** An insight the tab has no spec for (added later) still gets bars: its first text column by its first number. */
function specOf(name: string, rows: Row[]): ChartSpec | undefined {
  if (CHARTS[name]) return CHARTS[name];
  const cols = Object.keys(rows[0]);
  const text = cols.find((c) => typeof rows[0][c] === 'string');
  const value = cols.find((c) => typeof rows[0][c] === 'number' && c !== 'rank');
  return value ? { label: (r) => String(text ? r[text] : ''), value } : undefined;
}

const svgText = (x: number, y: number, text: unknown, anchor = 'start') => html`<text x="${x}" y="${y}" text-anchor="${anchor}">${text}</text>`;
const svg = (height: number, label: string, parts: Html[]) =>
  html`<svg viewBox="0 0 ${WIDTH} ${height}" role="img" aria-label="${label}">${parts}</svg>`;
const shown = (v: number) => (Number.isInteger(v) ? String(v) : v.toFixed(2));

/** Horizontal bars, one per row (the first 30). */
function bars(name: string, rows: Row[], spec: ChartSpec) {
  const [rowH, labelW] = [22, 300];
  const kept = rows.slice(0, 30);
  const values = kept.map((r) => Number(r[spec.value]) || 0);
  const max = Math.max(...values, 1e-9);
  const parts = kept.map((r, i) => {
    const width = Math.max(1, (values[i] / max) * (WIDTH - labelW - 70));
    return html`${svgText(0, i * rowH + 15, spec.label(r).slice(0, 44))}
      <rect x="${labelW}" y="${i * rowH + 3}" height="${rowH - 6}" width="${width}" class="svg-bar"><title>${spec.label(r)}: ${shown(values[i])}</title></rect>${svgText(labelW + width + 6, i * rowH + 15, shown(values[i]))}`;
  });
  return svg(kept.length * rowH, `${name}: ${spec.value} per row (bar chart)`, parts);
}

/** Vertical columns in the rows' order (month, week, hour), the label under every few. */
function columns(name: string, rows: Row[], spec: ChartSpec) {
  const [height, pad] = [200, 36];
  const values = rows.map((r) => Number(r[spec.value]) || 0);
  const max = Math.max(...values, 1e-9);
  const w = (WIDTH - pad) / rows.length;
  const every = Math.ceil(rows.length / 12);
  const parts = rows.map((r, i) => {
    const h = (values[i] / max) * height;
    return html`<rect x="${pad + i * w + 1}" y="${height - h}" width="${Math.max(1, w - 2)}" height="${Math.max(1, h)}" class="svg-bar"><title>${spec.label(r)}: ${shown(values[i])}</title></rect>
      ${i % every === 0 ? svgText(pad + i * w + w / 2, height + 16, spec.label(r), 'middle') : ''}`;
  });
  return svg(height + 24, `${name}: ${spec.value} over ${rows.length} periods (column chart)`, [svgText(0, 12, shown(max)), ...parts]);
}

function insightView(q: Insight, rows: Row[]) {
  const heading = html`<h2>${q.name.replace(/_/g, ' ')}</h2><p class="help">${q.description}</p>`;
  if (!rows.length)
    return html`<section class="insight" data-insight="${q.name}">${heading}<p>No rows: no shopper logs processed yet, or none qualify.</p></section>`;
  const spec = specOf(q.name, rows);
  const chart = spec && (spec.over ? columns(q.name, rows, spec) : bars(q.name, rows, spec));
  const cols = Object.keys(rows[0]);
  const cells = rows.map((r) => cols.map((c) => (r[c] === null ? '' : String(r[c]))));
  return html`<section class="insight" data-insight="${q.name}">${heading}${chart}<details><summary>Table (${rows.length} rows)</summary>${table(cols, cells)}</details></section>`;
}

/** Lists the insights and runs each with the parameters in the form; an answer after a later refresh is dropped. */
let runs = 0;
async function refreshShoppers() {
  const out = $('#shoppers');
  const run = ++runs;
  const params = new URLSearchParams();
  for (const [field, key] of [
    ['#shoppers-support', 'min_support'],
    ['#shoppers-top', 'top'],
  ]) {
    const value = $<HTMLInputElement>(field).value.trim();
    if (value) params.set(key, value);
  }
  show(out, html`<p>Running the shopper insights…</p>`);
  try {
    const { data } = await api<{ items: Insight[] }>('GET', '/v1/shoppers/insights');
    const views: Html[] = [];
    for (const q of data.items) {
      const answer = await api<{ rows: Row[] }>('GET', `/v1/shoppers/insights/${encodeURIComponent(q.name)}?${params}`);
      views.push(insightView(q, answer.data.rows));
      if (run !== runs) return;
      show(out, views);
    }
  } catch (err) {
    if (run !== runs) return;
    if (err instanceof ApiError && err.status === 404) show(out, html`<p>Shopper insights are not available on this server.</p>`);
    else alertIn(out)(errorText(err));
  }
}

$('#shoppers-form').addEventListener('submit', (e) => {
  e.preventDefault();
  attempt(refreshShoppers, alertIn($('#shoppers')));
});
whenShown('shoppers', refreshShoppers);
