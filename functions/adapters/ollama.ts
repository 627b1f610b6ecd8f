/**
 * The one LLM adapter: Ollama through the `ollama` npm client, used by the local runtime, the API and the
 * ECS worker. It sends one chat request per batch with the answer constrained by a JSON schema (`format`),
 * checks the reply with the core's zod contract, asks once more for the items that came back unusable, and
 * translates transport failures into LlmUnavailableError so the tier can retry, shrink or stop calling.
 * The tier itself (core/llm-tier.ts) is built by functions/tiers/llm.ts, `aisle review` and the ECS worker.
 */
import { Ollama, type ChatResponse } from 'ollama';
import { LlmPrompt, type ChatMessage, type FewShotExample } from '../core/llm-prompt.ts';
import { LlmUnavailableError, type LlmFailureKind } from '../core/llm-tier.ts';
import type { Taxonomy } from '../core/taxonomy.ts';
import type { Llm, LlmAnswer, LlmItem } from '../ports.ts';

export interface OllamaConfig {
  /** OLLAMA_HOST, default http://127.0.0.1:11434. */
  host: string;
  /** OLLAMA_MODEL, default llama3. */
  model: string;
  /** Products per request (OLLAMA_BATCH_SIZE, default 20); the tier halves it under pressure. */
  batchSize: number;
  /** Requests in flight at once (OLLAMA_CONCURRENCY, default 2; match OLLAMA_NUM_PARALLEL on the server). */
  concurrency: number;
  /** Per-request timeout in ms (OLLAMA_TIMEOUT_MS, default 120000: a cold model load takes a while). */
  timeoutMs: number;
  /** How long the server keeps the model loaded after a request, in seconds (OLLAMA_KEEP_ALIVE, default 300). */
  keepAliveS: number;
  /** Context window in tokens (OLLAMA_NUM_CTX, default 8192): a batch of 20 plus the prompt needs more than 2048. */
  numCtx: number;
}

export const OLLAMA_DEFAULTS: OllamaConfig = {
  host: 'http://127.0.0.1:11434',
  model: 'llama3',
  batchSize: 20,
  concurrency: 2,
  timeoutMs: 120_000,
  keepAliveS: 300,
  numCtx: 8192,
};

/** Reads the config from the environment, then applies explicit overrides; bad values are errors, not silently ignored. */
export function ollamaConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<OllamaConfig> = {}): OllamaConfig {
  const int = (name: string, fallback: number, min: number) => {
    const raw = env[name];
    if (raw === undefined || raw.trim() === '') return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min) throw new Error(`${name} must be an integer >= ${min}, got "${raw}"`);
    return n;
  };
  const host = (env.OLLAMA_HOST?.trim() || OLLAMA_DEFAULTS.host).replace(/\/+$/, '');
  return {
    host: /^https?:\/\//.test(host) ? host : `http://${host}`,
    model: env.OLLAMA_MODEL?.trim() || OLLAMA_DEFAULTS.model,
    batchSize: int('OLLAMA_BATCH_SIZE', OLLAMA_DEFAULTS.batchSize, 1),
    concurrency: int('OLLAMA_CONCURRENCY', OLLAMA_DEFAULTS.concurrency, 1),
    timeoutMs: int('OLLAMA_TIMEOUT_MS', OLLAMA_DEFAULTS.timeoutMs, 1),
    keepAliveS: env.OLLAMA_KEEP_ALIVE ? parseSeconds(env.OLLAMA_KEEP_ALIVE) : OLLAMA_DEFAULTS.keepAliveS,
    numCtx: int('OLLAMA_NUM_CTX', OLLAMA_DEFAULTS.numCtx, 512),
    ...overrides,
  };
}

/** "300", "300s", "5m", "1h", "-1" (keep loaded forever) → seconds, as Ollama's own OLLAMA_KEEP_ALIVE reads them. */
export function parseSeconds(raw: string): number {
  const m = /^\s*(-?\d+(?:\.\d+)?)\s*(s|m|h)?\s*$/.exec(raw);
  if (!m) throw new Error(`OLLAMA_KEEP_ALIVE must be seconds or a duration like 5m, got "${raw}"`);
  const n = Number(m[1]);
  return Math.round(n * (m[2] === 'h' ? 3600 : m[2] === 'm' ? 60 : 1));
}

// Ollama answers 500 with these when the model does not fit (system RAM or GPU memory).
const OOM_RE = /out of memory|requires more system memory|cudaMalloc failed|insufficient memory|\bOOM\b/i;

export class OllamaLlm implements Llm {
  readonly model: string;
  readonly where: string;
  private readonly client: Ollama;

