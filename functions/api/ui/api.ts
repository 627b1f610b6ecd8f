import type { z } from '@hono/zod-openapi';
import { type ClassOfTaxonomy, classList, type ListedClass, numbered } from '../../core/class-list.ts';
import type { ClassifyResponseSchema, ItemRecordSchema, ItemSchema, JobSchema } from '../schemas.ts';
import { $, html, show } from './dom.ts';

/** The API's wire shapes the inspector reads (schemas.ts is the source of truth; type-only, nothing is bundled). */
export type Decision = z.infer<typeof ClassifyResponseSchema>['items'][number];
export type ItemRecord = z.infer<typeof ItemRecordSchema>;
export type Item = z.infer<typeof ItemSchema>;
export type Job = z.infer<typeof JobSchema>;
export type Taxonomy = { classes: ClassOfTaxonomy[] };

const KEY_STORE = 'aisle.apiKey';
export const apiKey = {
  get: () => sessionStorage.getItem(KEY_STORE) ?? '',
  set: (key: string) => (key ? sessionStorage.setItem(KEY_STORE, key) : sessionStorage.removeItem(KEY_STORE)),
};

/** The last 50 calls made, for the classify tab's debug view. */
export const calls: { method: string; path: string; status: number; ms: number }[] = [];

type ErrorDetail = { path: string; message: string };
export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code?: string,
    readonly details?: ErrorDetail[],
  ) {
    super(message);
  }
}

async function call(method: string, path: string, body?: unknown): Promise<{ res: Response; took: number }> {
  const headers: Record<string, string> = {};
  const key = apiKey.get();
  if (key) headers.authorization = `Bearer ${key}`;
  let payload: BodyInit | undefined;
  if (body instanceof FormData) payload = body;
  else if (body !== undefined) {
    headers['content-type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  const started = performance.now();
  const res = await fetch(path, { method, headers, body: payload });
  const took = performance.now() - started;
  calls.push({ method, path, status: res.status, ms: took });
  if (calls.length > 50) calls.shift();
  if (res.ok) return { res, took };
  const data = (res.headers.get('content-type') ?? '').includes('json') ? await res.json() : null;
  if (res.status === 401) $('#key-status').textContent = 'Enter a valid API key (aisle keys create --name you).';
  throw new ApiError(data?.error?.message || res.statusText, res.status, data?.error?.code, data?.error?.details);
}

/** A JSON (or text) answer and the round trip's milliseconds; an error answer throws an ApiError. */
export async function api<T>(method: string, path: string, body?: unknown): Promise<{ data: T; ms: number }> {
  const { res, took } = await call(method, path, body);
  const data = (res.headers.get('content-type') ?? '').includes('json') ? await res.json() : await res.text();
  return { data, ms: took };
}

export const apiBlob = async (path: string): Promise<Blob> => (await call('GET', path)).res.blob();

export function errorText(err: unknown): string {
  const { status, code, details } = err instanceof ApiError ? err : ({} as Partial<ApiError>);
  const detail = (details ?? []).map((d) => `${d.path}: ${d.message}`).join('; ');
  return `Error ${status || ''} ${code || ''}: ${err instanceof Error ? err.message : String(err)}${detail ? ` (${detail})` : ''}`;
}

/** Runs `act`; an error it throws is told by `tell`, as text, instead. */
export const attempt = (act: () => Promise<unknown>, tell: (text: string) => void) => act().catch((err: unknown) => tell(errorText(err)));

/** Tells an error in `where`, as an alert. */
export const alertIn = (where: Element) => (text: string) => show(where, html`<p class="error" role="alert">${text}</p>`);

/** The taxonomy's classes as every tab lists and numbers them (core/class-list.ts), once GET /v1/taxonomy answered. */
let classes: ListedClass[] = [];
export async function loadTaxonomy(): Promise<ListedClass[]> {
  classes = classList((await api<Taxonomy>('GET', '/v1/taxonomy')).data.classes);
  return classes;
}
export const loadedClasses = async () => (classes.length ? classes : loadTaxonomy());
/** The listed class of a class id, or of a label as the lake and metrics.json spell it ("Food > Beverages"). */
export const listedClass = (idOrLabel: string | null | undefined) => classes.find((c) => c.id === idOrLabel || c.label === idOrLabel);
/** How a class is named on every tab: "Non-Food (no subcategory)" for a Level-1-only decision; no class: "Unknown". */
export const className = (id: string | null, label?: string | null) => listedClass(id)?.name ?? (label || id || 'Unknown');
/** The same, with its number ("10. Non-Food (no subcategory)"): how lists of classes show it. */
export const numberedName = (idOrLabel: string | null, fallback?: string | null) => {
  const listed = listedClass(idOrLabel);
  return listed ? numbered(listed) : fallback || idOrLabel || 'Unknown';
};
