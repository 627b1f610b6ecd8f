/**
 * Ask for every tenant of a server: each tenant's questions search only its own items (CatalogItems.forTenant,
 * and the vector index's forTenant when retrieval blends it in) and run only its own insight queries; each
 * tenant's lexical index is built once and kept while its items do not change. The least recently asked
 * tenants' indexes are dropped past `maxTenants`.
 */
import type { Taxonomy } from '../core/taxonomy.ts';
import type { Insights } from '../ports.ts';
import { BlendedRetriever, type TenantNeighbours } from './blended.ts';
import type { CatalogItems, ChatLlm, ItemRetriever } from './ports.ts';
import { namedQueryRunner, type ShopperQueries } from './queries.ts';
import { LexicalRetriever } from './retrieval.ts';
import type { AskServices } from './service.ts';

export interface CatalogAskOptions {
  taxonomy: Taxonomy;
  catalog: CatalogItems;
  llm: ChatLlm | null;
  /** The shopper insights of one output folder (the CLI's --shoppers): the default tenant's, local use only. */
  shoppers?: ShopperQueries;
  maxTenants?: number;
  /** The similar-products index: when given, retrieval blends it with the lexical index (blended.ts); BM25 alone otherwise. */
  similar?: TenantNeighbours;
}

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
    else {
      const lexical = new LexicalRetriever(this.opts.catalog.forTenant(tenant), this.opts.taxonomy);
      retriever = this.opts.similar ? new BlendedRetriever(lexical, this.opts.similar.forTenant(tenant)) : lexical;
    }
    this.retrievers.set(tenant, retriever);
    if (this.retrievers.size > (this.opts.maxTenants ?? 100)) this.retrievers.delete(this.retrievers.keys().next().value!);
    const queries = insights || this.opts.shoppers ? namedQueryRunner(insights, this.opts.shoppers) : null;
    return { retriever, llm: this.opts.llm, queries };
  }
}
