import { stat } from 'node:fs/promises';
import type { Candidate } from '../../core/types.ts';
import type { ClassScores, Encoder, RuleCalibration } from '../../ports.ts';
import type { LocalModelRegistry } from './model-registry.ts';

/** How often the registry is looked at: one stat a second costs nothing. */
const CHECK_EVERY_MS = 1000;

interface LoadedModel extends Encoder {
  scores(texts: string[]): Promise<ClassScores>;
  /** Frees what serving holds until the next call (OnnxEncoder.release). */
  release?(): Promise<void>;
  close(): Promise<void>;
}

/**
 * The registry's champion, followed: a long-running process (`aisle serve`) answers with the model promoted
 * since it started (a retrain, `aisle models promote`), never with a retired one. It looks at the registry
 * file once a second, in the background, so the version the cascade checks its cache against is current
 * before a batch starts; when the champion changed it loads the new model, swaps it in, and closes the old
 * one once the batches already running on it are done.
 */
export class ChampionEncoder implements Encoder {
  private stateStamp: string | undefined;
  private switching: Promise<void> | undefined;
  private readonly timer: NodeJS.Timeout;
  /** Batches running on each model, so a retired one is closed only when its last batch is done. */
  private readonly running = new Map<LoadedModel, number>();

  private constructor(
    private readonly registry: LocalModelRegistry,
    private readonly load: (location: string) => Promise<LoadedModel>,
    private current: LoadedModel,
    private currentLocation: string,
    stamp: string | undefined,
  ) {
    this.stateStamp = stamp;
    // Unref'd: following the champion never keeps a finished process alive.
    this.timer = setInterval(() => void this.follow(), CHECK_EVERY_MS).unref();
  }

  static async open(
    registry: LocalModelRegistry,
    load: (location: string) => Promise<LoadedModel>,
  ): Promise<ChampionEncoder | { unavailable: string }> {
    const stamp = await stateStamp(registry);
    const champion = await registry.champion();
    if (!champion?.location) return { unavailable: 'no model: no shipped starter model and no trained champion' };
    try {
      return new ChampionEncoder(registry, load, await load(champion.location), champion.location, stamp);
    } catch (err) {
      return { unavailable: `model ${champion.version} cannot be loaded: ${(err as Error).message}` };
    }
  }

  get modelVersion(): string {
    return this.current.modelVersion;
  }

  /** The folder of the model serving now: worker threads load their own session of it (classify-parallel.ts). */
  get location(): string {
    return this.currentLocation;
  }

  get ruleCalibration(): RuleCalibration | undefined {
    return this.current.ruleCalibration;
  }

  threshold(classId: string): number {
    return this.current.threshold(classId);
  }

  predict(texts: string[], topK?: number): Promise<Candidate[][]> {
    return this.onCurrent((model) => model.predict(texts, topK));
  }

  scores(texts: string[]): Promise<ClassScores> {
    return this.onCurrent((model) => model.scores(texts));
  }

  /** Runs `use` on the current model, which is not closed until it is done. */
  private async onCurrent<T>(use: (model: LoadedModel) => Promise<T>): Promise<T> {
    const model = this.current;
    this.running.set(model, (this.running.get(model) ?? 0) + 1);
    try {
      return await use(model);
    } finally {
      this.running.set(model, this.running.get(model)! - 1);
    }
  }

  /** Releases the current model's session until its next use: worker threads serve meanwhile (classify-parallel.ts). */
  async release(): Promise<void> {
    await this.current.release?.();
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.switching;
    await this.current.close();
  }

  /** Swaps in a newly promoted champion; a model that fails to load leaves the current one serving. */
  private async follow(): Promise<void> {
    if (this.switching) return this.switching;
    const stamp = await stateStamp(this.registry);
    if (stamp === this.stateStamp) return;
    this.switching = (async () => {
      const champion = await this.registry.champion();
      if (champion?.location && champion.version !== this.current.modelVersion) {
        const next = await this.load(champion.location);
        const old = this.current;
        this.current = next;
        this.currentLocation = champion.location;
        void this.closeWhenIdle(old);
      }
      this.stateStamp = stamp;
    })()
      .catch(() => {
        // Left to the next check: a half-written model folder or registry is retried a second later.
      })
      .finally(() => {
        this.switching = undefined;
      });
    return this.switching;
  }

  private async closeWhenIdle(old: LoadedModel): Promise<void> {
    // Batches that took the old model before the swap finish on it; new batches take the new one.
    while (this.running.get(old)) await new Promise((r) => setTimeout(r, 50));
    this.running.delete(old);
    await old.close();
  }
}

/** The registry file's change stamp (mtime and size), undefined while there is none (the shipped starter). */
async function stateStamp(registry: LocalModelRegistry): Promise<string | undefined> {
  const s = await stat(registry.statePath).catch(() => undefined);
  return s ? `${s.mtimeMs}:${s.size}` : undefined;
}
