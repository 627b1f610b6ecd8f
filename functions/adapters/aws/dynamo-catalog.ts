/**
 * Ask's CatalogLookup on AWS (functions/ask/indexed.ts): the tenant's current decisions of the items the vector
 * index found, read from the results table by key (BatchGetItem of their CURRENT items, in the tenant's partitions
 * only). The table is the truth: an item the index holds but the table does not is never retrieved.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { CatalogItem, CatalogLookup } from '../../ask/ports.ts';
import { DEFAULT_TENANT } from '../../core/api-keys.ts';
import { currentRecords } from './dynamodb.ts';

export class DynamoCatalogLookup implements CatalogLookup {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
    readonly tenant = DEFAULT_TENANT,
  ) {}

  forTenant(tenant: string): DynamoCatalogLookup {
    return new DynamoCatalogLookup(this.db, this.table, tenant);
  }

  async items(keys: string[]): Promise<CatalogItem[]> {
    return (await currentRecords(this.db, this.table, this.tenant, keys)).map(({ decision, input, text }) => ({
      key: decision.key,
      name: input.name,
      ...(input.brand ? { brand: input.brand } : {}),
      text,
      classId: decision.classId,
      status: decision.status === 'needs_review' ? 'needs_review' : 'ok',
    }));
  }
}
