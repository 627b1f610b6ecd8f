import type { Context } from 'hono';
import { describe, expect, it } from 'vitest';
import { clientKey, proxiedAddress } from '../../functions/api/client-address.ts';
import { FailedAuthLimit } from '../../functions/api/rate-limit.ts';
import { lambdaClientOf } from '../../functions/handlers/api-deps.ts';

describe('FailedAuthLimit', () => {
  it('refuses a client past its failures until the window ends, and keeps at most maxClients windows', () => {
    let now = 0;
    const limit = new FailedAuthLimit(3, 60, () => now, 2);
    for (let i = 0; i < 3; i++) {
      expect(limit.blockedFor('a')).toBe(0);
      limit.fail('a');
    }
    now = 20_500;
    expect(limit.blockedFor('a')).toBe(40);
    expect(limit.blockedFor('b')).toBe(0);
    now = 60_000;
    expect(limit.blockedFor('a')).toBe(0);

    for (const client of ['a', 'b', 'c']) for (let i = 0; i < 3; i++) limit.fail(client);
    expect(limit.blockedFor('a')).toBe(0); // the oldest window made room
    expect(limit.blockedFor('c')).toBeGreaterThan(0);
  });
});

describe('client addresses', () => {
  it('counts IPv4 as it is and IPv6 by its /64', () => {
    expect(clientKey('::ffff:10.1.2.3')).toBe('10.1.2.3');
    expect(clientKey('2001:db8:0:1::5')).toBe('2001:db8:0:1::/64');
    expect(clientKey('[2001:db8:0:1:aaaa::9%eth0]')).toBe('2001:db8:0:1::/64');
    expect(clientKey('::1')).toBe('0:0:0:0::/64');
    expect(clientKey(undefined)).toBe('unknown');
  });

  it("counts a Lambda call by API Gateway's source IP (HTTP API and REST API events)", () => {
    const call = (requestContext: object) => lambdaClientOf({ env: { event: { requestContext } } } as unknown as Context);
    expect(call({ http: { sourceIp: '203.0.113.9' } })).toBe('203.0.113.9');
    expect(call({ identity: { sourceIp: '2001:db8::1' } })).toBe('2001:db8:0:0::/64');
  });

  it("takes the proxy's own entry of X-Forwarded-For: the last", () => {
    expect(proxiedAddress('6.6.6.6, 10.0.0.7')).toBe('10.0.0.7');
    expect(proxiedAddress(undefined)).toBeUndefined();
  });
});
