import { z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { InvalidCursorError, UnavailableError } from '../core/errors.ts';
import { json } from './schemas.ts';

/**
 * The one error shape of the API: `{"error": {"code", "message", "details"?: [{path, message}]}}`.
 * Codes are stable (clients switch on them); messages are for people.
 */
export const ErrorSchema = z
  .object({
    error: z.object({
      code: z.string().openapi({ example: 'invalid_request' }),
      message: z.string(),
      details: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
    }),
  })
  .openapi('Error');

export type ErrorDetail = { path: string; message: string };

export class ApiError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    message: string,
    readonly details?: ErrorDetail[],
    readonly headers?: Record<string, string>,
  ) {
    super(message);
  }
}

export const notFound = (what: string) => new ApiError(404, 'not_found', `${what} not found`);

export function errorBody(code: string, message: string, details?: ErrorDetail[]): z.infer<typeof ErrorSchema> {
  return { error: { code, message, ...(details?.length ? { details } : {}) } };
}

/** zod issues → details with dotted paths ("items.0.name"), prefixed by where the value came from. */
export function zodDetails(issues: readonly { path: readonly PropertyKey[]; message: string }[], where?: string): ErrorDetail[] {
  return issues.map((i) => ({
    path: [...(where && where !== 'json' ? [where] : []), ...i.path.map(String)].join('.') || '(body)',
    message: i.message,
  }));
}

/** Answers any thrown error in the stable shape; unexpected ones are logged and become 500 without internals. */
export function respondError(err: unknown, c: Context): Response {
  if (err instanceof ApiError) {
    for (const [k, v] of Object.entries(err.headers ?? {})) c.header(k, v);
    return c.json(errorBody(err.code, err.message, err.details), err.status);
  }
  if (err instanceof InvalidCursorError) return c.json(errorBody(err.code, err.message), 400);
  if (err instanceof UnavailableError) {
    c.header('Retry-After', String(err.retryAfterSeconds));
    return c.json(errorBody('unavailable', `${err.dependency} is unavailable: ${err.message}`), 503);
  }
  const status = (err as { status?: number }).status;
  if (status === 413) return c.json(errorBody('payload_too_large', 'request body is too large'), 413);
  if (err instanceof HTTPException && err.status === 415) {
    // One rule for every route: a body in a media type the route does not take is 415; a bad body of the right type is 400.
    const type = c.req.header('content-type');
    return c.json(errorBody('unsupported_media_type', `send the body as application/json, not "${type || 'no content type'}"`), 415);
  }
  if (err instanceof HTTPException && err.status < 500) {
    const code = /json/i.test(err.message) ? 'invalid_json' : err.status === 400 ? 'invalid_request' : 'http_error';
    return c.json(errorBody(code, err.message), err.status as ContentfulStatusCode);
  }
  if (err instanceof SyntaxError) return c.json(errorBody('invalid_json', `request body is not valid JSON: ${err.message}`), 400);
  console.error('aisle api: unexpected error', err);
  return c.json(errorBody('internal', 'internal error'), 500);
}

export const errorResponses = {
  400: json('Bad input', ErrorSchema),
  401: json('Missing, unknown or revoked API key', ErrorSchema),
  403: json('The key may not do this', ErrorSchema),
  413: json('Body larger than the limit (1 MB for JSON)', ErrorSchema),
  415: json('A body in a media type the route does not take', ErrorSchema),
  429: json('Rate limited (see Retry-After)', ErrorSchema),
  503: json('A dependency is down (see Retry-After)', ErrorSchema),
} as const;

export const notFoundResponse = { 404: json('Not found', ErrorSchema) } as const;
