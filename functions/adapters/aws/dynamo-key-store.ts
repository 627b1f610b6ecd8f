import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { type ApiKeyRecord, DEFAULT_TENANT } from '../../core/api-keys.ts';
import type { KeyStore } from '../../ports.ts';
import { documentClient } from './clients.ts';
import { isConditionFailure, queryAll } from './dynamodb.ts';

/**
 * API keys in the single table: item `pk = KEY#<id>`, `sk = KEY`, listed through the GSI
 * (`gsi1pk = KEYS`, `gsi1sk = <createdAt>#<id>`). Only the key's SHA-256 is stored (core/api-keys.ts).
 */
export class DynamoKeyStore implements KeyStore {
  private readonly doc: DynamoDBDocumentClient;

  constructor(
    client: DynamoDBClient,
    private readonly tableName: string,
  ) {
    this.doc = documentClient(client);
  }

  async put(r: ApiKeyRecord): Promise<void> {
    await this.doc.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { pk: keyPk(r.id), sk: 'KEY', gsi1pk: 'KEYS', gsi1sk: `${r.createdAt}#${r.id}`, ...r },
        ConditionExpression: 'attribute_not_exists(pk)', // ids are random: a clash must not overwrite a key
      }),
    );
  }

  async get(id: string): Promise<ApiKeyRecord | null> {
    const out = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: { pk: keyPk(id), sk: 'KEY' }, ConsistentRead: true }));
    return out.Item ? toRecord(out.Item) : null;
  }

  async list(): Promise<ApiKeyRecord[]> {
    const items = await queryAll(this.doc, this.tableName, {
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :keys',
      ExpressionAttributeValues: { ':keys': 'KEYS' },
    });
    return items.map(toRecord);
  }

  async revoke(id: string, at: string): Promise<boolean> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: keyPk(id), sk: 'KEY' },
          UpdateExpression: 'SET revokedAt = if_not_exists(revokedAt, :at)',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':at': at },
        }),
      );
      return true;
    } catch (err) {
      if (isConditionFailure(err)) return false;
      throw err;
    }
  }
}

const keyPk = (id: string) => `KEY#${id}`;

function toRecord(item: Record<string, unknown>): ApiKeyRecord {
  return {
    id: String(item.id),
    name: String(item.name),
    role: item.role === 'write' ? 'write' : 'read',
    tenant: typeof item.tenant === 'string' ? item.tenant : DEFAULT_TENANT, // keys made before tenants existed
    hash: String(item.hash),
    createdAt: String(item.createdAt),
    ...(typeof item.revokedAt === 'string' ? { revokedAt: item.revokedAt } : {}),
  };
}
