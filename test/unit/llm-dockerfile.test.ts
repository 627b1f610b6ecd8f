import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { PINNED_OLLAMA_MODEL } from '../../lib/llm-service.ts';

// No Docker engine here: this checks the image's recipe, so the model the stack asks for is the one baked in.
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const dockerfile = readFileSync(join(ROOT, 'containers/llm/Dockerfile'), 'utf8');
const entrypoint = readFileSync(join(ROOT, 'containers/llm/entrypoint.sh'), 'utf8');

describe('containers/llm: the Ollama model is pinned and baked in', () => {
  it('builds with an exact tag (never a moving one), the stack default', () => {
    const model = /^ARG OLLAMA_MODEL=(\S+)$/m.exec(dockerfile)?.[1];
    expect(model).toBe(PINNED_OLLAMA_MODEL);
    expect(PINNED_OLLAMA_MODEL).toMatch(/^[\w.-]+:[\w.-]+$/);
    expect(PINNED_OLLAMA_MODEL).not.toMatch(/:latest$/);
    expect(/^ARG OLLAMA_VERSION=(\d+\.\d+\.\d+)$/m.test(dockerfile)).toBe(true);
  });

  it('pulls the model at build into the image, outside any mounted path, and checks a given digest', () => {
    expect(dockerfile).toMatch(/OLLAMA_MODELS=\/opt\/ollama\/models/);
    expect(dockerfile).toMatch(/ollama pull "\$OLLAMA_MODEL"/);
    expect(dockerfile).not.toMatch(/PULL_MODEL_AT_BUILD/);
    expect(dockerfile).toMatch(/"\$digest" != "\$OLLAMA_MODEL_DIGEST"/);
    expect(dockerfile).toMatch(/> \/opt\/ollama\/model\.digest/);
  });

  it('never downloads a model at start: a missing one stops the task with the reason', () => {
    expect(entrypoint).not.toMatch(/ollama pull/);
    expect(entrypoint).toMatch(/is not in the image[\s\S]*exit 1/);
  });
});
