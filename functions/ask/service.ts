/**
 * Answers a question about the catalog (POST /v1/ask, `aisle ask`, the inspector's Ask box). A product question
 * retrieves items and the chat model answers from them alone, citing their keys; an answer that cites anything
 * else is rejected, and without a model the retrieved items are the answer. An analytics question is mapped to a
 * named query with checked parameters (by the model, else by keywords), run, and answered with its figures and the
 * plan. Which kind a question is: the caller says, or routeQuestion guesses from its words.
 */
import { LlmUnavailableError } from '../core/llm-tier.ts';
import { type AnalyticsResult, keywordPlan, type PlanParams, type QueryPlan, runPlan } from './analytics.ts';
import type { AskableQuery, ChatLlm, ItemRetriever, QueryRunner, RetrievalFilters, RetrievedItem } from './ports.ts';
import { answerFormat, answerMessages, checkAnswer, checkPlanReply, planFormat, planMessages } from './prompt.ts';

export type QuestionKind = 'product' | 'analytics';

// Words of a question about figures rather than about products: shares, counts, rankings of categories, time series.
const ANALYTICS_CUES = [
  /\b(?:share|shares|percent|percentage|proportion|rate|ratio|how many|how much|count|number of|total)\b/,
  /\b(?:top|most|least)\b.*\b(?:categor(?:y|ies)|tiers?|rules?|terms?|searches)\b/,
  /\bcategor(?:y|ies)\b.*\b(?:bought|purchased|mix|together|drift(?:ed)?|change[ds]?)\b/,
  /\b(?:per|by|each) (?:day|week|month|hour|job|tier|category|gender|age)\b/,
  /\b(?:last|this|past) (?:week|month|year|\d+ days?)\b/,
  /\b(?:review(?:ed)?|drift(?:ed)?|confiden(?:ce|t)|(?:un|least )certain|trend|season(?:al|ality)?|model versions?|tiers?|rules? (?:fired|decided)|bought together|demographics?)\b/,
  /\b(?:women|men|female|male|shoppers?|customers?|aged?)\b.*\b\d{1,3}\s*(?:-|–|to)\s*\d{1,3}\b/,
];

/** A guess from the question's words: analytics when it asks for figures, else product. */
export function routeQuestion(question: string): QuestionKind {
  const q = question.toLowerCase();
  return ANALYTICS_CUES.some((re) => re.test(q)) ? 'analytics' : 'product';
}

export interface Generation {
  /** answered: the model's answer passed the checks; unavailable: no model answered; rejected: its answer failed them. */
  status: 'answered' | 'unavailable' | 'rejected';
  model?: string;
  /** Why it is unavailable or was rejected. */
  reason?: string;
}

export interface ProductAnswer {
  kind: 'product';
  question: string;
  items: RetrievedItem[];
  generation: Generation;
  /** The model's answer, when it passed the checks. */
  answer?: string;
  /** The keys it cites: all among `items`. */
  citations?: string[];
}

export interface AnalyticsAnswer extends AnalyticsResult {
  kind: 'analytics';
  question: string;
  /** The query used and its parameters. */
  query: { name: string; source: AskableQuery['source']; description: string; params: PlanParams; plannedBy: QueryPlan['plannedBy'] };
  /** Planning by the model: unavailable or rejected means the keyword match chose. */
  generation: Generation;
}

/** No named query matches: the answer lists what can be asked. */
export interface UnansweredAnalytics {
  kind: 'analytics';
  question: string;
  query: null;
  generation: Generation;
  summary: string;
  known: string[];
}

export type AskAnswer = ProductAnswer | AnalyticsAnswer | UnansweredAnalytics;

export interface AskServices {
  retriever: ItemRetriever;
  /** Null: no chat model is configured. */
  llm: ChatLlm | null;
  /** Null: no insight queries here (analytics questions are answered as product ones). */
  queries: QueryRunner | null;
  now?: () => Date;
}

export interface AskRequest {
  question: string;
  /** Items retrieved for a product question (default 8). */
  k?: number;
  /** The kind of question; guessed when absent. */
  kind?: QuestionKind;
  filters?: RetrievalFilters;
}

export const DEFAULT_K = 8;

export async function askCatalog(services: AskServices, req: AskRequest): Promise<AskAnswer> {
  const kind = req.kind ?? routeQuestion(req.question);
  if (kind === 'analytics' && services.queries) return answerAnalytics(services, services.queries, req.question);
  return answerProduct(services, req);
}

async function answerProduct(services: AskServices, req: AskRequest): Promise<ProductAnswer> {
  const items = await services.retriever.retrieveItems(req.question, req.k ?? DEFAULT_K, req.filters);
  const base = { kind: 'product' as const, question: req.question, items };
  const { llm } = services;
  if (!llm) return { ...base, generation: { status: 'unavailable', reason: 'no LLM is available: these are the items retrieved' } };
  if (!items.length) {
    return {
      ...base,
      generation: { status: 'answered', reason: 'nothing retrieved: answered without the model' },
      answer: 'No item in the catalog matches the question.',
      citations: [],
    };
  }
  let content: string;
  try {
    content = await llm.chat(answerMessages(req.question, items), answerFormat(items));
  } catch (err) {
    if (!(err instanceof LlmUnavailableError)) throw err;
    return {
      ...base,
      generation: { status: 'unavailable', model: llm.model, reason: `${llm.where}: ${err.message}; these are the items retrieved` },
    };
  }
  const checked = checkAnswer(content, items);
  if (!checked.ok) return { ...base, generation: { status: 'rejected', model: llm.model, reason: checked.reason } };
  return { ...base, generation: { status: 'answered', model: llm.model }, answer: checked.answer, citations: checked.citations };
}

async function answerAnalytics(services: AskServices, runner: QueryRunner, question: string): Promise<AnalyticsAnswer | UnansweredAnalytics> {
  const now = services.now?.() ?? new Date();
  const queries = await runner.list();
  let generation: Generation;
  let plan: QueryPlan | undefined;
  const { llm } = services;
  if (!llm) generation = { status: 'unavailable', reason: 'no LLM is available: the query was chosen by keywords' };
  else {
    try {
      const checked = checkPlanReply(await llm.chat(planMessages(question, queries, now), planFormat(queries)), queries);
      if (typeof checked === 'string') generation = { status: 'rejected', model: llm.model, reason: `${checked}: the query was chosen by keywords` };
      else {
        generation = { status: 'answered', model: llm.model };
        plan = { ...checked, plannedBy: 'llm' };
      }
    } catch (err) {
      if (!(err instanceof LlmUnavailableError)) throw err;
      generation = { status: 'unavailable', model: llm.model, reason: `${llm.where}: ${err.message}; the query was chosen by keywords` };
    }
  }
  plan ??= keywordPlan(question, queries, now);
  if (!plan) {
    const known = queries.map((q) => q.name);
    return { kind: 'analytics', question, query: null, generation, summary: 'no named query answers this question', known };
  }
  const result = await runPlan(runner, plan);
  const { query, params, plannedBy } = plan;
  return {
    kind: 'analytics',
    question,
    query: { name: query.name, source: query.source, description: query.description, params, plannedBy },
    generation,
    ...result,
  };
}
