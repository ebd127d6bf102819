import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { CloseCode } from '../../model/errors.js';
import { AuthRequestSchema, AuthResponseSchema, ReconnectRequestSchema } from '../../protocol/gen/control_pb.js';
import { credentialGeneration, InMemoryCredentialRegistry } from '../auth/credential.js';
import { OtpIssuer } from '../auth/otp-issuer.js';
import { RateLimiter } from '../rate-limit/token-bucket.js';
import { testCredential } from '../server-test-kit.js';
import type { PacketConnection } from '../transport/packet-connection.js';
import { sleep, waitFor } from '../transport/transport-test-kit.js';
import { InMemorySessionRegistry } from './session-registry.js';
import { SocketGateway } from './socket-gateway.js';
import { fakeConnection, type Recorded } from './gateway-test-kit.js';

const SLOW = 77;

function gatewayWith(slowMs: number) {
  const otps = new OtpIssuer(60_000);
  const credential = testCredential({ appKey: 'k' });
  const gateway = new SocketGateway({
    credentials: new InMemoryCredentialRegistry([credential]),
    otps,
    sessions: new InMemorySessionRegistry(3_600_000),
    rateLimiter: new RateLimiter(),
    commands: new Map([[SLOW, () => sleep(slowMs).then(() => new Uint8Array([42]))]]),
  });
  const authed = async (): Promise<PacketConnection & Recorded> => {
    const conn = fakeConnection();
    gateway.onOpen(conn);
    gateway.onRequest(conn, { type: 1, cmd: 2, requestId: 1, timeoutMs: 5000, body: toBinary(AuthRequestSchema, create(AuthRequestSchema, { token: otps.issue('k', credentialGeneration(credential)) })), verify: false, gzip: false } as never);
    await waitFor(() => conn.responses.length === 1);
    return conn;
  };
  return { gateway, authed };
}

describe('SocketGateway operations', () => {
  it('drain waits for an in-flight request to be answered', async () => {
    const { gateway, authed } = gatewayWith(150);
    const conn = await authed();
    gateway.onRequest(conn, { type: 1, cmd: SLOW, requestId: 5, timeoutMs: 5000, body: new Uint8Array(), verify: false, gzip: false } as never);
    assert.equal(gateway.inFlight, 1);
    const started = Date.now();
    assert.equal(await gateway.drain(2000), true);
    const answer = conn.responses.find((response) => response.requestId === 5);
    assert.ok(answer, 'the in-flight request was answered');
    assert.deepEqual([...answer.body], [42]);
    assert.ok(answer.at <= Date.now() && Date.now() - started >= 100);
    assert.equal(gateway.inFlight, 0);
  });

  it('drain gives up after its bound when a request never finishes', async () => {
    const { gateway, authed } = gatewayWith(10_000);
    const conn = await authed();
    gateway.onRequest(conn, { type: 1, cmd: SLOW, requestId: 6, timeoutMs: 5000, body: new Uint8Array(), verify: false, gzip: false } as never);
    const started = Date.now();
    assert.equal(await gateway.drain(100), false);
    assert.ok(Date.now() - started < 1000);
  });

  it('applies reloaded rate limits to the next request of an already authenticated connection', async () => {
    let current = testCredential({ appKey: 'k' });
    const otps = new OtpIssuer(60_000);
    const gateway = new SocketGateway({
      credentials: { byAppKey: (appKey) => (appKey === 'k' ? current : undefined), all: () => [current] },
      otps,
      sessions: new InMemorySessionRegistry(3_600_000),
      rateLimiter: new RateLimiter(),
      commands: new Map([[SLOW, () => new Uint8Array([1])]]),
    });
    const conn = fakeConnection();
    gateway.onOpen(conn);
    gateway.onRequest(conn, { type: 1, cmd: 2, requestId: 1, timeoutMs: 5000, body: toBinary(AuthRequestSchema, create(AuthRequestSchema, { token: otps.issue('k', credentialGeneration(current)) })), verify: false, gzip: false } as never);
    await waitFor(() => conn.responses.length === 1);
    // As SIGHUP would: the same credential now allows 1 per second with a burst of 1 (a bucket of 2 × 1 + 1 = 3).
    current = testCredential({ appKey: 'k', rateLimits: { [SLOW]: { limit: 1, burst: 1 } } });
    for (let id = 10; id < 15; id++) gateway.onRequest(conn, { type: 1, cmd: SLOW, requestId: id, timeoutMs: 5000, body: new Uint8Array(), verify: false, gzip: false } as never);
    await waitFor(() => conn.responses.length === 6);
    assert.deepEqual(conn.responses.slice(1).map((response) => response.status), [0, 0, 0, 3, 3]);
  });

  it('disconnectCredential closes live connections with AuthError and makes their sessions unresumable', async () => {
    const { gateway, authed } = gatewayWith(0);
    const conn = await authed();
    const { sessionId } = fromBinary(AuthResponseSchema, conn.responses[0]!.body);
    assert.equal(gateway.onlineCount('k'), 1);
    assert.equal(gateway.disconnectCredential('k', 'credential revoked'), 1);
    assert.deepEqual(conn.closes, [{ code: CloseCode.AuthError, reason: 'credential revoked' }]);
    assert.equal(gateway.onlineCount('k'), 0);
    await sleep(10);
    const again = fakeConnection();
    gateway.onOpen(again);
    gateway.onRequest(again, { type: 1, cmd: 3, requestId: 2, timeoutMs: 5000, body: toBinary(ReconnectRequestSchema, create(ReconnectRequestSchema, { sessionId })), verify: false, gzip: false } as never);
    await waitFor(() => again.closes.length === 1);
    assert.equal(again.closes[0]!.code, CloseCode.SessExpired);
  });
});
