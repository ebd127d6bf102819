import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { openApiDocument } from '../../contract/openapi.js';
import { ROUTES, type Route } from '../../contract/routes.js';
import { HttpAuthenticator } from '../auth/http-authenticator.js';
import { InMemoryCredentialRegistry } from '../auth/credential.js';
import { RateLimiter } from '../rate-limit/token-bucket.js';
import { startTestServer, type TestServer } from '../server-test-kit.js';
import { ContractRouter } from './contract-router.js';
import { HttpApi } from './http-api.js';

describe('the contract router', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer();
  });
  after(() => t.stop());

  it('serves every route of the contract with its method (unsigned calls meet the access rule, not a 404 or 405)', async () => {
    for (const route of Object.values(ROUTES) as Route[]) {
      const response = await fetch(`${t.httpUrl}${route.path}`, { method: route.method });
      const body = await response.text();
      assert.doesNotMatch(body, /no such endpoint|not allowed on/, `${route.method} ${route.path}`);
      if (route.access === 'signed' || route.access === 'signed-or-public' || route.access === 'stream') {
        assert.equal(response.status, 401, `${route.method} ${route.path} without a signature`);
      }
    }
  });

  it('serves the OpenAPI document generated from the contract', async () => {
    const response = await fetch(`${t.httpUrl}${ROUTES.openapi.path}`);
    const served = (await response.json()) as { info: { version: string } };
    assert.deepEqual(served, JSON.parse(JSON.stringify(openApiDocument(served.info.version))));
  });

  it('lists the routes still without a handler, and refuses to serve one twice', () => {
    const api = new HttpApi({ authenticator: new HttpAuthenticator({ credentials: new InMemoryCredentialRegistry([]), timestampWindowMs: 1 }), maxBodyBytes: 1 });
    const router = new ContractRouter(api, { callers: { resolve: (context) => context.authenticate() }, rateLimiter: new RateLimiter() });
    assert.deepEqual(router.unbound(), Object.keys(ROUTES));
    router.envelope('health', () => ({ status: 'ok' as const }));
    assert.ok(!router.unbound().includes('health'));
    assert.throws(() => router.envelope('health', () => ({ status: 'ok' as const })), /served twice/);
  });
});
