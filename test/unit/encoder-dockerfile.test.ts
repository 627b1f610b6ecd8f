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
