/**
 * A worker thread of `aisle classify`: builds the cheap tiers' cascade (rules; the cache through the main
 * thread, which alone opens the DuckDB file) and classifies the slices it is sent. Started by
 * classify-parallel.ts from a bundle of this file, so it loads in a few milliseconds without tsx.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { Cascade } from '../../core/cascade.ts';
import { loadRules, RulesTier } from '../../core/rules.ts';
import { loadTaxonomy } from '../../core/taxonomy.ts';
import type { Decision } from '../../core/types.ts';
import type { Cache } from '../../ports.ts';
import { type ChunkContext, classifyChunk } from './classify-chunk.ts';
import type { ToMain, ToWorker, WorkerSetup } from './classify-parallel.ts';

const setup = workerData as WorkerSetup;
const port = parentPort!;
const post = (message: ToMain, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);

/**
 * The cache as the main thread sees it: keys it does not hold are misses here, the rest are asked for.
 * Read-only: workers run only tiers that never write the cache (classify-parallel.ts checks).
 */
class MainThreadCache implements Cache {
  private asked = 0;
  private readonly answers = new Map<number, (hits: Map<string, Decision>) => void>();

  constructor(private readonly known: Set<string>) {}

  async getMany(keys: string[], taxonomyVersion: string): Promise<Map<string, Decision>> {
    const wanted = keys.filter((k) => this.known.has(k));
    if (!wanted.length) return new Map();
    const id = ++this.asked;
    return new Promise((resolve) => {
      this.answers.set(id, resolve);
      post({ kind: 'cache-get', id, keys: wanted, taxonomyVersion });
    });
  }

  answer(id: number, hits: Map<string, Decision>): void {
    this.answers.get(id)?.(hits);
    this.answers.delete(id);
  }

  async putMany(): Promise<void> {
    throw new Error('the cache is read-only in classify workers');
  }

  forTenant(): Cache {
    throw new Error("a classify worker's cache is its job's tenant's: the main thread answers for that tenant alone");
  }
}

const taxonomy = loadTaxonomy(setup.taxonomyPath);
const rules = setup.rulesPath === null ? undefined : new RulesTier(loadRules(taxonomy, setup.rulesPath));
const cache = setup.cachedKeys ? new MainThreadCache(setup.cachedKeys) : undefined;
const ctx: ChunkContext = {
  ...setup,
  cascade: new Cascade({ taxonomy, tiers: rules ? [rules] : [], cache, versionsOutside: new Map(setup.versionsOutside) }),
  taxonomy,
};
// The files may have changed since the main thread read them: a mix of versions must not pass unnoticed.
const versions = `${taxonomy.version} ${rules?.version ?? '-'}`;

// Slices are classified one after another, in the order they came (the main thread keeps two in flight).
let working = Promise.resolve();
port.on('message', (message: ToWorker) => {
  if (message.kind === 'cache-hits') {
    cache?.answer(message.id, message.hits);
    return;
  }
  working = working.then(() =>
    classifyChunk(ctx, message.bytes).then(
      (result) => post({ kind: 'chunk-done', chunk: message.chunk, result }, [result.output.buffer as ArrayBuffer]),
      (err: Error) => post({ kind: 'failed', message: err.stack ?? err.message }),
    ),
  );
});
post({ kind: 'ready', versions });
