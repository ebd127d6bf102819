import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { CloseCode } from '../../../model/errors.js';
import { AuthRequestSchema, AuthResponseSchema, ReconnectRequestSchema } from '../../../protocol/gen/control_pb.js';
import { ErrorSchema } from '../../../protocol/gen/error_pb.js';
import { credentialGeneration, InMemoryCredentialRegistry } from '../../auth/credential.js';
import { OtpIssuer } from '../../auth/otp-issuer.js';
import { RateLimiter } from '../../rate-limit/token-bucket.js';
import { testCredential } from '../../server-test-kit.js';
import type { PacketConnection } from '../transport/packet-connection.js';
import { sleep, waitFor } from '../transport/transport-test-kit.js';
import { InMemorySessionRegistry } from './session-registry.js';
import { HEARTBEAT_RATE_LIMIT, SocketGateway } from './socket-gateway.js';
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

describe('SocketGateway heartbeats and authentication', () => {
  const heartbeat = (requestId: number) =>
    ({ type: 1, cmd: 1, requestId, timeoutMs: 5000, body: Uint8Array.of(8, requestId), gzip: false }) as never;

  it('echoes heartbeats up to 1/s per connection (bursts of at least 10), then answers 3/301606', () => {
    let now = 1_000_000;
    const gateway = new SocketGateway({
      credentials: new InMemoryCredentialRegistry([testCredential({ appKey: 'k' })]),
      otps: new OtpIssuer(60_000),
      sessions: new InMemorySessionRegistry(3_600_000),
      rateLimiter: new RateLimiter(),
      commands: new Map(),
      now: () => now,
    });
    const conn = fakeConnection();
    const other = fakeConnection();
    gateway.onOpen(conn);
    gateway.onOpen(other);
    // A bucket of the rule's size, as every capflow rate limit holds it.
    const bucket = new RateLimiter(() => now);
    let burst = 0;
    while (bucket.tryTake('x', 1, HEARTBEAT_RATE_LIMIT.limit, HEARTBEAT_RATE_LIMIT.burst)) burst++;
    assert.ok(burst >= 10 && burst < 100, `burst ${burst}`);
    for (let id = 1; id <= burst + 1; id++) gateway.onRequest(conn, heartbeat(id));
    assert.deepEqual(conn.responses.map((r) => r.status), [...Array<number>(burst).fill(0), 3]);
    assert.deepEqual([...conn.responses[0]!.body], [8, 1]);
    assert.equal(Number(fromBinary(ErrorSchema, conn.responses[burst]!.body).code), 301606);
    assert.deepEqual(conn.closes, [], 'a heartbeat over the rate is answered, not closed');
    // Another connection has its own bucket; a second later one more heartbeat is echoed.
    gateway.onRequest(other, heartbeat(1));
    assert.equal(other.responses[0]!.status, 0);
    now += 1000;
    gateway.onRequest(conn, heartbeat(200));
    gateway.onRequest(conn, heartbeat(201));
    assert.deepEqual(conn.responses.slice(burst + 1).map((r) => r.status), [0, 3]);
  });

  it('vouches for a connection to its transport once it has authenticated, and not before', async () => {
    const { gateway, authed } = gatewayWith(0);
    const early = fakeConnection();
    gateway.onOpen(early);
    gateway.onRequest(early, heartbeat(1));
    assert.equal(early.vouched, 0);
    const conn = await authed();
    assert.equal(conn.vouched, 1);
    const { sessionId } = fromBinary(AuthResponseSchema, conn.responses[0]!.body);
    const resumed = fakeConnection();
    gateway.onOpen(resumed);
    gateway.onRequest(resumed, { type: 1, cmd: 3, requestId: 2, timeoutMs: 5000, body: toBinary(ReconnectRequestSchema, create(ReconnectRequestSchema, { sessionId })), gzip: false } as never);
    await waitFor(() => resumed.responses.length === 1);
    assert.equal(resumed.responses[0]!.status, 0);
    assert.equal(resumed.vouched, 1);
  });

  it('answers one auth or reconnect at a time per connection: others sent meanwhile are refused 3/301606 without reaching the store', async () => {
    const redeemed: string[] = [];
    const otps = {
      issue: () => 'otp',
      // A shared store: it answers later.
      redeem: (otp: string) => {
        redeemed.push(otp);
        return sleep(20).then(() => undefined);
      },
      removeCredential: () => undefined,
    };
    const gateway = new SocketGateway({
      credentials: new InMemoryCredentialRegistry([testCredential({ appKey: 'k' })]),
      otps,
      sessions: new InMemorySessionRegistry(3_600_000),
      rateLimiter: new RateLimiter(),
      commands: new Map(),
    });
    const conn = fakeConnection();
    gateway.onOpen(conn);
    const auth = (requestId: number) =>
      ({ type: 1, cmd: requestId % 2 === 0 ? 3 : 2, requestId, timeoutMs: 5000, body: toBinary(AuthRequestSchema, create(AuthRequestSchema, { token: `t${requestId}` })), gzip: false }) as never;
    for (let id = 1; id <= 10; id++) gateway.onRequest(conn, auth(id));
    assert.deepEqual(redeemed, ['t1']);
    assert.deepEqual(conn.responses.map((r) => [r.requestId, r.status, Number(fromBinary(ErrorSchema, r.body).code)]), Array.from({ length: 9 }, (_, i) => [i + 2, 3, 301606]));
    await waitFor(() => conn.closes.length === 1);
    assert.equal(conn.closes[0]!.code, CloseCode.AuthError);
  });
});
