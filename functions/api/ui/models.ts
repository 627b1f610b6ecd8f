import { api, errorText, showError } from './api.ts';
import { $, h } from './dom.ts';
import { whenShown } from './tabs.ts';

/** The models tab: champion and challengers with their metrics and confusion matrix, and a retrain button. */
type Matrix = number[][];
type Confusion = Matrix | { labels?: string[]; matrix?: Matrix };
interface Metrics { validation?: { confusion?: Confusion }; confusion?: Confusion; confusionMatrix?: Confusion; confusion_matrix?: Confusion; labels?: string[] }
interface ModelVersion { version: string; createdAt: string; metrics: Metrics & Record<string, unknown> }

/** The numeric metrics, nested ones named by their path (two levels down; thresholds and the matrix left out). */
function metricRows(metrics: Record<string, unknown>): [string, number][] {
  const rows: [string, number][] = [];
  const walk = (obj: object, prefix: string) => {
    for (const [k, v] of Object.entries(obj)) {
      if (typeof v === 'number') rows.push([prefix + k, v]);
      else if (v && typeof v === 'object' && !Array.isArray(v) && prefix.split('.').length < 3 && !/confusion|threshold/i.test(k)) walk(v, `${prefix + k}.`);
    }
  };
  walk(metrics, '');
  return rows;
}

function confusion(m: Metrics) {
  // metrics.json of a trained or shipped model keeps it under validation; other trainers may put it on top.
  const c = m.validation?.confusion || m.confusion || m.confusionMatrix || m.confusion_matrix;
  if (!c) return null;
  const matrix = Array.isArray(c) ? c : c.matrix;
  const labels = (!Array.isArray(c) && c.labels) || m.labels || [];
  if (!Array.isArray(matrix)) return null;
  const max = Math.max(1, ...matrix.flat());
  const cell = (v: number) => h('td', { style: `background: rgba(37, 99, 235, ${(v / max).toFixed(2)})${v / max > 0.5 ? ';color:#fff' : ''}` }, String(v));
  return h('table', { class: 'confusion' }, h('caption', {}, 'Confusion matrix (rows: truth, columns: predicted)'),
    h('thead', {}, h('tr', {}, h('th', {}), matrix.map((_, j) => h('th', { scope: 'col', title: labels[j] || '' }, String(j + 1))))),
    h('tbody', {}, matrix.map((row, i) => h('tr', {}, h('th', { scope: 'row' }, `${i + 1}. ${labels[i] || ''}`), row.map(cell)))));
}

function modelCard(m: ModelVersion, title: string) {
  return h('article', { class: 'card model' }, h('h2', {}, `${title}: `, h('code', {}, m.version)), h('p', {}, `created ${m.createdAt}`),
    h('table', {}, h('tbody', {}, metricRows(m.metrics).map(([k, v]) => h('tr', {}, h('th', { scope: 'row' }, k), h('td', {}, v <= 1 ? v.toFixed(4) : String(v)))))),
    confusion(m.metrics));
}

async function refreshModels() {
  const out = $('#models');
  try {
    const { data } = await api<{ champion: ModelVersion | null; challengers: ModelVersion[] }>('GET', '/v1/models');
    out.replaceChildren(h('div', { class: 'models' },
      data.champion ? modelCard(data.champion, 'Champion') : h('p', {}, 'No champion yet: run aisle train.'),
      ...data.challengers.map((m) => modelCard(m, 'Challenger'))));
  } catch (err) {
    showError(out, err);
  }
}

$('#models-refresh').addEventListener('click', refreshModels);
$('#retrain').addEventListener('click', async () => {
  try {
    const { data } = await api<{ id: string }>('POST', '/v1/models/retrain');
    $('#models-status').textContent = `Retraining started: run ${data.id}.`;
  } catch (err) {
    $('#models-status').textContent = errorText(err);
  }
});
whenShown('models', refreshModels);
