import { text } from 'node:stream/consumers';
import { emptyRegistryState, type RegistryState, registryStateSchema } from '../../model/registry.ts';
import type { BlobStore, ModelRegistry, ModelVersionInfo } from '../../ports.ts';
import type { ServedVersions } from './dynamodb.ts';

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

  /** The champion's version alone: one small read (registry.json), no metrics. */
  async championVersion(): Promise<string | null> {
    return (await this.state()).champion;
  }

  async champion(): Promise<ModelVersionInfo | null> {
    const s = await this.state();
    return s.champion ? this.info(s.champion, 'champion', s) : null;
  }

  async promote(version: string): Promise<void> {
    throw new Error(`on AWS a version is promoted by the retraining state machine when it beats the champion; ${version} was not promoted`);
  }
}

/**
 * The versions cached decisions must be of (DynamoCache servedVersions): the encoder's are the champion's once a
 * model was promoted (before that, whatever the endpoint serves). One registry read per cache lookup, a batch of
 * rows, shared by the lookups that start while it is in flight.
 */
export function servedVersionsOf(registry: Pick<S3ModelRegistry, 'championVersion'>): () => Promise<ServedVersions> {
  let reading: Promise<ServedVersions> | undefined;
  return () =>
    (reading ??= registry
      .championVersion()
      .then((champion): ServedVersions => (champion ? { encoder: champion } : {}))
      .finally(() => {
        reading = undefined;
      }));
}
