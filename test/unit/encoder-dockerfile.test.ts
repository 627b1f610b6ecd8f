import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { isModelDir, shippedVersions } from '../../functions/model/registry.ts';

// No Docker engine on the development machine: this checks what a build would need, so the image cannot
// silently drift from the repository (a renamed entry, a starter model bumped without the Dockerfile).
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const dockerfile = readFileSync(join(ROOT, 'containers/encoder/Dockerfile'), 'utf8');
const ignore = readFileSync(join(ROOT, 'containers/encoder/Dockerfile.dockerignore'), 'utf8');

describe('containers/encoder/Dockerfile', () => {
  it('copies paths that exist, the default model is the newest shipped version, and the entry is the server', () => {
    expect(dockerfile).toMatch(/^FROM node:22-slim$/m);
    expect(dockerfile).toMatch(/npm ci --omit=dev/);
    const sources = [...dockerfile.matchAll(/^COPY (\S+)/gm)].map((m) => m[1]).filter((s) => !s.includes('$'));
    expect(sources.length).toBeGreaterThanOrEqual(4);
    for (const src of sources) for (const part of src.split(' ')) expect(existsSync(join(ROOT, part)), part).toBe(true);
    const model = /^ARG MODEL=(\S+)$/m.exec(dockerfile)![1];
    expect(isModelDir(join(ROOT, model))).toBe(true);
    expect(model).toBe(`models/encoder/${shippedVersions().at(-1)}`);
    const entry = /^ENTRYPOINT \[(.*)\]$/m.exec(dockerfile)![1];
    expect(JSON.parse(`[${entry}]`)).toEqual(['node', '--import', 'tsx', 'containers/encoder/server.ts']);
    expect(dockerfile).toMatch(/MODEL_DIR=\/opt\/ml\/model/);
    expect(dockerfile).toMatch(/EXPOSE 8080/);
  });

  it('sends the build context the image copies', () => {
    for (const path of ['package.json', 'package-lock.json', 'functions/**', 'containers/encoder/**', 'models/taxonomy.json', 'models/encoder/**']) {
      expect(ignore).toContain(`!${path}`);
    }
  });
});

describe('containers/encoder/Dockerfile.gpu', () => {
  const gpu = readFileSync(join(ROOT, 'containers/encoder/Dockerfile.gpu'), 'utf8');

  it('is the same server on the CUDA provider: CUDA 12 + cuDNN base, the CUDA provider fetched and checked, ENCODER_DEVICE=cuda', () => {
    expect(gpu).toMatch(/^FROM nvidia\/cuda:12\.[\d.]+-cudnn-runtime-/m);
    expect(gpu).toMatch(/^ENV ONNXRUNTIME_NODE_INSTALL=cuda12$/m);
    expect(gpu).toMatch(/test -f node_modules\/onnxruntime-node\/bin\/napi-v6\/linux\/x64\/libonnxruntime_providers_cuda\.so/);
    expect(gpu).toMatch(/ENCODER_DEVICE=cuda/);
    expect(dockerfile).toMatch(/^ENV ONNXRUNTIME_NODE_INSTALL=skip$/m);
    // Everything else as the CPU image: the same sources, model default and entry.
    const copies = (text: string) => [...text.matchAll(/^COPY (?!--from)(.+)$/gm)].map((m) => m[1]);
    expect(copies(gpu)).toEqual(copies(dockerfile));
    expect(/^ENTRYPOINT .*$/m.exec(gpu)![0]).toBe(/^ENTRYPOINT .*$/m.exec(dockerfile)![0]);
    expect(readFileSync(join(ROOT, 'containers/encoder/Dockerfile.gpu.dockerignore'), 'utf8')).toBe(ignore);
  });
});
