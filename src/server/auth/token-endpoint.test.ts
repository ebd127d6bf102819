import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { create, toBinary } from '@bufbuild/protobuf';
import { encodePacket } from '../../protocol/packet-codec.js';
import type { ResponsePacket } from '../../protocol/packet.js';
import { AuthRequestSchema } from '../../protocol/gen/control_pb.js';
import { goSdkHeaders, signedHeaders, startTestServer, testCredential, type TestServer } from '../server-test-kit.js';
import { wsClient } from '../socket/transport/transport-test-kit.js';
import { SOCKET_TOKEN_RATE_KEY } from './credential.js';
import { timestampMsOf } from './http-authenticator.js';
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

describe('X-Timestamp forms', () => {
  it('reads 13 digits as Unix milliseconds and up to 12 digits (with an optional fraction) as Unix seconds', () => {
    assert.equal(timestampMsOf('1700000000123'), 1_700_000_000_123);
    assert.equal(timestampMsOf('1700000000.123'), 1_700_000_000_123);
    assert.equal(timestampMsOf('1700000000'), 1_700_000_000_000);
    assert.equal(timestampMsOf('170000000012'), 170_000_000_012_000, '12 digits are still seconds');
    for (const bad of ['17000000001234', '1700000000123.5', '', '1.7e9', ' 1700000000', '-1700000000', '0x65']) {
      assert.equal(timestampMsOf(bad), undefined, JSON.stringify(bad));
    }
  });
});

describe('the Go SDKs against the socket-token endpoints', () => {
  const credential = testCredential({ appKey: 'go-key', appSecret: 'go-secret', accessToken: 'go-token' });
  const tokenLimited = testCredential({ appKey: 'go-limited', appSecret: 's', accessToken: 't', rateLimits: { [SOCKET_TOKEN_RATE_KEY]: { limit: 1, burst: 1 } } });
  let t: TestServer;
  before(async () => {
    t = await startTestServer({ credentials: [credential, tokenLimited] });
  });
  after(() => t.stop());

  async function token(path: string, headers: Record<string, string>): Promise<{ status: number; body: { code: number; message: string; data?: { otp: string; limit: number; online: number } } }> {
    const response = await fetch(`${t.httpUrl}${path}`, { headers });
    return { status: response.status, body: (await response.json()) as never };
  }

  /** Authenticates a socket with the one-time password; true when the server answered status 0. */
  async function socketAuth(otp: string): Promise<boolean> {
    const client = await wsClient(`${t.wsUrl}?version=1&codec=1&platform=9`);
    try {
      client.ws.send(encodePacket({ type: 1, cmd: 2, requestId: 1, timeoutMs: 5000, body: toBinary(AuthRequestSchema, create(AuthRequestSchema, { token: otp })), gzip: false }));
      const answer = await client.next(3000);
      return answer.type === 2 && (answer as ResponsePacket).status === 0;
    } finally {
      client.ws.close();
    }
  }

  it('old line (v0.8–v0.16): /v1/socket/token signed with a millisecond X-Timestamp', async () => {
    const { status, body } = await token('/v1/socket/token', goSdkHeaders(credential, 'GET', '/v1/socket/token'));
    assert.equal(status, 200, body.message);
    assert.ok(await socketAuth(body.data!.otp));
  });

  it('new line (v0.20+): /v2/socket/token answers data.otp (with limit and online), and the OTP authenticates', async () => {
    const { status, body } = await token('/v2/socket/token', goSdkHeaders(credential, 'GET', '/v2/socket/token'));
    assert.equal(status, 200, body.message);
    assert.equal(body.code, 0);
    assert.deepEqual(Object.keys(body.data!).sort(), ['limit', 'online', 'otp']);
    assert.ok(await socketAuth(body.data!.otp));
  });

  it('applies the ±300 s window to milliseconds after conversion; the signature covers the text as sent', async () => {
    const at = (ms: number): Record<string, string> => goSdkHeaders(credential, 'GET', '/v2/socket/token', { timestampMs: String(ms) });
    assert.deepEqual((await token('/v2/socket/token', at(Date.now() - 301_000))).body.code, 401004);
    assert.deepEqual((await token('/v2/socket/token', at(Date.now() + 301_000))).body.code, 401004);
    assert.equal((await token('/v2/socket/token', at(Date.now() - 250_000))).status, 200);
    // 14 digits are neither form; a signature over another text of the same instant does not match.
    const fourteen = goSdkHeaders(credential, 'GET', '/v2/socket/token', { timestampMs: `${Date.now()}0` });
    assert.deepEqual([(await token('/v2/socket/token', fourteen)).status, (await token('/v2/socket/token', fourteen)).body.code], [401, 401004]);
    const resent = { ...goSdkHeaders(credential, 'GET', '/v2/socket/token'), 'x-timestamp': (Date.now() / 1000).toFixed(3) };
    assert.deepEqual((await token('/v2/socket/token', resent)).body.code, 401003);
  });

  it('refuses a bad signature on /v2 as on /v1, and both share one per-credential bucket (HTTP 429, 301606)', async () => {
    const wrong = goSdkHeaders({ ...credential, appSecret: 'not-it' }, 'GET', '/v2/socket/token');
    assert.deepEqual([(await token('/v2/socket/token', wrong)).status, (await token('/v2/socket/token', wrong)).body.code], [401, 401003]);
    // limit 1/s, burst 1: 2 × 1 + 1 = three tokens across /v1 and /v2.
    const statuses: number[] = [];
    for (const path of ['/v1/socket/token', '/v2/socket/token', '/v1/socket/token', '/v2/socket/token']) {
      const answer = await token(path, goSdkHeaders(tokenLimited, 'GET', path));
      statuses.push(answer.status);
      if (answer.status !== 200) assert.equal(answer.body.code, 301606);
    }
    assert.deepEqual(statuses, [200, 200, 200, 429]);
  });
});

