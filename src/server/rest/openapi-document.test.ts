import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from '../server-test-kit.js';
import { HttpApi } from '../http/http-api.js';
import { HttpAuthenticator } from '../auth/http-authenticator.js';
import { InMemoryCredentialRegistry } from '../auth/credential.js';
import { RateLimiter } from '../rate-limit/token-bucket.js';
import { registerRestApi } from './rest-api.js';
import { REST_PATHS } from './openapi-document.js';

type Json = Record<string, any>;

/** Every `$ref` in a document, with where it was found. */
function refsOf(value: unknown, path = '#'): [string, string][] {
  if (Array.isArray(value)) return value.flatMap((item, index) => refsOf(item, `${path}/${index}`));
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, item]) =>
    key === '$ref' ? [[String(item), path] as [string, string]] : refsOf(item, `${path}/${key}`),
  );
}

function resolvePointer(document: Json, pointer: string): unknown {
  return pointer
    .slice(2)
    .split('/')
    .reduce<unknown>((node, part) => (node as Json | undefined)?.[part], document);
}

describe('OpenAPI description', () => {
  let t: TestServer;
  let document: Json;
  before(async () => {
    t = await startTestServer();
    const response = await fetch(`${t.httpUrl}${REST_PATHS.openapi}`); // public: no signature
    assert.equal(response.status, 200);
    document = (await response.json()) as Json;
  });
  after(() => t.stop());

  it('is an OpenAPI 3.1 document with info, paths and components', () => {
    assert.match(document.openapi, /^3\.1\.\d+$/);
    assert.equal(typeof document.info.title, 'string');
    assert.equal(typeof document.info.version, 'string');
    assert.ok(document.paths && document.components?.schemas && document.components?.securitySchemes);
  });

  it('documents exactly the routes the server registers, each with its method', async () => {
    const stub = new HttpApi({
      authenticator: new HttpAuthenticator({ credentials: new InMemoryCredentialRegistry([]), timestampWindowMs: 1 }),
      maxBodyBytes: 1,
    });
    const rest = registerRestApi(stub, { flows: t.flows, store: t.store, credentials: new InMemoryCredentialRegistry([]), rateLimiter: new RateLimiter() });
    rest.close();
    const registered = rest.routes.map((route) => `${route.method} ${route.path}`).sort();
    const documented = Object.entries(document.paths as Json)
      .flatMap(([path, item]) => Object.keys(item as Json).map((method) => `${method.toUpperCase()} ${path}`))
      .sort();
    assert.deepEqual(documented, registered);
    assert.equal(registered.length, Object.keys(REST_PATHS).length);
  });

  it('gives every operation an id, a success answer and, where it can fail, the error body', () => {
    const ids = new Set<string>();
    for (const [path, item] of Object.entries(document.paths as Json)) {
      for (const [method, operation] of Object.entries(item as Json)) {
        assert.ok(operation.operationId, `${method} ${path} has an operationId`);
        assert.ok(!ids.has(operation.operationId), `operationId ${operation.operationId} is unique`);
        ids.add(operation.operationId);
        assert.ok(operation.responses['200'], `${method} ${path} documents 200`);
        if (path === REST_PATHS.openapi) continue;
        assert.ok(operation.responses['401'], `${method} ${path} documents 401`);
        for (const [status, response] of Object.entries(operation.responses as Json)) {
          if (status === '200') continue;
          assert.equal(response.content['application/json'].schema.$ref, '#/components/schemas/Error', `${method} ${path} ${status} uses Error`);
        }
      }
    }
  });

  it('resolves every $ref and names only declared security schemes', () => {
    for (const [ref, where] of refsOf(document)) {
      assert.ok(ref.startsWith('#/'), `${where}: local ref`);
      assert.ok(resolvePointer(document, ref) !== undefined, `${where}: ${ref} resolves`);
    }
    const schemes = Object.keys(document.components.securitySchemes);
    const requirements = [document.security, ...Object.values(document.paths as Json).flatMap((item) => Object.values(item as Json).map((op) => op.security))];
    for (const requirement of requirements.filter(Boolean).flat()) {
      for (const name of Object.keys(requirement)) assert.ok(schemes.includes(name), `security scheme ${name} is declared`);
    }
  });
});
