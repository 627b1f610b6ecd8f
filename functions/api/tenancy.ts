import type { AppDeps } from './types.ts';

/** What a request reads and writes: the stores, the cache and the cascade of the caller's tenant alone (ports.ts TenantScoped). */
export interface TenantDeps {
  tenant: string;
  cascade: ReturnType<AppDeps['cascade']['forTenant']>;
  results: AppDeps['results'];
  cache?: AppDeps['cache'];
  jobs: AppDeps['jobs'];
  insights?: AppDeps['insights'];
  shopperInsights?: AppDeps['shopperInsights'];
}

/** The tenant's views of the app's deps; routes take these, never the deps' own stores (those are the default tenant's). */
export function tenantDeps(deps: AppDeps, tenant: string): TenantDeps {
  return {
    tenant,
    cascade: deps.cascade.forTenant(tenant),
    results: deps.results.forTenant(tenant),
    cache: deps.cache?.forTenant(tenant),
    jobs: deps.jobs.forTenant(tenant),
    insights: deps.insights?.forTenant(tenant),
    shopperInsights: deps.shopperInsights?.forTenant(tenant),
  };
}
