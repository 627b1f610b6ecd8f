/**
 * The named queries an analytics question may use: the results lake's (the Insights port, tenant-scoped) and,
 * where a shopper output folder is open, the shopper insights. Both run by name with bound parameters only.
 */
import type { Insights } from '../ports.ts';
import type { AskableQuery, QueryRunner } from './ports.ts';

/** The shopper insights as ask needs them (functions/shoppers/insights.ts ShopperInsights). */
export interface ShopperQueries {
  list(): { name: string; description: string }[];
  run(name: string, params: { topN?: number }): Promise<Record<string, unknown>[]>;
}

/** A runner over the tenant's lake queries and, when given, the shopper queries. */
export function namedQueryRunner(lake: Insights | undefined, shoppers?: ShopperQueries): QueryRunner {
  return {
    async list() {
      const fromLake: AskableQuery[] = lake ? (await lake.list()).map((q) => ({ ...q, source: 'lake' })) : [];
      const fromShoppers: AskableQuery[] = shoppers ? shoppers.list().map((q) => ({ ...q, source: 'shoppers' })) : [];
      return [...fromLake, ...fromShoppers];
    },
    async run(query, params) {
      if (query.source === 'shoppers') {
        if (!shoppers) throw new Error('no shopper insights are open here');
        return shoppers.run(query.name, { topN: params.topN });
      }
      if (!lake) throw new Error('no results lake here');
      return lake.run(query.name, { jobId: params.jobId });
    },
  };
}
