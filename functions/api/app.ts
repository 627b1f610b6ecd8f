import { OpenAPIHono } from '@hono/zod-openapi';
import { bodyLimit } from 'hono/body-limit';
import { secureHeaders } from 'hono/secure-headers';
import type { ApiKeyCheck } from '../core/api-keys.ts';
import { apiKeyId, bearerToken, DEFAULT_TENANT, verifyApiKey } from '../core/api-keys.ts';
import type { KeyStore } from '../ports.ts';
import { ApiError, errorBody, respondError, zodDetails } from './errors.ts';
import { FailedAuthLimit, TokenBuckets } from './rate-limit.ts';
import { askRoutes } from './routes/ask.ts';
import { classifyRoutes } from './routes/classify.ts';
import { docsRoutes } from './routes/docs.ts';
import { healthRoutes } from './routes/health.ts';
import { insightsRoutes } from './routes/insights.ts';
import { itemRoutes } from './routes/items.ts';
import { jobRoutes } from './routes/jobs.ts';
import { modelRoutes } from './routes/models.ts';
import { reviewRoutes } from './routes/review.ts';
import { shopperRoutes } from './routes/shoppers.ts';
import { similarRoutes } from './routes/similar.ts';
import { taxonomyRoutes } from './routes/taxonomy.ts';
import { uiRoutes } from './routes/ui.ts';
import type { ApiApp, ApiEnv, AppDeps, Principal } from './types.ts';

export type { AppDeps } from './types.ts';

const ANONYMOUS: Principal = { keyId: 'anonymous', name: 'anonymous (auth off)', role: 'write', tenant: DEFAULT_TENANT };
const NO_KEY = 'send an API key: Authorization: Bearer <key> (create one with `aisle keys create --name NAME`)';
export const DEFAULT_RATE_LIMIT = { ratePerSecond: 50, burst: 100 };
export const DEFAULT_FAILED_AUTH_LIMIT = { failures: 30, windowSeconds: 60 };
export const DEFAULT_MAX_UPLOAD_BYTES = 1024 ** 3;

/** Passes a body on while it stays within `limit` bytes; past it, errors the stream with `tooLarge`'s error. */
function byteLimit(limit: number, tooLarge: () => Error): TransformStream<Uint8Array, Uint8Array> {
  let seen = 0;
  return new TransformStream({
    transform(chunk, controller) {
      seen += chunk.byteLength;
      if (seen <= limit) controller.enqueue(chunk);
      else controller.error(tooLarge());
    },
  });
}

/**
 * The Hono app: error handling, security headers, auth and rate limiting, then every route group. Long but
 * flat: middleware in the order a request meets it, closing over the same deps and clock.
 */
