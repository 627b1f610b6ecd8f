/**
 * A job's result and rejects CSVs through the API (issue 15 item 7): formula cells come neutralised, `?raw=1`
 * gives every cell exactly as it went in, and the JSON of the job's items keeps the original text.
 */
import { parse } from 'csv-parse/sync';
import { afterEach, describe, expect, it } from 'vitest';
import { isFormula, PAYLOAD_CSV, PAYLOAD_ROWS } from '../fixtures/csv-payloads.ts';
import { auth, closeTestApis, makeTestApi } from './fixtures.ts';

afterEach(closeTestApis);

describe('job CSVs and spreadsheet payloads', () => {
  it('serves result and rejects neutralised, and exactly as they went in with ?raw=1', async () => {
    const t = await makeTestApi();
    const res = await t.app.request('/v1/jobs?filename=payload.csv', {
      method: 'POST',
      headers: auth(t.writeKey, { 'content-type': 'text/csv' }),
      body: PAYLOAD_CSV,
    });
    expect(res.status).toBe(202);
    const { job } = (await res.json()) as { job: { id: string } };
    await t.service.jobs.idle();
    const get = async (path: string) => {
      const r = await t.app.request(path, { headers: auth(t.writeKey) });
      expect(r.status).toBe(200);
      return parse(await r.text(), { columns: true }) as Record<string, string>[];
    };

    const safe = await get(`/v1/jobs/${job.id}/result`);
    expect(safe.map((r) => [r.id, r.product_name, r.brand])).toEqual(PAYLOAD_ROWS.map((row) => row.map((v) => (isFormula(v) ? `'${v}` : v))));
    expect((await get(`/v1/jobs/${job.id}/rejects`)).map((r) => r.raw)).toEqual(["'=1+1,x,y,z", "'-3,,@b"]);

    const raw = await get(`/v1/jobs/${job.id}/result?raw=1`);
    expect(raw.map((r) => [r.id, r.product_name, r.brand])).toEqual(PAYLOAD_ROWS);
    // Only the cells change: the decisions are the same.
    expect(raw.map((r) => r.item_key)).toEqual(safe.map((r) => r.item_key));
    expect((await get(`/v1/jobs/${job.id}/rejects?raw=1`)).map((r) => r.raw)).toEqual(['=1+1,x,y,z', '-3,,@b']);

    // JSON keeps the text: the item behind a neutralised cell has its name as it went in.
    const item = await t.app.request(`/v1/items/${safe[0].item_key}`, { headers: auth(t.writeKey) });
    expect(item.status).toBe(200);
    expect(JSON.stringify(await item.json())).toContain(JSON.stringify(PAYLOAD_ROWS[0][1]).slice(1, -1));
  });
});
