/**
 * Ollama as a chat model that answers in JSON (functions/ask ChatLlm): one /api/chat request with the reply
 * constrained by a JSON schema (`format`), the same settings, timeout and failure kinds as the LLM tier's
 * adapter (ollama.ts). It returns the reply unchecked: the ask core checks it.
 */
import type { Ollama } from 'ollama';
import type { ChatLlm } from '../ask/ports.ts';
import type { ChatMessage } from '../core/llm-prompt.ts';
import { type OllamaConfig, ollamaClient, ollamaConfig, toUnavailable } from './ollama.ts';

export class OllamaChat implements ChatLlm {
  readonly model: string;
  readonly where: string;
  private readonly client: Ollama;

  constructor(readonly config: OllamaConfig = ollamaConfig()) {
    this.model = config.model;
    this.where = `ollama at ${config.host}`;
    this.client = ollamaClient(config);
  }

  async chat(messages: ChatMessage[], format: Record<string, unknown>): Promise<string> {
    try {
      const res = await this.client.chat({
        model: this.model,
        messages,
        stream: false,
        format,
        keep_alive: this.config.keepAliveS,
        options: { temperature: 0, num_ctx: this.config.numCtx },
      });
      return res.message?.content ?? '';
    } catch (err) {
      throw toUnavailable(err);
    }
  }

  async probe(): Promise<{ ok: boolean; message: string }> {
    try {
      const names = (await this.client.list()).models.map((m) => m.name);
      const wanted = this.model.includes(':') ? [this.model] : [this.model, `${this.model}:latest`];
      if (names.some((n) => wanted.includes(n))) return { ok: true, message: `${this.where}, model ${this.model}` };
      return { ok: false, message: `${this.where} is up but model ${this.model} is not pulled (run: ollama pull ${this.model})` };
    } catch (err) {
      return { ok: false, message: `${this.where} is not reachable (${toUnavailable(err).message})` };
    }
  }
}

/**
 * The chat model when Ollama answers with its model, else null with why: a question then gets the retrieved
 * items (or the keyword-chosen query) at once, without waiting out a timeout per question.
 */
export async function reachableOllamaChat(config: OllamaConfig = ollamaConfig()): Promise<{ llm: OllamaChat | null; message: string }> {
  const llm = new OllamaChat(config);
  const probe = await llm.probe();
  return { llm: probe.ok ? llm : null, message: probe.message };
}
