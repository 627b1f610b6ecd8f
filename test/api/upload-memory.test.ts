/** A multipart upload is streamed to disk, never held in memory, and one over the size limit is refused as it arrives. */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { auth, closeTestApis, makeTestApi } from './fixtures.ts';

// biome-ignore lint/suspicious/noExplicitAny: response bodies as the tests read them
type Json = any;

afterEach(closeTestApis);

const BOUNDARY = 'aisle-test-boundary';
const CHUNK = 64 * 1024;

/**
 * A multipart form whose `file` part is `fileBytes` of CSV rows made as they are read (one chunk, sent again and
 * again), then the `fields`; `pulled` counts the bytes the server has asked for, `onPull` runs before each chunk.
 */
function streamedForm(fileBytes: number, fields: Record<string, string>, onPull: () => void = () => {}) {
  const head = Buffer.from(
    `--${BOUNDARY}\r\ncontent-disposition: form-data; name="file"; filename="big.csv"\r\ncontent-type: text/csv\r\n\r\nname\n`,
  );
  const row = 'Whole Milk 1 gal\n';
  const chunk = Buffer.from(row.repeat(Math.ceil(CHUNK / row.length)).slice(0, CHUNK));
  let tail = '';
  for (const [name, value] of Object.entries(fields)) tail += `\r\n--${BOUNDARY}\r\ncontent-disposition: form-data; name="${name}"\r\n\r\n${value}`;
  const end = Buffer.from(`${tail}\r\n--${BOUNDARY}--\r\n`);
  const state = { pulled: 0, fileBytes: 5 + fileBytes };
  let left = fileBytes;
  let started = false;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      onPull();
      let next: Buffer;
      if (!started) {
        started = true;
        next = head;
      } else if (left > 0) {
        next = left >= CHUNK ? chunk : chunk.subarray(0, left);
        left -= next.length;
      } else {
        controller.enqueue(end);
        state.pulled += end.length;
        controller.close();
        return;
      }
      state.pulled += next.length;
      controller.enqueue(next);
    },
  });
  return { body, state };
}

const uploadsOf = (home: string) => {
  try {
    return readdirSync(join(home, 'uploads'));
  } catch {
    return [];
  }
};

describe('multipart uploads', () => {
  it('refuses one over the configured limit with 413 while it arrives: the rest is never read, nothing is left on disk', async () => {
    const t = await makeTestApi({ maxUploadBytes: 256 * 1024 });
    const { body, state } = streamedForm(64 * 1024 * 1024, {});
    const res = await t.app.request('/v1/jobs', {
      method: 'POST',
      headers: auth(t.writeKey, { 'content-type': `multipart/form-data; boundary=${BOUNDARY}` }),
      body,
      duplex: 'half',
    } as RequestInit);
    expect(res.status).toBe(413);
    expect(((await res.json()) as Json).error.code).toBe('payload_too_large');
    // The limit plus what was in flight when it was passed, not the 64 MiB sent.
    expect(state.pulled).toBeLessThan(2 * 1024 * 1024);
    expect(uploadsOf(t.home)).toEqual([]);
    expect(((await (await t.app.request('/v1/jobs', { headers: auth(t.writeKey) })).json()) as Json).items).toEqual([]);
  });

  it('writes a 48 MiB file part to the job input as it arrives: what is read and not yet on disk stays small', async () => {
    const t = await makeTestApi();
    // biome-ignore lint/complexity/useLiteralKeys: the private options, reached from the test only
    t.service.jobs['opts'].run = async () => {};
    const size = 48 * 1024 * 1024;
    const onDisk = () => uploadsOf(t.home).reduce((n, f) => n + statSync(join(t.home, 'uploads', f)).size, 0);
    // The bytes the server has read but not written: the memory an upload holds (held whole, all of it).
    let maxHeld = 0;
    let pulls = 0;
    const { body, state } = streamedForm(size, { name_column: 'name' }, () => {
      if (++pulls % 16 === 0) maxHeld = Math.max(maxHeld, state.pulled - onDisk());
    });
    const res = await t.app.request('/v1/jobs', {
      method: 'POST',
      headers: auth(t.writeKey, { 'content-type': `multipart/form-data; boundary=${BOUNDARY}` }),
      body,
      duplex: 'half',
    } as RequestInit);
    expect(res.status).toBe(202);
    const [input] = uploadsOf(t.home);
    expect(input).toMatch(/-big\.csv$/);
    expect(statSync(join(t.home, 'uploads', input)).size).toBe(state.fileBytes);
    expect(pulls).toBeGreaterThan(700);
    expect(maxHeld).toBeLessThan(8 * 1024 * 1024);
  });

  it('refuses a field after the file that is not an option, and leaves no file behind', async () => {
    const t = await makeTestApi();
    const { body } = streamedForm(1024 * 1024, { name_colum: 'name' });
    const res = await t.app.request('/v1/jobs', {
      method: 'POST',
      headers: auth(t.writeKey, { 'content-type': `multipart/form-data; boundary=${BOUNDARY}` }),
      body,
      duplex: 'half',
    } as RequestInit);
    expect(res.status).toBe(400);
    expect(((await res.json()) as Json).error.details.map((d: Json) => d.path)).toEqual(['name_colum']);
    expect(uploadsOf(t.home)).toEqual([]);
  });
});
