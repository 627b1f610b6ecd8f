/**
 * Keeps the local similarity index up to date with finished jobs: every job lands in the results lake
 * ($AISLE_HOME/lake, lake-export.ts) with one row per classified item, so the index reads the lake parts it has
 * not read yet (listed in vectors/lake-parts.json) before it answers, at most once a second. A job costs no
 * step of its own, and a million-row job is indexed once, whichever process asks first.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { DEFAULT_TENANT } from '../../core/api-keys.ts';
import { StaticEmbedder } from '../../embeddings/static-embedder.ts';
import { entriesOf } from '../../similar/indexing.ts';
import { SimilarProducts } from '../../similar/similar.ts';
import { type CategoryModelSource, TenantCategoryVectors } from '../../similar/tenant-categories.ts';
import { ItemVectorizer, type NameVectorizer } from '../../similar/vectors.ts';
import { fillLake, hasPendingJobs } from './lake-export.ts';
import { LocalVectorIndex } from './vector-index.ts';
import type { GraphThread } from './vector-index-ann.ts';

const UPSERT_BATCH = 10_000;

export class LakeIndexSync {
  private connection?: Promise<DuckDBConnection>;
  private running: Promise<number> | null = null;
  private lastAt = 0;
  private readonly listFile: string;

  constructor(
    private readonly lakeRoot: string,
    private readonly index: LocalVectorIndex,
    private readonly vectorizer: NameVectorizer,
    private readonly say: (message: string) => void,
    private readonly everyMs = 1000,
  ) {
    this.listFile = join(index.root, 'lake-parts.json');
  }

  /** Indexes the lake parts written since the last sync; the number of items upserted. */
  sync(): Promise<number> {
    if (this.running) return this.running;
    if (Date.now() - this.lastAt < this.everyMs) return Promise.resolve(0);
    this.running = this.run().finally(() => {
      this.lastAt = Date.now();
      this.running = null;
    });
    return this.running;
  }

  private async run(): Promise<number> {
    const connection = await (this.connection ??= DuckDBInstance.create(':memory:').then((db) => db.connect()));
    if (hasPendingJobs(this.lakeRoot)) {
      await fillLake(
        {
          exec: async (sql) => void (await connection.run(sql)),
          query: async <T>(sql: string) => (await connection.runAndReadAll(sql)).getRowObjectsJS() as T[],
        },
        this.lakeRoot,
        this.say,
      );
    }
    const done = new Set<string>(existsSync(this.listFile) ? (JSON.parse(readFileSync(this.listFile, 'utf8')) as string[]) : []);
    const parts = lakeParts(join(this.lakeRoot, 'results')).filter((p) => !done.has(p));
    let upserted = 0;
    for (const part of parts) {
      const file = join(this.lakeRoot, 'results', part).replace(/'/g, "''");
      const reader = await connection.runAndReadAll(
        `SELECT tenant, item_key, product_name, class_id FROM read_parquet('${file}') WHERE item_key IS NOT NULL ORDER BY row_no`,
      );
      const byTenant = new Map<string, { key: string; name: string; classId: string | null }[]>();
      for (const [tenant, key, name, classId] of reader.getRows() as [string, string, string, string | null][]) {
        let list = byTenant.get(tenant);
        if (!list) byTenant.set(tenant, (list = []));
        list.push({ key, name, classId });
      }
      for (const [tenant, rows] of byTenant) {
        const index = this.index.forTenant(tenant);
        // A job's LLM decisions are labels: its tenant's category model refits before its items are vectorized.
        const vectorizer = this.vectorizer.forTenant?.(tenant) ?? this.vectorizer;
        vectorizer.labelsChanged?.();
        await vectorizer.refresh?.();
        for (let i = 0; i < rows.length; i += UPSERT_BATCH) await index.upsert(entriesOf(rows.slice(i, i + UPSERT_BATCH), vectorizer));
        upserted += rows.length;
      }
      done.add(part);
    }
    if (parts.length) {
      await this.index.flush();
      writeFileSync(this.listFile, `${JSON.stringify([...done].sort())}\n`);
    }
    return upserted;
  }

  async close(): Promise<void> {
    if (this.connection) (await this.connection).closeSync();
  }
}

/** Paths of the lake's Parquet parts, relative to `dir` (dt=…/job=…/part-N.parquet). */
function lakeParts(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.parquet'))
    .sort();
}

/**
 * Similar products over the local home: the index in $AISLE_HOME/vectors, synced from the lake before each query.
 * With `models` (aisle serve: fitted on its result store's labels in a worker thread), each tenant's vectors carry
 * its own category model; without them, the category slots stay empty and names alone rank.
 */
export function openLocalSimilar(
  home: string,
  say: (message: string) => void = (m) => process.stderr.write(`aisle: ${m}\n`),
  models: (embedder: StaticEmbedder) => CategoryModelSource = () => ({ latest: async () => null }),
  /** The graphs' own thread (`aisle serve`), else this one's. */
  graphThread?: GraphThread,
) {
  const embedder = StaticEmbedder.load();
  const vectorizer = new TenantCategoryVectors(new ItemVectorizer(embedder), models(embedder), DEFAULT_TENANT);
  // A folder of other dimensions (a layout without the category part, or another name vector) is re-embedded
  // from its names with its tenant's vectors: the name's ITEM_DIMENSIONS and the CATEGORY_SLOTS after them.
  const index = new LocalVectorIndex(join(home, 'vectors'), {
    dimensions: vectorizer.dimensions,
    vectorize: (name, tenant) => vectorizer.forTenant(tenant).vector(name),
    graphThread,
    warn: say,
  });
  const lake = new LakeIndexSync(join(home, 'lake'), index, vectorizer, say);
  const similar = new SimilarProducts(index, vectorizer, async () => void (await lake.sync()));
  return {
    similar,
    index,
    vectorizer,
    lake,
    close: async () => {
      await index.flush();
      await lake.close();
    },
  };
}
