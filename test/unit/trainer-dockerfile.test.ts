import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DEFAULT_RULES_PATH } from '../../functions/core/rules.ts';
import { SHIPPED_MODELS_DIR, shippedVersions } from '../../functions/model/registry.ts';
import { CATALOG_PATH } from '../../models/starter/generate.ts';

// No Docker engine on the development machine: this checks what a build would need, so the trainer image
// cannot silently lack a file its program reads (it once lacked models/rules.json and the starter catalog).
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const dockerfile = readFileSync(join(ROOT, 'containers/trainer/Dockerfile'), 'utf8');
const ignore = readFileSync(join(ROOT, 'containers/trainer/Dockerfile.dockerignore'), 'utf8');
const ENTRY = 'containers/trainer/task.ts';

/** The repository paths the image copies (every COPY's sources; the last word is the destination). */
const copied = [...dockerfile.matchAll(/^COPY (.+)$/gm)].flatMap((m) => m[1].split(/\s+/).slice(0, -1));
const inImage = (path: string) => copied.some((src) => (src.endsWith('/') ? path.startsWith(src) : path === src));

/** The repository's own modules the entry imports, transitively (relative imports; packages come from npm ci). */
function ownModules(entry: string): Set<string> {
  const seen = new Set<string>();
  const visit = (file: string) => {
    const rel = relative(ROOT, file);
    if (seen.has(rel)) return;
    seen.add(rel);
    const source = readFileSync(file, 'utf8');
    for (const m of source.matchAll(/(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+'(\.[^']+)'/g)) visit(resolve(dirname(file), m[1]));
  };
  visit(join(ROOT, entry));
  return seen;
}

describe('containers/trainer/Dockerfile', () => {
  it('copies paths that exist and runs the training task', () => {
    expect(dockerfile).toMatch(/^FROM node:22-slim$/m);
    expect(dockerfile).toMatch(/npm ci --omit=dev/);
    for (const src of copied) expect(existsSync(join(ROOT, src)), src).toBe(true);
    const entry = /^ENTRYPOINT \[(.*)\]$/m.exec(dockerfile)![1];
    expect(JSON.parse(`[${entry}]`)).toEqual(['node', '--import', 'tsx', ENTRY]);
  });

  it('holds every module the program imports', () => {
    const modules = ownModules(ENTRY);
    expect(modules.size).toBeGreaterThan(20);
    for (const m of modules) expect(inImage(m), m).toBe(true);
  });

  it('holds the rules, the starter catalog, the taxonomy and the shipped starter model the program reads', () => {
    const files = [
      fileURLToPath(DEFAULT_RULES_PATH),
      CATALOG_PATH,
      join(ROOT, 'models/taxonomy.json'),
      join(SHIPPED_MODELS_DIR, shippedVersions().at(-1)!, 'model.onnx'),
    ];
    for (const file of files) expect(inImage(relative(ROOT, file)), relative(ROOT, file)).toBe(true);
  });

  it('sends the build context the image copies', () => {
    for (const src of copied) expect(ignore).toContain(`!${src.endsWith('/') ? `${src}**` : src}`);
  });
});
