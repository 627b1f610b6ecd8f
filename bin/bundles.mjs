// Bundles of the TypeScript sources as plain ES modules, built with esbuild (tsx's own compiler) on first use
// and kept under node_modules/.cache/aisle, named by a hash of their sources: a changed source gets a new
// bundle. Node then loads the code without a TypeScript loader: the CLI starts ~0.15 s sooner than through
// tsx, and a worker thread (which does not inherit tsx) loads in milliseconds. Plain JavaScript, because the
// CLI's entry (aisle.mjs) needs it before any loader is registered.
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const CACHE_DIR = join(ROOT, 'node_modules/.cache/aisle');
/** Where a self-contained bundle goes when node_modules is read-only. */
const TMP_DIR = join(tmpdir(), `aisle-${createHash('sha256').update(ROOT).digest('hex').slice(0, 8)}`);
/** Bundles not started from for this long go (each start touches its bundle): no running process still loads from them. */
const STALE_MS = 3_600_000;

/** Spelled in pieces: this file is bundled too, and its own text must not be rewritten. */
const importMeta = (/** @type {string} */ field) => ['import', 'meta', field].join('.');

/**
 * Each source keeps its own import.meta: a bundle lives elsewhere, and sources find their data files
 * (models/taxonomy.json, the worker's entry...) relative to themselves.
 * @type {import('esbuild').Plugin}
 */
const sourceImportMeta = {
  name: 'source-import-meta',
  setup(build) {
    build.onLoad({ filter: /\.(ts|mjs)$/ }, async ({ path }) => {
      if (path.includes('/node_modules/')) return undefined;
      const text = await readFile(path, 'utf8');
      return {
        loader: path.endsWith('.ts') ? 'ts' : 'js',
        contents: text
          .replaceAll(importMeta('url'), JSON.stringify(pathToFileURL(path).href))
          .replaceAll(importMeta('dirname'), JSON.stringify(dirname(path)))
          .replaceAll(importMeta('filename'), JSON.stringify(path)),
      };
    });
  },
};

/** Packages that load a native addon from a path relative to their own files: esbuild cannot bundle those. */
const NATIVE_PACKAGES = ['onnxruntime-node', 'usearch'];

/**
 * In a self-contained bundle, a package with a native addon stays an import of its installed entry file by its
 * absolute path, so the bundle still loads it from anywhere (a classify worker that runs the encoder).
 * @type {import('esbuild').Plugin}
 */
const nativeByPath = {
  name: 'native-by-path',
  setup(build) {
    const filter = new RegExp(`^(${NATIVE_PACKAGES.join('|')})$`);
    build.onResolve({ filter }, async ({ path, resolveDir, pluginData }) => {
      if (pluginData === 'native-by-path') return undefined; // the resolve below, asking esbuild's own resolver
      const resolved = await build.resolve(path, { resolveDir, kind: 'import-statement', pluginData: 'native-by-path' });
      return resolved.errors.length ? undefined : { path: resolved.path, external: true };
    });
  },
};

/** @param {string} path */
function touch(path) {
  try {
    const now = new Date();
    utimesSync(path, now, now);
  } catch {
    // read-only: the bundle stays as old as it is
  }
}

/**
 * A hash of the bundle's sources, named relative to the checkout: a node_modules copied into another
 * checkout must not reuse this one's bundle.
 * @param {string[]} files
 */
function hashFiles(files) {
  const h = createHash('sha256');
  for (const f of files)
    h.update(f)
      .update('\0')
      .update(readFileSync(join(ROOT, f)))
      .update('\0');
  return h.digest('hex').slice(0, 16);
}

/**
 * The path of a bundle of `entry` (a file under the checkout), built when its sources changed.
 * `packages: 'external'` leaves npm packages out: smaller and quicker to build, but the bundle must then
 * live under node_modules to resolve them, so where that is read-only this throws. `'bundle'` puts them in:
 * the bundle then runs from anywhere, the temp folder included.
 * @param {{ name: string, entry: string, packages: 'external' | 'bundle' }} opts
 * @returns {Promise<string>}
 */
export async function bundleFor({ name, entry, packages }) {
  const dirs = packages === 'external' ? [CACHE_DIR] : [CACHE_DIR, TMP_DIR];
  const entryFile = `${basename(entry).replace(/\.ts$/, '')}.mjs`;
  for (const dir of dirs) {
    try {
      const inputs = JSON.parse(readFileSync(join(dir, `${name}.json`), 'utf8'));
      const built = join(dir, `${name}-${hashFiles(inputs)}`, entryFile);
      if (existsSync(built)) {
        touch(dirname(built));
        return built;
      }
    } catch {
      // no bundle there yet, or a source is gone
    }
  }
  const { build } = await import('esbuild');
  const tmpOut = join(dirs[0], `${name}.${randomUUID()}.tmp`);
  let failure;
  for (const dir of dirs) {
    const out = dir === dirs[0] ? tmpOut : join(dir, basename(tmpOut));
    try {
      mkdirSync(dir, { recursive: true });
      const result = await build({
        entryPoints: [join(ROOT, entry)],
        bundle: true,
        platform: 'node',
        format: 'esm',
        target: 'node20',
        outdir: out,
        outExtension: { '.js': '.mjs' },
        splitting: true,
        sourcemap: true,
        metafile: true,
        absWorkingDir: ROOT,
        logLevel: 'silent',
        packages: packages === 'external' ? 'external' : undefined,
        plugins: packages === 'external' ? [sourceImportMeta] : [sourceImportMeta, nativeByPath],
      });
      const inputs = Object.keys(result.metafile.inputs).sort();
      const final = join(dir, `${name}-${hashFiles(inputs)}`);
      // Built aside and renamed: a concurrent run sees a whole bundle or none (and keeps the one that won).
      try {
        renameSync(out, final);
      } catch {
        rmSync(out, { recursive: true, force: true });
      }
      const manifest = join(dir, `${name}.json.${randomUUID()}.tmp`);
      writeFileSync(manifest, JSON.stringify(inputs));
      renameSync(manifest, join(dir, `${name}.json`));
      for (const old of readdirSync(dir)) {
        const path = join(dir, old);
        const bundleOrLeftover = old.startsWith(`${name}-`) || (old.startsWith(`${name}.`) && old.endsWith('.tmp'));
        if (bundleOrLeftover && path !== final && Date.now() - statSync(path).mtimeMs > STALE_MS) rmSync(path, { recursive: true, force: true });
      }
      return join(final, entryFile);
    } catch (err) {
      rmSync(out, { recursive: true, force: true });
      failure = err; // read-only: try the next place
    }
  }
  throw failure;
}
