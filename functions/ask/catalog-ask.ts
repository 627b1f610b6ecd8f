/**
 * Ask for every tenant of a server: each tenant's questions search only its own items (CatalogItems.forTenant or
 * CatalogLookup.forTenant, and the vector index's forTenant when retrieval uses it) and run only its own insight queries; each
 * tenant's lexical index is built once and kept while its items do not change. The least recently asked
 * tenants' indexes are dropped past `maxTenants`.
 */
import type { Taxonomy } from '../core/taxonomy.ts';
import type { Insights } from '../ports.ts';
import { BlendedRetriever, type TenantNeighbours } from './blended.ts';
import { IndexedRetriever } from './indexed.ts';
import type { CatalogItems, CatalogLookup, ChatLlm, ItemRetriever } from './ports.ts';
import { namedQueryRunner, type ShopperQueries } from './queries.ts';
import { LexicalRetriever } from './retrieval.ts';
import type { AskServices } from './service.ts';

interface CatalogAskBase {
  taxonomy: Taxonomy;
  llm: ChatLlm | null;
  /** The shopper insights of one output folder (the CLI's --shoppers): the default tenant's, local use only. */
  shoppers?: ShopperQueries;
  maxTenants?: number;
}

/**
 * Where items come from. `catalog`: the tenant's whole catalog, searched in memory with BM25, blended with the
 * `similar` index when given (blended.ts). `lookup`: a store too big to list (AWS), whose candidates come from the
 * `similar` index and are checked against it (indexed.ts).
 */
export type CatalogAskOptions = CatalogAskBase &
  ({ catalog: CatalogItems; similar?: TenantNeighbours; lookup?: never } | { lookup: CatalogLookup; similar: TenantNeighbours; catalog?: never });

export class CatalogAsk {
  private readonly retrievers = new Map<string, ItemRetriever>();

  constructor(private readonly opts: CatalogAskOptions) {}

  get llm(): ChatLlm | null {
    return this.opts.llm;
  }

  /** What a question of `tenant` may use: its items, its lake queries (`insights` is its view), the chat model. */
  forTenant(tenant: string, insights: Insights | undefined): AskServices {
    let retriever = this.retrievers.get(tenant);
    if (retriever) this.retrievers.delete(tenant);
    else retriever = this.retrieverOf(tenant);
    this.retrievers.set(tenant, retriever);
    if (this.retrievers.size > (this.opts.maxTenants ?? 100)) this.retrievers.delete(this.retrievers.keys().next().value!);
    const queries = insights || this.opts.shoppers ? namedQueryRunner(insights, this.opts.shoppers) : null;
    return { retriever, llm: this.opts.llm, queries };
  }

  private retrieverOf(tenant: string): ItemRetriever {
    const { opts } = this;
    if (opts.lookup) return new IndexedRetriever(opts.lookup.forTenant(tenant), opts.similar.forTenant(tenant), opts.taxonomy);
    const lexical = new LexicalRetriever(opts.catalog.forTenant(tenant), opts.taxonomy);
    return opts.similar ? new BlendedRetriever(lexical, opts.similar.forTenant(tenant)) : lexical;
  }
}
