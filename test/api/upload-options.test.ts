/** On AWS the job upload takes how to read the file and write its output as JSON fields, checked, for the presigned PUT (issue 20). */
import { afterEach, describe, expect, it } from 'vitest';
import type { ReadOptions } from '../../functions/core/input/read-options.ts';
import { closeTestApis, json, makeTestApi } from './fixtures.ts';

afterEach(closeTestApis);

async function awsApi() {
  const t = await makeTestApi();
  const asked: { filename: string; options?: ReadOptions }[] = [];
  const aws = await makeTestApi({
    jobs: {
      createUpload: async (filename, options) => {
        asked.push({ filename, options });
        return { jobId: 'j-1', method: 'PUT', url: 'https://inbox.example/x', headers: {}, expiresAt: '2026-11-22T01:00:00Z' };
      },
      get: t.service.jobs.get.bind(t.service.jobs),
      list: t.service.jobs.list.bind(t.service.jobs),
      artifact: async () => null,
      forTenant: () => aws.deps.jobs,
    },
  });
  const post = (body: object) => aws.app.request('/v1/jobs', { method: 'POST', headers: json(aws.writeKey), body: JSON.stringify(body) });
  return { asked, post };
}

describe('the presigned job upload with options', () => {
  it('passes the read options, the output delimiter and the BOM to the jobs service', async () => {
    const { asked, post } = await awsApi();
    const res = await post({
      filename: 'x.xlsx',
      name_column: 'Bezeichnung',
      text_columns: 'Bezeichnung,Marke',
      sheet: 'Artikel',
      out_format: 'tsv',
      bom: true,
    });
    expect(res.status).toBe(202);
    expect(asked).toEqual([
      {
        filename: 'x.xlsx',
        options: { name_column: 'Bezeichnung', text_columns: 'Bezeichnung,Marke', sheet: 'Artikel', out_format: 'tsv', bom: true },
      },
    ]);
  });

  it('refuses an output format finalize does not write, and an unknown field', async () => {
    const { asked, post } = await awsApi();
    for (const body of [
      { filename: 'x.csv', out_format: 'xlsx' },
      { filename: 'x.csv', name_colum: 'title' },
    ]) {
      const res = await post(body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('invalid_request');
    }
    expect(asked).toEqual([]);
  });
});
