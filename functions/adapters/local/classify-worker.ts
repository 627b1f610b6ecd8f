/**
 * A worker thread of `aisle classify`: builds the run's cascade (rules; the encoder as its own one-thread ONNX
 * session of the champion's model; the cache through the main thread, which alone opens the DuckDB file) and
 * classifies the slices it is sent. Started by classify-parallel.ts from a bundle of this file, so it loads in
 * a few milliseconds without tsx.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { Cascade } from '../../core/cascade.ts';
import { createEncoderTier } from '../../core/encoder-tier.ts';
import { loadRules, RulesTier } from '../../core/rules.ts';
import { loadTaxonomy } from '../../core/taxonomy.ts';
import type { Decision, Tier } from '../../core/types.ts';
import type { Cache } from '../../ports.ts';
import { type ChunkContext, classifyChunk, classifyRowChunk } from './classify-chunk.ts';
import { type ToMain, type ToWorker, versionsOf, type WorkerSetup } from './classify-parallel.ts';
import { unpackRows } from './classify-rows.ts';

const setup = workerData as WorkerSetup;
const port = parentPort!;
const post = (message: ToMain, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);

/** Decisions a worker remembers of its own: enough for the repeats within a few slices, bounded in memory. */
const OWN_DECISIONS = 50_000;

/**
 * The cache as the main thread sees it: keys it does not hold are misses here, the rest are asked for. What
 * this worker's cascade puts (the encoder's decisions) goes to the main thread with the slice's result
 * (takePut), and the worker answers its own later lookups of those keys (the most recent OWN_DECISIONS):
 * asking the main thread for them would keep the worker waiting on it batch after batch.
 */
class MainThreadCache implements Cache {
  private asked = 0;
  private readonly answers = new Map<number, (hits: Map<string, Decision>) => void>();
  private put: Decision[] = [];
  private readonly own = new Map<string, Decision>();

  constructor(private readonly known: Set<string>) {}

  async getMany(keys: string[], taxonomyVersion: string): Promise<Map<string, Decision>> {
    const wanted = keys.filter((k) => this.known.has(k));
    const hits = wanted.length ? await this.ask(wanted, taxonomyVersion) : new Map<string, Decision>();
    if (!this.own.size) return hits;
    for (const key of keys) {
      const mine = this.own.get(key);
      // As RunCache: a human label in the store wins over a decision of this run.
      if (mine && mine.taxonomyVersion === taxonomyVersion && hits.get(key)?.tier !== 'human') hits.set(key, mine);
    }
    return hits;
  }

  private ask(keys: string[], taxonomyVersion: string): Promise<Map<string, Decision>> {
    const id = ++this.asked;
    return new Promise((resolve) => {
      this.answers.set(id, resolve);
      post({ kind: 'cache-get', id, keys, taxonomyVersion });
    });
  }

  answer(id: number, hits: Map<string, Decision>): void {
    this.answers.get(id)?.(hits);
    this.answers.delete(id);
  }

  async putMany(decisions: Decision[]): Promise<void> {
    for (const d of decisions) {
      // The fields the store keeps (classify-cache.ts asStored): a trace would only cost the copy to the main thread.
      const { trace: _, ...stored } = d;
      this.put.push(stored);
      this.own.delete(d.key);
      this.own.set(d.key, stored);
      if (this.own.size > OWN_DECISIONS) this.own.delete(this.own.keys().next().value!);
    }
  }

  /** The decisions put since the last call. */
  takePut(): Decision[] {
    const put = this.put;
    this.put = [];
    return put;
  }

  forTenant(): Cache {
    throw new Error("a classify worker's cache is its job's tenant's: the main thread answers for that tenant alone");
  }
}

const taxonomy = loadTaxonomy(setup.taxonomyPath);
const rules = setup.rulesPath === null ? undefined : new RulesTier(loadRules(taxonomy, setup.rulesPath));
// One intra-op thread: the workers are the parallelism. Imported only when asked: onnxruntime takes a while to load.
const encoder = setup.encoderModel === null ? undefined : await loadEncoder(setup.encoderModel);
const tiers: Tier[] = [...(rules ? [rules] : []), ...(encoder ? [createEncoderTier(encoder, { taxonomy })] : [])];
const cache = setup.cachedKeys ? new MainThreadCache(setup.cachedKeys) : undefined;
const ctx: ChunkContext = {
  ...setup,
  cascade: new Cascade({ taxonomy, tiers, cache, versionsOutside: new Map(setup.versionsOutside) }),
  taxonomy,
};
// The files may have changed since the main thread read them: a mix of versions must not pass unnoticed.
const versions = versionsOf(taxonomy.version, rules?.version, encoder?.modelVersion);

async function loadEncoder(location: string) {
  const { OnnxEncoder } = await import('../../model/encoder.ts');
  return OnnxEncoder.load(location, { taxonomy, threads: 1 });
}

// Chunks are classified one after another, in the order they came (the main thread keeps two in flight).
let working = Promise.resolve();
port.on('message', (message: ToWorker) => {
  if (message.kind === 'cache-hits') {
    cache?.answer(message.id, message.hits);
    return;
  }
  const classified = () =>
    message.kind === 'rows'
      ? classifyRowChunk(ctx, setup.rows!, unpackRows(message.packed), message.packed.text.length)
      : classifyChunk(ctx, message.bytes);
  working = working.then(() =>
    classified().then(
      (result) =>
        post({ kind: 'chunk-done', chunk: message.chunk, result, cached: cache?.takePut() ?? [] }, [
          result.output.buffer as ArrayBuffer,
          result.toStore.bytes.buffer as ArrayBuffer,
        ]),
      (err: Error) => post({ kind: 'failed', message: err.stack ?? err.message }),
    ),
  );
});
post({ kind: 'ready', versions });
