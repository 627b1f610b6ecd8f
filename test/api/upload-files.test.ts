/** The API's job upload reads what `aisle classify` reads, with the same options (issue 20). */
import { gzipSync } from 'node:zlib';
import iconv from 'iconv-lite';
import { afterEach, describe, expect, it } from 'vitest';
import { auth, closeTestApis, makeTestApi } from './fixtures.ts';

// biome-ignore lint/suspicious/noExplicitAny: response bodies as the tests read them
type Json = any;

afterEach(closeTestApis);

describe('job upload of catalog files', () => {
  it('takes a gzip of a Windows-1252 CSV with a column named by name_column, names kept exactly', async () => {
    const t = await makeTestApi();
    const csv = iconv.encode('code;Bezeichnung lang;Warengruppe\n1;Crème fraîche 200 g;Molkerei\n2;Jalapeño chips;Snacks\n', 'windows-1252');
    const res = await t.app.request('/v1/jobs?filename=export.csv.gz&name_column=Bezeichnung%20lang', {
      method: 'POST',
      headers: auth(t.writeKey, { 'content-type': 'application/octet-stream' }),
      body: gzipSync(csv),
    });
    expect(res.status).toBe(202);
    const { job }: Json = await res.json();
    await t.service.jobs.idle();
    const done: Json = await (await t.app.request(`/v1/jobs/${job.id}`, { headers: auth(t.writeKey) })).json();
    expect(done).toMatchObject({ status: 'done', rowsIn: 2, rejected: 0 });
    const lines = (await (await t.app.request(done.links.result, { headers: auth(t.writeKey) })).text()).trim().split('\n');
    expect(lines[0]).toMatch(/^code;Bezeichnung lang;Warengruppe;level1;/);
    expect(lines.slice(1).map((l) => l.split(';')[1])).toEqual(['Crème fraîche 200 g', 'Jalapeño chips']);
  });

  it('refuses a field that is not an option (misspelt, or AWS-only) instead of reading the file another way', async () => {
    const t = await makeTestApi();
    const csv = 'code;Bezeichnung lang\n1;Whole Milk\n';
    const raw = await t.app.request('/v1/jobs?filename=x.csv&name_colum=Bezeichnung%20lang', {
      method: 'POST',
      headers: auth(t.writeKey, { 'content-type': 'text/csv' }),
      body: csv,
    });
    expect(raw.status).toBe(400);
    expect(((await raw.json()) as Json).error.details).toEqual([
      { path: 'name_colum', message: expect.stringMatching(/^not an option.*name_column/) },
    ]);
    const form = new FormData();
    form.append('file', new Blob([csv]), 'x.csv');
    form.append('out_format', 'tsv');
    const multipart = await t.app.request('/v1/jobs', { method: 'POST', headers: auth(t.writeKey), body: form });
    expect(multipart.status).toBe(400);
    expect(((await multipart.json()) as Json).error.details.map((d: Json) => d.path)).toEqual(['out_format']);
    expect(((await (await t.app.request('/v1/jobs', { headers: auth(t.writeKey) })).json()) as Json).items).toEqual([]);
  });

  it('takes the options as form fields beside the file, and refuses a column the file lacks', async () => {
    const t = await makeTestApi();
    const form = new FormData();
    form.append('file', new Blob(['{"label":"Whole Milk"}\n']), 'items.jsonl');
    form.append('name_column', 'title');
    const res = await t.app.request('/v1/jobs', { method: 'POST', headers: auth(t.writeKey), body: form });
    expect(res.status).toBe(202);
    const { job }: Json = await res.json();
    await t.service.jobs.idle();
    const failed: Json = await (await t.app.request(`/v1/jobs/${job.id}`, { headers: auth(t.writeKey) })).json();
    expect(failed.status).toBe('failed');
    expect(failed.error).toContain('--name-column "title": the file has no such column; found columns: "label"');
  });
});
