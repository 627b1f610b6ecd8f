import { api, apiBlob, errorText, type Job } from './api.ts';
import { $, h, pct } from './dom.ts';
import { whenShown } from './tabs.ts';

/** The jobs tab: a CSV dropped or chosen starts a job; the table follows it (polled each second) to its downloads. */
const status = (text: string) => ($('#job-status').textContent = text);

function jobRow(j: Job) {
  const { result, rejects } = j.links; // present once the job is done
  return h('tr', { 'data-job': j.id },
    h('td', {}, h('code', {}, j.id), h('br'), h('small', {}, j.input.split('/').pop())),
    h('td', { class: 'job-status' }, j.status + (j.error ? `: ${j.error}` : '')),
    h('td', {}, h('progress', { max: '1', value: j.progress === null ? undefined : String(j.progress), 'aria-label': `Progress of job ${j.id}` }),
      ' ', j.progress === null ? '' : pct(j.progress)),
    h('td', {}, String(j.rowsIn)), h('td', {}, String(j.classified)), h('td', {}, String(j.rejected)), h('td', {}, String(j.needsReview)),
    h('td', {}, result && rejects ? [
      h('button', { type: 'button', class: 'download-result', onclick: () => download(result, `${j.id}.result.csv`) }, 'Results'), ' ',
      h('button', { type: 'button', class: 'download-rejects', onclick: () => download(rejects, `${j.id}.rejects.csv`) }, 'Rejects'),
    ] : '—'));
}

let polling: number | undefined;
async function refreshJobs() {
  try {
    const { data } = await api<{ items: Job[] }>('GET', '/v1/jobs?limit=20');
    $('#jobs tbody').replaceChildren(...data.items.map(jobRow));
    const active = data.items.some((j) => j.status !== 'done' && j.status !== 'failed');
    clearTimeout(polling);
    if (active && !$('#panel-jobs').hidden) polling = setTimeout(refreshJobs, 1000);
  } catch (err) {
    status(errorText(err));
  }
}

async function download(path: string, filename: string) {
  try {
    const url = URL.createObjectURL(await apiBlob(path));
    const a = h('a', { href: url, download: filename });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
  } catch (err) {
    status(errorText(err));
  }
}

async function upload(file: File | undefined) {
  if (!file) return;
  const form = new FormData();
  form.append('file', file, file.name);
  status(`Uploading ${file.name}…`);
  try {
    const { data } = await api<{ job: Job }>('POST', '/v1/jobs', form);
    status(`Job ${data.job.id} started for ${file.name}.`);
    refreshJobs();
  } catch (err) {
    status(errorText(err));
  }
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
