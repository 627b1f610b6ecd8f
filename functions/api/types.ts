// The app's types, apart from app.ts so that its routes can name them without importing the module that imports them.
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { CatalogAsk } from '../ask/catalog-ask.ts';
import type { ApiKeyRole } from '../core/api-keys.ts';
import type { Cascade } from '../core/cascade.ts';
import type { Taxonomy } from '../core/taxonomy.ts';
import type { Cache, Insights, JobsService, KeyStore, ModelRegistry, ResultStore, Retrainer, TenantScoped } from '../ports.ts';
import type { ShopperInsightsService } from '../shoppers/ports.ts';
import type { Recommender } from '../similar/recommend.ts';
import type { SimilarProducts } from '../similar/similar.ts';

/** A dependency /ready checks; `required` ones make the service not ready, the others only degrade it. */
export interface ReadinessProbe {
  required: boolean;
  check(): Promise<void>;
}

/**
 * Everything the app needs, injected: the local runtime and the Lambda entry build it from their adapters. The
 * stores of tenant data (results, cache, jobs, insights, the cascade's cache) are the default tenant's: a route
 * takes its caller's tenant's views of them (tenancy.ts tenantDeps), never these.
 */
export interface AppDeps {
  taxonomy: Taxonomy;
  /** The cascade over each tenant's cache. */
  cascade: TenantScoped<Pick<Cascade, 'classify'>>;
  results: ResultStore;
  /** Written with human labels so they override cached decisions at once. */
  cache?: Cache;
  jobs: JobsService;
  models: ModelRegistry;
  retrainer?: Retrainer;
  insights?: Insights;
  /** Questions about the catalog (POST /v1/ask); absent: the route answers 501. */
  ask?: CatalogAsk;
  /** The named shopper insights (issue 17) over each tenant's shopper tables. */
  shopperInsights?: ShopperInsightsService;
  /** Similar products over each tenant's item index (GET /v1/items/{key}/similar, POST /v1/similar); unset: 503. */
  similar?: SimilarProducts;
  /** Bought together blended with similar (GET /v1/items/{key}/recommend); unset: 503. */
  recommender?: Recommender;
  /** API keys; null turns authentication off (only `aisle serve --no-auth`, bound to loopback). */
  keys: KeyStore | null;
  readiness?: Record<string, ReadinessProbe>;
  clock?: () => Date;
  /** Per-key token bucket; null turns rate limiting off. Default 50 requests/s, bursts of 100. */
  rateLimit?: { ratePerSecond: number; burst: number } | null;
  /** How long a key lookup is reused (default 5 s): revocations take effect within it. */
  keyCacheMs?: number;
  /**
   * Failed authentications one client may make per window before it is refused (429) without a key lookup;
   * null turns the limit off. Default 30 per 60 s.
   */
  failedAuthLimit?: { failures: number; windowSeconds: number } | null;
  /** The client a request comes from (its address, see client-address.ts); unset: every request counts as one client. */
  clientOf?: (c: Context) => string;
  /** Largest file upload (POST /v1/jobs) taken, in bytes; a larger one is refused 413 (default 1 GiB). */
  maxUploadBytes?: number;
  /** Name and version shown by /health and the OpenAPI document. */
  version?: string;
}

export interface Principal {
  keyId: string;
  name: string;
  role: ApiKeyRole;
  /** The key's tenant: every route reads and writes this tenant's data only. */
  tenant: string;
}

export type ApiEnv = { Variables: { principal: Principal } };
export type ApiApp = OpenAPIHono<ApiEnv>;