  constructor(
    readonly prompt: LlmPrompt,
    readonly config: OllamaConfig = ollamaConfig(),
  ) {
    this.model = config.model;
    this.where = `ollama at ${config.host}`;
    // The client sends no signal on non-streamed requests: a fetch with a timeout bounds every call.
    const timedFetch: typeof fetch = (input, init) => {
      const timeout = AbortSignal.timeout(this.config.timeoutMs);
      return fetch(input, { ...init, signal: init?.signal ? AbortSignal.any([init.signal, timeout]) : timeout });
    };
    this.client = new Ollama({ host: config.host, fetch: timedFetch });
  }

  async classify(items: LlmItem[]): Promise<LlmAnswer[]> {
    if (!items.length) return [];
    const first = await this.chat(this.prompt.messages(items), items.length);
    const parsed = this.prompt.parse(first.content, items.length);
    const answers: LlmAnswer[] = parsed.answers.map((a) => ({
      classId: a?.classId ?? null,
      confidence: a?.confidence ?? 0,
      tokens: first.tokensPerItem,
    }));
    const bad = [...parsed.problems.keys()];
    if (!bad.length) return answers;

    // One corrective retry, for the unusable items only; what still fails is reported, never guessed.
    const retryItems = bad.map((i) => items[i]);
    try {
      const second = await this.chat(this.prompt.correctionMessages(retryItems, bad.map((i) => parsed.problems.get(i)!)), bad.length);
      const reparsed = this.prompt.parse(second.content, bad.length);
      bad.forEach((i, j) => {
        const a = reparsed.answers[j];
        answers[i] = a
          ? { classId: a.classId, confidence: a.confidence, tokens: (answers[i].tokens ?? 0) + second.tokensPerItem, reason: 'answered on the corrective retry' }
          : { classId: null, confidence: 0, problem: `unusable answer, also after one corrective retry: ${reparsed.problems.get(j)}` };
      });
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      for (const i of bad) answers[i] = { classId: null, confidence: 0, problem: `${parsed.problems.get(i)}; the corrective retry failed: ${why}` };
    }
    return answers;
  }

  async reachable(): Promise<boolean> {
    return (await this.probe()).ok;
  }

  async probe(): Promise<{ ok: boolean; message: string }> {
    try {
      const { models } = await this.client.list();
      const names = models.map((m) => m.name);
      const wanted = this.model.includes(':') ? [this.model] : [this.model, `${this.model}:latest`];
      if (names.some((n) => wanted.includes(n))) return { ok: true, message: `${this.where}, model ${this.model}` };
      return { ok: false, message: `${this.where} is up but model ${this.model} is not pulled (run: ollama pull ${this.model})` };
    } catch (err) {
      return { ok: false, message: `${this.where} is not reachable (${toUnavailable(err).message})` };
    }
  }

  private async chat(messages: ChatMessage[], n: number): Promise<{ content: string; tokensPerItem: number }> {
    let res: ChatResponse;
    try {
      res = await this.client.chat({
        model: this.model,
        messages,
        stream: false,
        format: this.prompt.format(n),
        keep_alive: this.config.keepAliveS,
        options: { temperature: 0, num_ctx: this.config.numCtx },
      });
    } catch (err) {
      throw toUnavailable(err);
    }
    const tokens = (res.prompt_eval_count ?? 0) + (res.eval_count ?? 0);
    return { content: res.message?.content ?? '', tokensPerItem: tokens / n };
  }
}

/** Translates what fetch and the ollama client throw into the port's failure kinds. */
export function toUnavailable(err: unknown): LlmUnavailableError {
  if (err instanceof LlmUnavailableError) return err;
  const e = err as Error & { status_code?: number; cause?: { code?: string; message?: string } };
  const say = (kind: LlmFailureKind, message: string) => new LlmUnavailableError(kind, message, { cause: err });
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') return say('timeout', 'request timed out');
  if (typeof e?.status_code === 'number') {
    const status = e.status_code;
    if (OOM_RE.test(e.message)) return say('oom', `out of memory (${status}: ${e.message})`);
    if (status >= 500) return say('server', `server error ${status}: ${e.message}`);
    return say('client', `request rejected ${status}: ${e.message}`);
  }
  if (e?.cause?.code) return say('connection', `${e.cause.code}${e.cause.message ? `: ${e.cause.message}` : ''}`);
  // A reply cut off mid-body or a body that is not JSON: the server misbehaved, worth a retry.
  const message = e?.cause?.message ? `${e.message}: ${e.cause.message}` : (e?.message ?? String(err));
  return say(e instanceof SyntaxError ? 'server' : 'connection', message);
}

/** The Ollama client as every runtime makes it: config from the environment, prompted with the given examples. */
export function createOllamaLlm(
  taxonomy: Taxonomy,
  examples: FewShotExample[],
  env: NodeJS.ProcessEnv = process.env,
  overrides: Partial<OllamaConfig> = {},
): { llm: OllamaLlm; batchSize: number; concurrency: number } {
  const config = ollamaConfig(env, overrides);
  return { llm: new OllamaLlm(new LlmPrompt(taxonomy, examples), config), batchSize: config.batchSize, concurrency: config.concurrency };
}
