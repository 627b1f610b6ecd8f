import { api, apiBlob, attempt, type Job } from './api.ts';
import { $, html, onClick, pct, say, show } from './dom.ts';
import { whenShown } from './tabs.ts';

/** The jobs tab: a CSV dropped or chosen starts a job; the table follows it (polled every POLL_MS) to its downloads. */
const status = say('#job-status');
/** A running job's record moves a few times a second (rows in and out): polled this often, the table stays live. */
const POLL_MS = 500;

const download = (what: 'result' | 'rejects', href: string, job: string) =>
  html`<button type="button" class="download-${what}" data-href="${href}" data-file="${job}.${what}.csv">${what === 'result' ? 'Results' : 'Rejects'}</button>`;

/** Chunks that failed for good (a partial job): how many rows each and why, so that the operator can redrive them. */
const failures = (j: Job) =>
  j.failedChunks.length > 0 &&
  html`<details class="job-failures"><summary>${j.failed} rows failed in ${j.failedChunks.length} chunk${j.failedChunks.length === 1 ? '' : 's'}</summary><ul>${j.failedChunks.map(
    (f) => html`<li>chunk <code>${f.chunk}</code> (${f.rows} rows): ${f.reason}</li>`,
  )}</ul></details>`;

function jobRow(j: Job) {
  const { result, rejects } = j.links; // present once the job has ended (done or partial)
  return html`<tr data-job="${j.id}"><td><code>${j.id}</code><br><small>${j.input.split('/').pop()}</small></td>
    <td class="job-status">${j.status}${j.error && `: ${j.error}`}${failures(j)}</td>
    <td><progress max="1"${j.progress !== null && html` value="${j.progress}"`} aria-label="Progress of job ${j.id}"></progress> ${j.progress !== null && pct(j.progress)}</td>
    <td>${j.rowsIn}</td><td>${j.classified}</td><td>${j.rejected}</td><td>${j.needsReview}</td>
    <td>${result && rejects ? [download('result', result, j.id), ' ', download('rejects', rejects, j.id)] : '—'}</td></tr>`;
}

let polling: number | undefined;
async function refreshJobs() {
  await attempt(async () => {
    const { data } = await api<{ items: Job[] }>('GET', '/v1/jobs?limit=20');
    show($('#jobs tbody'), data.items.map(jobRow));
    const active = data.items.some((j) => j.status !== 'done' && j.status !== 'partial' && j.status !== 'failed');
    clearTimeout(polling);
    if (active && !$('#panel-jobs').hidden) polling = setTimeout(refreshJobs, POLL_MS);
  }, status);
}

onClick($('#jobs'), 'button[data-href]', ({ dataset }) =>
  attempt(async () => {
    const url = URL.createObjectURL(await apiBlob(String(dataset.href)));
    const a = Object.assign(document.createElement('a'), { href: url, download: String(dataset.file) });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
  }, status),
);

async function upload(file: File | undefined) {
  if (!file) return;
  const form = new FormData();
  form.append('file', file, file.name);
  status(`Uploading ${file.name}…`);
  await attempt(async () => {
    const { data } = await api<{ job: Job }>('POST', '/v1/jobs', form);
    status(`Job ${data.job.id} started for ${file.name}.`);
    refreshJobs();
  }, status);
}

const drop = $('#drop');
const fileInput = $<HTMLInputElement>('#job-file');
drop.addEventListener('dragover', (e) => {
  e.preventDefault();
  drop.classList.add('over');
});
drop.addEventListener('dragleave', () => drop.classList.remove('over'));
drop.addEventListener('drop', (e) => {
  e.preventDefault();
  drop.classList.remove('over');
  upload(e.dataTransfer?.files[0]);
});
drop.addEventListener('keydown', (e) => {
  if (e.key === 'Enter' || e.key === ' ') {
    e.preventDefault();
    fileInput.click();
  }
});
fileInput.addEventListener('change', () => {
  upload(fileInput.files?.[0]);
  fileInput.value = '';
});
whenShown('jobs', refreshJobs);
