import { existsSync, statSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import {
  assertVersionName,
  emptyRegistryState,
  isModelDir,
  RegistryError,
  type RegistryState,
  registryStateSchema,
  SHIPPED_MODELS_DIR,
  shippedVersions,
  VERSION_PATTERN,
} from '../../model/registry.ts';
import type { ModelVersionInfo, WritableModelRegistry } from '../../ports.ts';

export interface LocalModelRegistryOptions {
  /** Folder of trained versions and registry.json: $AISLE_HOME/models. */
  root: string;
  /** Folder of the shipped versions (default: models/encoder in the repository). */
  shippedDir?: string;
}

/**
 * The model registry on one machine. Trained versions are folders under $AISLE_HOME/models/<version>/ and
 * registry.json there records the champion, challengers and retired versions. The newest shipped version
 * (models/encoder/starter-*) is the champion until a trained one is promoted.
 */
export class LocalModelRegistry implements WritableModelRegistry {
  readonly root: string;
  readonly shippedDir: string;

  constructor(opts: LocalModelRegistryOptions) {
    this.root = resolve(opts.root);
    this.shippedDir = resolve(opts.shippedDir ?? SHIPPED_MODELS_DIR);
  }

  /** The registry of an Aisle home folder ($AISLE_HOME): its models/ folder. */
  static forHome(home: string): LocalModelRegistry {
    return new LocalModelRegistry({ root: join(home, 'models') });
  }

  get statePath(): string {
    return join(this.root, 'registry.json');
  }

  locationFor(version: string): string {
    assertVersionName(version);
    return this.isShipped(version) ? join(this.shippedDir, version) : join(this.root, version);
  }

  async list(): Promise<ModelVersionInfo[]> {
    const state = await this.readState();
    const shipped = shippedVersions(this.shippedDir);
    const champion = this.championName(state, shipped);
    const out: ModelVersionInfo[] = [];
    for (const v of shipped) out.push(await this.info(v, v === champion ? 'champion' : 'retired'));
    if (state.champion && !this.isShipped(state.champion)) out.push(await this.info(state.champion, 'champion'));
    for (const v of state.challengers) out.push(await this.info(v, 'challenger'));
    for (const v of state.retired) if (!this.isShipped(v)) out.push(await this.info(v, 'retired'));
    return out;
  }

  async champion(): Promise<ModelVersionInfo | null> {
    const state = await this.readState();
    const name = this.championName(state, shippedVersions(this.shippedDir));
    return name ? this.info(name, 'champion') : null;
  }

  async addChallenger(version: string): Promise<ModelVersionInfo> {
    const dir = this.locationFor(version);
    if (this.isShipped(version)) throw new RegistryError(`${version} is a shipped version; trained versions need another name`);
    if (!isModelDir(dir))
      throw new RegistryError(`${dir} is not a complete model version (model.onnx, tokenizer.json, labels.json, metrics.json, card.json)`);
    await this.update((s) => {
      if (s.champion === version || s.challengers.includes(version)) throw new RegistryError(`${version} is already registered`);
      s.retired = s.retired.filter((v) => v !== version);
      s.challengers.push(version);
      s.history.push({ at: new Date().toISOString(), action: 'challenger', version });
    });
    return this.info(version, 'challenger');
  }

  async promote(version: string): Promise<void> {
    const dir = this.locationFor(version);
    if (!isModelDir(dir)) throw new RegistryError(`unknown model version "${version}" (no complete model folder at ${dir})`);
    const shipped = shippedVersions(this.shippedDir);
    await this.update((s) => {
      const previous = this.championName(s, shipped);
      if (previous === version) return;
      if (!this.isShipped(version) && !s.challengers.includes(version) && !s.retired.includes(version)) {
        throw new RegistryError(`"${version}" is not registered: add it as a challenger first`);
      }
      s.challengers = s.challengers.filter((v) => v !== version);
      s.retired = s.retired.filter((v) => v !== version);
      if (previous && !this.isShipped(previous)) s.retired.push(previous);
      s.champion = version;
      s.history.push({ at: new Date().toISOString(), action: 'promote', version, replaced: previous });
    });
  }

  async retire(version: string): Promise<void> {
    await this.update((s) => {
      if (s.champion === version) throw new RegistryError(`${version} is the champion: promote another version instead`);
      if (!s.challengers.includes(version)) throw new RegistryError(`${version} is not a challenger`);
      s.challengers = s.challengers.filter((v) => v !== version);
      s.retired.push(version);
      s.history.push({ at: new Date().toISOString(), action: 'retire', version });
    });
  }

  /** Resolves a model argument (a version name or a folder path) to a model folder. */
  resolveModelDir(versionOrDir: string): string {
    if (existsSync(versionOrDir) && statSync(versionOrDir).isDirectory()) return resolve(versionOrDir);
    if (VERSION_PATTERN.test(versionOrDir)) {
      const dir = this.locationFor(versionOrDir);
      if (existsSync(dir)) return dir;
    }
    throw new RegistryError(`no model folder or registered version "${versionOrDir}"`);
  }

  private isShipped(version: string): boolean {
    return existsSync(join(this.shippedDir, version)) && !existsSync(join(this.root, version));
  }

  private championName(state: RegistryState, shipped: string[]): string | null {
    return state.champion ?? shipped.at(-1) ?? null;
  }

  private async info(version: string, role: ModelVersionInfo['role']): Promise<ModelVersionInfo> {
    const location = this.locationFor(version);
    const metrics = await readJson(join(location, 'metrics.json'));
    const card = await readJson(join(location, 'card.json'));
    const createdAt = typeof card.createdAt === 'string' ? card.createdAt : existsSync(location) ? statSync(location).mtime.toISOString() : '';
    return { version, role, metrics, createdAt, location, shipped: this.isShipped(version) };
  }

  private async readState(): Promise<RegistryState> {
    if (!existsSync(this.statePath)) return emptyRegistryState();
    let json: unknown;
    try {
      json = JSON.parse(await readFile(this.statePath, 'utf8'));
    } catch (err) {
      throw new RegistryError(`${this.statePath} is not valid JSON: ${(err as Error).message}`);
    }
    const parsed = registryStateSchema.safeParse(json);
    if (!parsed.success) throw new RegistryError(`${this.statePath} is not a registry file: ${parsed.error.issues[0].message}`);
    return parsed.data;
  }

  /** Read, change, write atomically (temp file + rename), so a crash never leaves a half-written registry. */
  private async update(change: (state: RegistryState) => void): Promise<void> {
    const state = await this.readState();
    change(state);
    await mkdir(this.root, { recursive: true });
    const tmp = `${this.statePath}.${process.pid}.tmp`;
    await writeFile(tmp, `${JSON.stringify(state, null, 2)}\n`);
    await rename(tmp, this.statePath);
  }
}

async function readJson(file: string): Promise<Record<string, unknown>> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
  } catch {
    return {};
  }
}
