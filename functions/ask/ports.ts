/**
 * What answering questions about the catalog needs from the outside (ports; adapters implement them): the
 * tenant's classified items to search, a chat model that answers in JSON, and the named insight queries. The
 * retriever is a port of its own (ItemRetriever) so a vector index can answer beside or instead of the lexical one.
 */
import type { ChatMessage } from '../core/llm-prompt.ts';
import type { TenantScoped } from '../ports.ts';

/** One classified item as retrieval sees it: its current decision only. */
export interface CatalogItem {
  key: string;
  name: string;
  brand?: string;
  /** The normalized text the tiers saw. */
  text: string;
  classId: string | null;
  status: 'ok' | 'needs_review';
}

/** The tenant's classified items (their current decisions), read to build a search index. */
export interface CatalogItems extends TenantScoped<CatalogItems> {
  list(): Promise<CatalogItem[]>;
  /** Changes whenever the items do (e.g. count and last decision time): an index built at one version is current while it holds. */
  version(): Promise<string>;
}

/**
 * The tenant's current decisions of given keys: for a catalog kept in a store too big to list (on AWS, the results
 * table), whose candidates come from the vector index instead (functions/ask/indexed.ts).
 */
export interface CatalogLookup extends TenantScoped<CatalogLookup> {
  /** The items of these keys that the tenant has, in any order; keys it does not have are left out. */
  items(keys: string[]): Promise<CatalogItem[]>;
}

export interface RetrievalFilters {
  /** Only items of these classes or their subclasses. */
  classIds?: string[];
  /** Only items with this status. */
  status?: 'ok' | 'needs_review';
}

export interface RetrievedItem {
  key: string;
  name: string;
  brand?: string;
  classId: string | null;
  /** The class's label ("Food > Snacks & Sweets"), '' when unclassified. */
  label: string;
  status: 'ok' | 'needs_review';
  score: number;
}

/** Finds the items a question is about, best first. */
export interface ItemRetriever {
  retrieveItems(question: string, k: number, filters?: RetrievalFilters): Promise<RetrievedItem[]>;
}

/**
 * A chat model that answers in JSON (Ollama's /api/chat with `format`). chat() throws LlmUnavailableError
 * (core/llm-tier.ts) when the model cannot be reached; its reply is unchecked text.
 */
export interface ChatLlm {
  readonly model: string;
  readonly where: string;
  chat(messages: ChatMessage[], format: Record<string, unknown>): Promise<string>;
  probe(): Promise<{ ok: boolean; message: string }>;
}

/** A named query an analytics question can be answered by, and where it runs. */
export interface AskableQuery {
  name: string;
  description: string;
  /** 'lake': the results lake (functions/core/insights); 'shoppers': the shopper tables (functions/core/shoppers/insights). */
  source: 'lake' | 'shoppers';
}

/** Runs named queries by name only: there is no way to send SQL through it. */
export interface QueryRunner {
  list(): Promise<AskableQuery[]>;
  run(query: AskableQuery, params: { jobId?: string; topN?: number }): Promise<Record<string, unknown>[]>;
}