export function createApp(deps: AppDeps): ApiApp {
  const clock = deps.clock ?? (() => new Date());
  const nowMs = deps.clock ? () => deps.clock!().getTime() : Date.now;
  const app: ApiApp = new OpenAPIHono<ApiEnv>({
    defaultHook: (result) => {
      if (!result.success) {
        throw new ApiError(400, 'invalid_request', 'the request is not valid', zodDetails(result.error.issues, result.target));
      }
    },
  });
  app.onError((err, c) => respondError(err, c));
  app.use('*', (c, next) => (c.req.path === '/docs' ? docsHeaders : appHeaders)(c, next));
  const allowed = allowedMethods(app);
  app.notFound((c) => {
    const allow = allowed(c.req.path);
    if (allow.length) {
      const body = errorBody('method_not_allowed', `${c.req.method} is not allowed on ${c.req.path}: use ${allow.join(', ')}`);
      return c.json(body, 405, { Allow: allow.join(', ') });
    }
    return c.json(errorBody('not_found', `no route for ${c.req.method} ${c.req.path}`), 404);
  });

  const maxBody = 1024 * 1024; // JSON; a file upload may be up to maxUploadBytes
  const tooLargeError = (limit: number) => new ApiError(413, 'payload_too_large', `request body is larger than ${limit} bytes`);
  const tooLarge = (limit: number) => () => {
    throw tooLargeError(limit);
  };
  const maxUpload = deps.maxUploadBytes ?? DEFAULT_MAX_UPLOAD_BYTES;
  const streamedJsonLimit = bodyLimit({ maxSize: maxBody, onError: tooLarge(maxBody) });
  app.use('/v1/*', async (c, next) => {
    const method = c.req.method;
    if (method === 'GET' || method === 'HEAD') return next();
    const isUpload = method === 'POST' && c.req.path === '/v1/jobs';
    // A declared length is checked from the header (the HTTP parser never reads past it); only a chunked body
    // is counted as it streams. Touching the raw body stream for every request would cost a web stream each.
    const declared = c.req.header('content-length');
    if (declared !== undefined && c.req.header('transfer-encoding') === undefined) {
      const limit = isUpload ? maxUpload : maxBody;
      if (Number(declared) > limit) tooLarge(limit)();
      return next();
    }
    if (!isUpload) return streamedJsonLimit(c, next);
    // hono's bodyLimit gathers the body in memory: an upload's is counted as it passes, on its way to disk.
    if (c.req.raw.body)
      c.req.raw = new Request(c.req.raw, {
        body: c.req.raw.body.pipeThrough(byteLimit(maxUpload, () => tooLargeError(maxUpload))),
        duplex: 'half',
      } as RequestInit);
    return next();
  });

  const checkKey = cachedKeyCheck(deps.keys, deps.keyCacheMs ?? 5000, nowMs);
  const rateLimit = deps.rateLimit === undefined ? DEFAULT_RATE_LIMIT : deps.rateLimit;
  const buckets = rateLimit && new TokenBuckets(rateLimit.ratePerSecond, rateLimit.burst, nowMs);
  const failedAuth = deps.failedAuthLimit === undefined ? DEFAULT_FAILED_AUTH_LIMIT : deps.failedAuthLimit;
  const failures = failedAuth && new FailedAuthLimit(failedAuth.failures, failedAuth.windowSeconds, nowMs);
  const clientOf = deps.clientOf ?? (() => 'unknown');
  app.use('/v1/*', async (c, next) => {
    let principal = ANONYMOUS;
    if (checkKey) {
      const key = bearerToken(c.req.header('authorization'));
      if (!key) throw new ApiError(401, 'unauthorized', NO_KEY, undefined, { 'WWW-Authenticate': 'Bearer' });
      let check = checkKey.cached(key);
      if (!check?.ok) {
        // A client that keeps failing is refused before its key is looked up: made-up keys cost no store read.
        // A key known to be good still works from its address (a flood from the same network does not lock it out).
        const client = clientOf(c);
        const wait = failures?.blockedFor(client) ?? 0;
        if (wait) {
          const why = `too many failed authentications from this address: at most ${failedAuth!.failures} per ${failedAuth!.windowSeconds} s`;
          throw new ApiError(429, 'rate_limited', why, undefined, { 'Retry-After': String(wait) });
        }
        check ??= await checkKey.check(key);
        if (!check.ok) {
          failures?.fail(client);
          const [code, why] = check.reason === 'revoked' ? ['key_revoked', 'this API key was revoked'] : ['unauthorized', 'unknown API key'];
          throw new ApiError(401, code, why, undefined, { 'WWW-Authenticate': 'Bearer error="invalid_token"' });
        }
      }
      principal = { keyId: check.record.id, name: check.record.name, role: check.record.role, tenant: check.record.tenant };
    }
    const taken = buckets?.take(principal.keyId);
    if (taken && !taken.ok) {
      const why = `too many requests for this key: at most ${rateLimit!.ratePerSecond}/s (bursts of ${rateLimit!.burst})`;
      throw new ApiError(429, 'rate_limited', why, undefined, { 'Retry-After': String(taken.retryAfterSeconds) });
    }
    if (principal.role === 'read' && !isReadOnlyRequest(c.req.method, c.req.path)) {
      throw new ApiError(403, 'forbidden', `key "${principal.name}" is read-only: it may classify and read, not ${c.req.method} ${c.req.path}`);
    }
    c.set('principal', principal);
    await next();
  });

  app.openAPIRegistry.registerComponent('securitySchemes', 'apiKey', {
    type: 'http',
    scheme: 'bearer',
    description: 'An Aisle API key: `aisle keys create --name NAME` prints one.',
  });
  healthRoutes(app, deps);
  classifyRoutes(app, deps, clock);
  itemRoutes(app, deps);
  reviewRoutes(app, deps);
  jobRoutes(app, deps);
  taxonomyRoutes(app, deps);
  modelRoutes(app, deps);
  insightsRoutes(app, deps);
  askRoutes(app, deps);
  shopperRoutes(app, deps);
  similarRoutes(app, deps);
  app.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: {
      title: 'Aisle API',
      version: deps.version ?? '0.1.0',
      description:
        'Sorts retail products into a taxonomy: cache → rules → encoder → LLM → review. Errors: `{"error": {"code", "message", "details"?}}`.',
    },
    security: [{ apiKey: [] }],
  });
  docsRoutes(app);
  uiRoutes(app);
  return app;
}

