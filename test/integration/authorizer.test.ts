import { createRequire } from 'node:module';
import type { AddressInfo, Server } from 'node:net';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { documentClient } from '../../functions/adapters/aws/clients.ts';
import { DynamoKeyStore } from '../../functions/adapters/aws/dynamo-key-store.ts';
import { newApiKey } from '../../functions/core/api-keys.ts';
import { makeHandler } from '../../functions/handlers/authorizer.ts';
import { TABLE_KEYS } from '../../lib/table.ts';

// dynalite ships no types: its factory returns a net.Server.
const dynalite = createRequire(import.meta.url)('dynalite') as (options: Record<string, number>) => Server;

// The API-key authorizer over the DynamoDB key store, on dynalite with the table the CDK app defines.
let server: ReturnType<typeof dynalite>;
let store: DynamoKeyStore;
let client: DynamoDBClient;

beforeAll(async () => {
  server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  client = new DynamoDBClient({
    endpoint: `http://127.0.0.1:${port}`,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  const S = 'S' as const;
  await client.send(
    new CreateTableCommand({
      TableName: 'aisle',
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [TABLE_KEYS.partitionKey, TABLE_KEYS.sortKey, TABLE_KEYS.gsiPartitionKey, TABLE_KEYS.gsiSortKey].map((n) => ({
        AttributeName: n,
        AttributeType: S,
      })),
      KeySchema: [
        { AttributeName: TABLE_KEYS.partitionKey, KeyType: 'HASH' },
        { AttributeName: TABLE_KEYS.sortKey, KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: [
        {
          IndexName: TABLE_KEYS.gsi,
          KeySchema: [
            { AttributeName: TABLE_KEYS.gsiPartitionKey, KeyType: 'HASH' },
            { AttributeName: TABLE_KEYS.gsiSortKey, KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        },
      ],
    }),
  );
  store = new DynamoKeyStore(client, 'aisle');
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const event = (authorization?: string) => ({
  headers: authorization ? { authorization } : {},
  identitySource: authorization ? [authorization] : [],
});

describe('DynamoKeyStore', () => {
  it('stores only the hash, finds a key by id, lists keys in creation order, revokes once', async () => {
    const a = newApiKey('ci', 'write', { now: new Date('2026-01-01T00:00:00Z') });
    const b = newApiKey('dashboard', 'read', { now: new Date('2026-01-02T00:00:00Z') });
    await store.put(b.record);
    await store.put(a.record);
    await expect(store.put(a.record)).rejects.toThrow(); // an id is never overwritten
    expect(await store.get(a.record.id)).toEqual(a.record);
    expect(JSON.stringify(await store.get(a.record.id))).not.toContain(a.key);
    expect((await store.list()).map((r) => r.name)).toEqual(['ci', 'dashboard']);
    expect(await store.revoke(b.record.id, '2026-02-01T00:00:00.000Z')).toBe(true);
    expect(await store.revoke(b.record.id, '2026-03-01T00:00:00.000Z')).toBe(true);
    expect((await store.get(b.record.id))?.revokedAt).toBe('2026-02-01T00:00:00.000Z'); // the first revocation stands
    expect(await store.revoke('00000000', '2026-02-01T00:00:00.000Z')).toBe(false);
    expect(await store.get('00000000')).toBeNull();
  });
});

describe('authorizer handler', () => {
  it('authorizes a live key and passes its id, name, role and tenant to the API', async () => {
    const { key, record } = newApiKey('live', 'write', { tenant: 'acme' });
    await store.put(record);
    const handler = makeHandler({ keys: store });
    expect(await handler(event(`Bearer ${key}`))).toEqual({
      isAuthorized: true,
      context: { keyId: record.id, name: 'live', role: 'write', tenant: 'acme' },
    });
  });

  it('passes the default tenant for a key stored before tenants existed', async () => {
    const { key, record } = newApiKey('old', 'read');
    const { tenant: _tenant, ...before } = record;
    await documentClient(client).send(
      new PutCommand({
        TableName: 'aisle',
        Item: { pk: `KEY#${record.id}`, sk: 'KEY', gsi1pk: 'KEYS', gsi1sk: `${record.createdAt}#${record.id}`, ...before },
      }),
    );
    expect(await makeHandler({ keys: store })(event(`Bearer ${key}`))).toMatchObject({ isAuthorized: true, context: { tenant: 'default' } });
  });

  it('denies a missing header, a malformed key, an unknown key, a tampered secret and a revoked key', async () => {
    const handler = makeHandler({ keys: store });
    const { key, record } = newApiKey('soon revoked', 'read');
    await store.put(record);
    const unknown = newApiKey('never stored', 'read').key;
    const tampered = `${key.slice(0, -1)}${key.endsWith('A') ? 'B' : 'A'}`;
    for (const header of [undefined, 'Basic abc', 'Bearer not-a-key', `Bearer ${unknown}`, `Bearer ${tampered}`]) {
      expect(await handler(event(header)), String(header)).toEqual({ isAuthorized: false, context: {} });
    }
    expect((await handler(event(`Bearer ${key}`))).isAuthorized).toBe(true);
    await store.revoke(record.id, new Date().toISOString());
    expect(await handler(event(`Bearer ${key}`))).toEqual({ isAuthorized: false, context: {} });
  });
});
