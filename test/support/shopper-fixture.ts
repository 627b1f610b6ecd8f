import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { ShopperDialect } from '../../functions/shoppers/dialect.ts';
import { DuckDbShopperEngine } from '../../functions/shoppers/duckdb.ts';
import { generateShopperLogs, productPool } from '../../functions/shoppers/generator.ts';
import { processShopperLogs, type ShopperSummary } from '../../functions/shoppers/pipeline.ts';
import type { ProductClassifier } from '../../functions/shoppers/ports.ts';

/**
 * The generator's products classified by the category it drew them from (the generator's truth): fixtures that
 * test what is done with categories, not the cascade, get them without loading a model.
 */
export function truthClassifier(seed: number): ProductClassifier {
  const categoryOf = new Map(productPool(seed, 40).map((p) => [p.name, p.category]));
  return async (names) =>
    names.map((n) => {
      const category = categoryOf.get(n) || 'unknown';
      return { classId: category === 'unknown' ? null : category, category, tier: 'fixture', confidence: 1 };
    });
}

/** Generates shopper logs into `dir` and runs the pipeline over them into `out` (DuckDB, or another dialect on DuckDB). */
export async function writeShopperTables(
  dir: string,
  out: string,
  opts: { events: number; shoppers: number; seed: number; dialect?: ShopperDialect; setup?: string[] },
): Promise<ShopperSummary> {
  mkdirSync(dir, { recursive: true });
  const logs = join(dir, 'shopper-logs.csv');
  const demographics = join(dir, 'demographics.csv');
  generateShopperLogs(opts, { logs, demographics, searches: join(dir, 'planted-searches.csv') });
  const engine = await DuckDbShopperEngine.open({ tmpDir: join(out, 'tmp'), dialect: opts.dialect, setup: opts.setup });
  try {
    return await processShopperLogs({ logs, demographics, out }, { engine, classify: truthClassifier(opts.seed) });
  } finally {
    await engine.close();
  }
}
