import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { signedHeaders, startTestServer, testCredential, type TestServer } from '../server-test-kit.js';
import { computeSignature } from './request-signature.js';

describe('signed HTTP socket-token API', () => {
  const credential = testCredential();
  const expired = testCredential({ appKey: 'old', accessToken: 'old-token', expiresAt: Date.parse('2020-01-01T00:00:00Z') });
  let t: TestServer;
  before(async () => {
    t = await startTestServer({ credentials: [credential, expired] });
  });
  after(() => t.stop());

  async function getToken(headers: Record<string, string>): Promise<{ status: number; body: { code: number; message: string; data?: { otp: string; limit: number; online: number } } }> {
    const response = await fetch(`${t.httpUrl}/v1/socket/token`, { headers });
    return { status: response.status, body: (await response.json()) as never };
  }

  it('computes the signature of the LongPort scheme (independently known vector)', () => {
    // Reference value computed with Python's hmac/hashlib from the canonical string of protocol.md.
    const signature = computeSignature(
      { method: 'GET', path: '/v1/socket/token', query: '', appKey: 'k1', accessToken: 't1', timestamp: '1700000000.123' },
      's1',
    );
    assert.equal(signature, '30591700d199e4ff3737c924648663ad8e61c8045b9c1708e88143dfd934f72b');
  });

  it('issues a one-time password for a correctly signed request', async () => {
    const { status, body } = await getToken(signedHeaders(credential, 'GET', '/v1/socket/token'));
    assert.equal(status, 200);
    assert.equal(body.code, 0);
    assert.equal(body.data?.limit, 10);
    assert.equal(body.data?.online, 0);
    assert.ok((body.data?.otp.length ?? 0) >= 16);
  });

  it('rejects an unknown app key with 401001', async () => {
    const { status, body } = await getToken(signedHeaders({ ...credential, appKey: 'nobody' }, 'GET', '/v1/socket/token'));
    assert.deepEqual([status, body.code], [401, 401001]);
    assert.ok(body.message.length > 0);
  });

  it('rejects an unknown access token with 401002', async () => {
    const { status, body } = await getToken(signedHeaders({ ...credential, accessToken: 'wrong' }, 'GET', '/v1/socket/token'));
    assert.deepEqual([status, body.code], [401, 401002]);
  });

  it('rejects a wrong signature with 401003', async () => {
    const { status, body } = await getToken(signedHeaders({ ...credential, appSecret: 'not-the-secret' }, 'GET', '/v1/socket/token'));
    assert.deepEqual([status, body.code], [401, 401003]);
    const signedForOtherPath = await getToken(signedHeaders(credential, 'GET', '/v1/other'));
    assert.deepEqual([signedForOtherPath.status, signedForOtherPath.body.code], [401, 401003]);
    const headers = signedHeaders(credential, 'GET', '/v1/socket/token');
    delete headers['X-Api-Signature'];
    const unsigned = await getToken(headers);
    assert.deepEqual([unsigned.status, unsigned.body.code], [401, 401003]);
  });

  it('rejects a timestamp outside ±300 s of the wall clock with 401004', async () => {
    const stale = (Date.now() / 1000 - 301).toFixed(0);
    const { status, body } = await getToken(signedHeaders(credential, 'GET', '/v1/socket/token', '', undefined, stale));
    assert.deepEqual([status, body.code], [401, 401004]);
    const fine = (Date.now() / 1000 - 250).toFixed(0);
    assert.equal((await getToken(signedHeaders(credential, 'GET', '/v1/socket/token', '', undefined, fine))).status, 200);
  });

  it('rejects an expired credential with 403001', async () => {
    const { status, body } = await getToken(signedHeaders(expired, 'GET', '/v1/socket/token'));
    assert.deepEqual([status, body.code], [403, 403001]);
  });
});
