import { text } from 'node:stream/consumers';
import { emptyRegistryState, type RegistryState, registryStateSchema } from '../../model/registry.ts';
import type { BlobStore, ModelRegistry, ModelVersionInfo } from '../../ports.ts';

/** The lake bucket's registry (written by the retraining state machine's promote step). */
export const REGISTRY_KEY = 'models/registry.json';
/** Where the training task writes a version's artifact folder. */
export const versionPrefix = (version: string) => `models/challengers/${version}/`;

/**
 * The model registry on AWS, read from the lake bucket: models/registry.json names the champion, challengers and
 * retired versions; each version's metrics.json sits in its artifact folder. Promotion happens in the
 * retraining state machine (champion vs challenger on the same held-out rows), not through this port.
 */
export class S3ModelRegistry implements ModelRegistry {
  constructor(private readonly lake: BlobStore) {}

  private async state(): Promise<RegistryState> {
    const body = await this.lake.get(REGISTRY_KEY);
    return body ? registryStateSchema.parse(JSON.parse(await text(body))) : emptyRegistryState();
  }

  private async info(version: string, role: ModelVersionInfo['role'], state: RegistryState): Promise<ModelVersionInfo> {
    const body = await this.lake.get(`${versionPrefix(version)}metrics.json`);
    const metrics = body ? (JSON.parse(await text(body)) as Record<string, unknown>) : {};
    const event = state.history.find((h) => h.version === version);
    return { version, role, metrics, createdAt: event?.at ?? '' };
  }

  async list(): Promise<ModelVersionInfo[]> {
    const s = await this.state();
    return Promise.all([
      ...(s.champion ? [this.info(s.champion, 'champion', s)] : []),
      ...s.challengers.map((v) => this.info(v, 'challenger', s)),
      ...s.retired.map((v) => this.info(v, 'retired', s)),
    ]);
  }

  async champion(): Promise<ModelVersionInfo | null> {
    const s = await this.state();
    return s.champion ? this.info(s.champion, 'champion', s) : null;
  }

  async promote(version: string): Promise<void> {
    throw new Error(`on AWS a version is promoted by the retraining state machine when it beats the champion; ${version} was not promoted`);
  }
}
