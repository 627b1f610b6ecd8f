import { alertIn, api, attempt, listedClass, loadedClasses, numberedName } from './api.ts';
import { $, html, say, show } from './dom.ts';
import { whenShown } from './tabs.ts';

/** The models tab: champion and challengers with their metrics and confusion matrix, and a retrain button. */
/** metrics.json as the project's trainers write it (functions/model/metrics.ts, models/deberta/train.py). */
type Metrics = { validation?: { confusion?: { classIds?: string[]; labels?: string[]; matrix?: number[][] } } };
type ModelVersion = { version: string; createdAt: string; metrics: Metrics & Record<string, unknown> };

/** The numeric metrics, nested ones named by their path (two levels down; thresholds and the matrix left out). */
function metricRows(metrics: Record<string, unknown>): [string, number][] {
  const rows: [string, number][] = [];
  const walk = (obj: object, prefix: string) => {
    for (const [k, v] of Object.entries(obj)) {
      if (typeof v === 'number') rows.push([prefix + k, v]);
      else if (v && typeof v === 'object' && !Array.isArray(v) && prefix.split('.').length < 3 && !/confusion|threshold/i.test(k))
        walk(v, `${prefix + k}.`);
    }
  };
  walk(metrics, '');
  return rows;
}

/** Rows and columns are numbered as the classes are on every tab (a class of another taxonomy keeps its label). */
function confusion(m: Metrics) {
  const { matrix, classIds = [], labels = [] } = m.validation?.confusion ?? {};
  if (!Array.isArray(matrix)) return null;
  const classAt = (i: number) => classIds[i] ?? labels[i] ?? '';
  const name = (i: number) => numberedName(classAt(i), labels[i]);
  const number = (i: number) => String(listedClass(classAt(i))?.number ?? labels[i] ?? '?');
  const max = Math.max(1, ...matrix.flat());
  const cell = (v: number) => html`<td style="background: rgba(37, 99, 235, ${(v / max).toFixed(2)})${v / max > 0.5 && ';color:#fff'}">${v}</td>`;
  return html`<table class="confusion"><caption>Confusion matrix (rows: truth, columns: predicted)</caption>
    <thead><tr><th></th>${matrix.map((_, j) => html`<th scope="col" title="${name(j)}">${number(j)}</th>`)}</tr></thead>
    <tbody>${matrix.map((row, i) => html`<tr><th scope="row">${name(i)}</th>${row.map(cell)}</tr>`)}</tbody></table>`;
}

const modelCard = (
  m: ModelVersion,
  title: string,
) => html`<article class="card model"><h2>${title}: <code>${m.version}</code></h2><p>created ${m.createdAt}</p>
  <table><tbody>${metricRows(m.metrics).map(([k, v]) => html`<tr><th scope="row">${k}</th><td>${v <= 1 ? v.toFixed(4) : v}</td></tr>`)}</tbody></table>
  ${confusion(m.metrics)}</article>`;

async function refreshModels() {
  const out = $('#models');
  await attempt(async () => {
    await loadedClasses();
    const { data } = await api<{ champion: ModelVersion | null; challengers: ModelVersion[] }>('GET', '/v1/models');
    const champion = data.champion ? modelCard(data.champion, 'Champion') : html`<p>No champion yet: run aisle train.</p>`;
    show(out, html`<div class="models">${champion}${data.challengers.map((m) => modelCard(m, 'Challenger'))}</div>`);
  }, alertIn(out));
}

/** A retraining run as GET /v1/models/retrain/{id} answers it. */
interface TrainingRunView {
  id: string;
  status: 'running' | 'succeeded' | 'failed';
  progress?: string;
  detail?: string;
  error?: string;
}

$('#models-refresh').addEventListener('click', refreshModels);
const status = say('#models-status');
$('#retrain').addEventListener('click', () =>
  attempt(async () => {
    const { data } = await api<TrainingRunView>('POST', '/v1/models/retrain');
    status(`Retraining started: run ${data.id}.`);
    // Followed until it ends: the trainer's latest line while it runs, then the models it left.
    for (let run = data; run.status === 'running'; ) {
      await new Promise((r) => setTimeout(r, 1000));
      run = (await api<TrainingRunView>('GET', `/v1/models/retrain/${encodeURIComponent(data.id)}`)).data;
      if (run.status === 'running') status(`Retraining (run ${run.id}): ${run.progress ?? 'started'}`);
      else if (run.status === 'failed') throw new Error(`retraining failed: ${run.error ?? 'no reason given'}`);
      else {
        status(`Retraining done (run ${run.id}): ${run.detail ?? 'see the models below'}.`);
        await refreshModels();
      }
    }
  }, status),
);
whenShown('models', refreshModels);
