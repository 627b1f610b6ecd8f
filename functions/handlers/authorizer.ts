import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { APIGatewayRequestAuthorizerEventV2, APIGatewaySimpleAuthorizerWithContextResult } from 'aws-lambda';
import { DynamoKeyStore } from '../adapters/aws/dynamo-key-store.ts';
import { configOf } from '../config/deployables.ts';
import { bearerToken, verifyApiKey } from '../core/api-keys.ts';
import type { KeyStore } from '../ports.ts';
import { observed } from './observability.ts';

export interface AuthorizerDeps {
  keys: Pick<KeyStore, 'get'>;
}

/** What the API sees of the caller (`$context.authorizer.*`); the app checks the key again itself. */
export interface AuthorizerContext {
  keyId: string;
  name: string;
  role: string;
  /** Whose data the request may read and write. */
  tenant: string;
}

/**
 * API Gateway REQUEST authorizer (simple responses) for `/v1/*`: `Authorization: Bearer <key>` must be a
 * live key — the same hash check as the API (core/api-keys.ts verifyApiKey).
 */
export function makeHandler(deps: AuthorizerDeps) {
  return async (
    event: Pick<APIGatewayRequestAuthorizerEventV2, 'headers' | 'identitySource'>,
  ): Promise<APIGatewaySimpleAuthorizerWithContextResult<AuthorizerContext | Record<string, never>>> => {
    const key = bearerToken(event.headers?.authorization ?? event.identitySource?.[0]);
    if (!key) return { isAuthorized: false, context: {} };
    const check = await verifyApiKey(key, (id) => deps.keys.get(id));
    if (!check.ok) return { isAuthorized: false, context: {} };
    return { isAuthorized: true, context: { keyId: check.record.id, name: check.record.name, role: check.record.role, tenant: check.record.tenant } };
  };
}

/** Made on the first invocation: the key store over the table the function's settings name. */
let live: ReturnType<typeof makeHandler> | undefined;
export const handler = observed('authorizer', (event: Parameters<ReturnType<typeof makeHandler>>[0]) =>
  (live ??= makeHandler({ keys: new DynamoKeyStore(new DynamoDBClient({}), configOf('authorizer').tableName) }))(event),
);
