/**
 * The one LLM adapter: Ollama through the `ollama` npm client, used by the local runtime, the API and the
 * ECS worker. It sends one chat request per batch with the answer constrained by a JSON schema (`format`),
 * checks the reply with the core's zod contract, asks once more for the items that came back unusable, and
 * translates transport failures into LlmUnavailableError so the tier can retry, shrink or stop calling.
 * The tier itself (core/llm-tier.ts) is built by functions/tiers/llm.ts, `aisle review` and the ECS worker.
 */
import { type ChatResponse, Ollama } from 'ollama';
import { type ConfigOf, configOf } from '../config/deployables.ts';
import { type ChatMessage, type FewShotExample, LlmPrompt } from '../core/llm-prompt.ts';
import { type LlmFailureKind, LlmUnavailableError } from '../core/llm-tier.ts';
import type { Taxonomy } from '../core/taxonomy.ts';
import type { Llm, LlmAnswer, LlmItem } from '../ports.ts';

/** The Ollama settings every deployable that talks to Ollama reads (functions/config: OLLAMA_*). */
export type OllamaSettings = Pick<
  ConfigOf<'local'>,
  'llmMinConfidence' | 'ollamaHost' | 'ollamaModel' | 'ollamaBatchSize' | 'ollamaConcurrency' | 'ollamaTimeoutMs' | 'ollamaKeepAlive' | 'ollamaNumCtx'
>;

/** The client's settings; what each means and its default: docs/configuration.md (OLLAMA_*). */
const configFrom = (settings: OllamaSettings) => ({
  host: settings.ollamaHost,
  model: settings.ollamaModel,
  batchSize: settings.ollamaBatchSize,
  concurrency: settings.ollamaConcurrency,
  timeoutMs: settings.ollamaTimeoutMs,
  keepAliveS: settings.ollamaKeepAlive,
  numCtx: settings.ollamaNumCtx,
});
export type OllamaConfig = ReturnType<typeof configFrom>;

/** The client's config from the parsed settings, then explicit overrides (tests, `aisle review`). */
export function ollamaConfig(settings: OllamaSettings = configOf('local'), overrides: Partial<OllamaConfig> = {}): OllamaConfig {
  return { ...configFrom(settings), ...overrides };
}

// Ollama answers 500 with these when the model does not fit (system RAM or GPU memory).
const OOM_RE = /out of memory|requires more system memory|cudaMalloc failed|insufficient memory|\bOOM\b/i;

/** An Ollama client whose every call ends within the configured timeout (the client sends no signal on non-streamed requests). */
export function ollamaClient(config: OllamaConfig): Ollama {
  const timedFetch: typeof fetch = (input, init) => {
    const timeout = AbortSignal.timeout(config.timeoutMs);
    return fetch(input, { ...init, signal: init?.signal ? AbortSignal.any([init.signal, timeout]) : timeout });
  };
  return new Ollama({ host: config.host, fetch: timedFetch });
}

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
    this.client = ollamaClient(config);
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
      const second = await this.chat(
        this.prompt.messages(
          retryItems,
          bad.map((i) => parsed.problems.get(i)!),
        ),
        bad.length,
      );
      const reparsed = this.prompt.parse(second.content, bad.length);
      bad.forEach((i, j) => {
        const a = reparsed.answers[j];
        answers[i] = a
          ? {
              classId: a.classId,
              confidence: a.confidence,
              tokens: (answers[i].tokens ?? 0) + second.tokensPerItem,
              reason: 'answered on the corrective retry',
            }
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

/** The Ollama client as every runtime makes it: config from the settings, prompted with the given examples. */
export function createOllamaLlm(
  taxonomy: Taxonomy,
  examples: FewShotExample[],
  settings: OllamaSettings = configOf('local'),
): { llm: OllamaLlm; batchSize: number; concurrency: number; minConfidence: number } {
  const config = ollamaConfig(settings);
  return {
    llm: new OllamaLlm(new LlmPrompt(taxonomy, examples), config),
    batchSize: config.batchSize,
    concurrency: config.concurrency,
    minConfidence: settings.llmMinConfidence,
  };
}