/**
 * Security headers on every answer (inspector, docs, API, errors): nothing but this origin's own scripts, no
 * framing, no sniffing, no referrer. Style attributes stay allowed (the inspector's bars and matrix use them);
 * the Swagger page alone runs its one inline start-up script.
 */
const CSP = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'", "'unsafe-inline'"],
  imgSrc: ["'self'", 'data:'],
  connectSrc: ["'self'"],
  objectSrc: ["'none'"],
  baseUri: ["'none'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
};
const HEADERS = { referrerPolicy: 'no-referrer', xFrameOptions: 'DENY', strictTransportSecurity: false } as const;
const appHeaders = secureHeaders({ ...HEADERS, contentSecurityPolicy: CSP });
const docsHeaders = secureHeaders({ ...HEADERS, contentSecurityPolicy: { ...CSP, scriptSrc: ["'self'", "'unsafe-inline'"] } });

const METHOD_ORDER = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'];

/** The methods the app's routes answer on a path (GET implies HEAD), for a 405's `Allow`; empty when none match. */
function allowedMethods(app: ApiApp): (path: string) => string[] {
  let routes: { method: string; pattern: RegExp }[] | undefined;
  return (path) => {
    routes ??= app.routes
      .filter((r) => METHOD_ORDER.includes(r.method))
      .map((r) => ({
        method: r.method,
        pattern: new RegExp(
          `^${r.path
            .split(/(:[^/{]+(?:\{[^}]*\})?|\*)/)
            .map((part, i) => (i % 2 ? (part === '*' ? '.*' : '[^/]+') : part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')))
            .join('')}/?$`,
        ),
      }));
    const methods = new Set(routes.filter((r) => r.pattern.test(path)).flatMap((r) => (r.method === 'GET' ? ['GET', 'HEAD'] : [r.method])));
    return METHOD_ORDER.filter((m) => methods.has(m));
  };
}

/** Reading, classifying and asking are open to read-only keys; everything else that changes state needs a write key. */
function isReadOnlyRequest(method: string, path: string): boolean {
  return method === 'GET' || method === 'HEAD' || (method === 'POST' && ['/v1/classify', '/v1/ask', '/v1/similar'].includes(path));
}

/**
 * Key checks remembered per presented key for `ttlMs`: a busy client costs no store read and no hash per
 * request, and a revocation (or a new key) takes effect within `ttlMs`. A check past half its life is
 * refreshed in the background while it still answers, and concurrent checks of one key share one store
 * read, so a busy key never waits for the store. Good and refused keys are remembered apart, each in a
 * bounded least-recently-used map: made-up keys cannot push out the keys in use nor grow memory. A key
 * that is not even well-formed is refused without a read and not remembered.
 */
function cachedKeyCheck(keys: KeyStore | null, ttlMs: number, now: () => number, capacity = 10_000) {
  if (!keys) return null;
  type Seen = { check: ApiKeyCheck; at: number };
  const accepted = new Map<string, Seen>();
  const refused = new Map<string, Seen>();
  const pending = new Map<string, Promise<ApiKeyCheck>>();
  const lookup = (id: string) => keys.get(id);
  const remember = (key: string, seen: Seen) => {
    const [into, other] = seen.check.ok ? [accepted, refused] : [refused, accepted];
    other.delete(key);
    into.delete(key); // re-inserted last: a map's order is its recency
    if (into.size >= capacity) into.delete(into.keys().next().value!);
    into.set(key, seen);
  };
  const refresh = (key: string): Promise<ApiKeyCheck> => {
    const started = now();
    const read = verifyApiKey(key, lookup)
      .then((check) => {
        remember(key, { check, at: started });
        return check;
      })
      .finally(() => pending.delete(key));
    pending.set(key, read);
    return read;
  };
  return {
    /** The remembered check of `key` while it is fresh, else undefined. */
    cached(key: string): ApiKeyCheck | undefined {
      const hit = accepted.get(key) ?? refused.get(key);
      const age = hit ? now() - hit.at : Infinity;
      if (age >= ttlMs) return undefined;
      if (age >= ttlMs / 2 && !pending.has(key)) refresh(key).catch(() => undefined); // the next request retries
      remember(key, hit!);
      return hit!.check;
    },
    /** Checks `key` with the store (one read for concurrent checks of one key), unless it is malformed. */
    check(key: string): Promise<ApiKeyCheck> {
      if (!apiKeyId(key)) return Promise.resolve({ ok: false, reason: 'malformed' });
      return pending.get(key) ?? refresh(key);
    },
  };
}