describe('OAuth bearer tokens (Authorization: Bearer)', () => {
  const signedOnly = testCredential({ appKey: 'signed-only', appSecret: 'so-secret', accessToken: 'so-token' });
  const oauth = testCredential({ appKey: 'oauth-client', appSecret: 'oa-secret', accessToken: 'oa-token', bearer: true });
  let t: TestServer;
  before(async () => {
    t = await startTestServer({ credentials: [signedOnly, oauth] });
  });
  after(() => t.stop());

  async function call(path: string, headers: Record<string, string>): Promise<{ status: number; code: number; message: string }> {
    const response = await fetch(`${t.httpUrl}${path}`, { headers });
    const body = (await response.json()) as { code: number; message: string };
    return { status: response.status, code: body.code, message: body.message };
  }

  it('refuses a bearer token for a credential not configured for it, with 401 / 401005 and the reason', async () => {
    const goStyle = await call('/v2/socket/token', goSdkHeaders(signedOnly, 'GET', '/v2/socket/token', { bearer: true }));
    assert.deepEqual([goStyle.status, goStyle.code], [401, 401005]);
    assert.match(goStyle.message, /Bearer.*not enabled for this credential/);
    // The Rust-core SDKs' OAuth mode sends a timestamp but still no signature: refused alike.
    const rustStyle = await call('/v1/socket/token', {
      'X-Api-Key': signedOnly.appKey,
      Authorization: `Bearer ${signedOnly.accessToken}`,
      'X-Timestamp': (Date.now() / 1000).toFixed(3),
    });
    assert.deepEqual([rustStyle.status, rustStyle.code], [401, 401005]);
    // Its signed requests are unaffected.
    assert.equal((await call('/v1/socket/token', signedHeaders(signedOnly, 'GET', '/v1/socket/token'))).status, 200);
  });

  it('accepts a bearer token without X-Timestamp (Go) or with one (Rust core) for a bearer credential', async () => {
    assert.equal((await call('/v2/socket/token', goSdkHeaders(oauth, 'GET', '/v2/socket/token', { bearer: true }))).status, 200);
    const withTimestamp = { 'X-Api-Key': oauth.appKey, Authorization: `Bearer ${oauth.accessToken}`, 'X-Timestamp': (Date.now() / 1000).toFixed(3) };
    assert.equal((await call('/v1/socket/token', withTimestamp)).status, 200);
    const intraday = await fetch(`${t.httpUrl}/api/v1/symbols`, { headers: goSdkHeaders(oauth, 'GET', '/api/v1/symbols', { bearer: true }) });
    assert.equal(intraday.status, 200);
    // Signed requests still work for it.
    assert.equal((await call('/v1/socket/token', signedHeaders(oauth, 'GET', '/v1/socket/token'))).status, 200);
  });

  it('still checks the token, a timestamp that is sent, and the app key', async () => {
    const wrongToken = await call('/v2/socket/token', goSdkHeaders({ ...oauth, accessToken: 'guess' }, 'GET', '/v2/socket/token', { bearer: true }));
    assert.deepEqual([wrongToken.status, wrongToken.code], [401, 401002]);
    const stale = { 'X-Api-Key': oauth.appKey, Authorization: `Bearer ${oauth.accessToken}`, 'X-Timestamp': String(Date.now() - 400_000) };
    assert.deepEqual((await call('/v1/socket/token', stale)).code, 401004);
    const unknown = await call('/v2/socket/token', goSdkHeaders({ ...oauth, appKey: 'nobody' }, 'GET', '/v2/socket/token', { bearer: true }));
    assert.deepEqual([unknown.status, unknown.code], [401, 401001]);
  });
});
