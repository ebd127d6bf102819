import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fromBinary } from '@bufbuild/protobuf';
import { CloseCode } from '../../../model/errors.js';
import { AuthResponseSchema } from '../../../protocol/gen/control_pb.js';
import { credentialGeneration, type Credential, type CredentialRegistry } from '../../auth/credential.js';
import { credentialFromRecord, issueCredential, revokeCredential, rotateCredential } from '../../auth/managed-credentials.js';
import { OtpIssuer } from '../../auth/otp-issuer.js';
import { RateLimiter } from '../../rate-limit/token-bucket.js';
import { testCredential } from '../../server-test-kit.js';
import { waitFor } from '../transport/transport-test-kit.js';
import { authPacket, fakeConnection, reconnectPacket } from './gateway-test-kit.js';
import { InMemorySessionRegistry } from './session-registry.js';
import { SocketGateway } from './socket-gateway.js';

const OPEN = { limit: 1_000_000, burst: 1_000_000 };

/** A gateway over a credential the test can swap (as a rotation through the store or a reload would). */
function lockoutGateway(initial: Credential) {
  let current: Credential | undefined = initial;
  const registry: CredentialRegistry = { byAppKey: (appKey) => (current?.appKey === appKey ? current : undefined), all: () => (current ? [current] : []) };
  const otps = new OtpIssuer(300_000);
  const sessions = new InMemorySessionRegistry(24 * 3_600_000);
  const gateway = new SocketGateway({ credentials: registry, otps, sessions, rateLimiter: new RateLimiter(), commands: new Map() });
  /** Authenticates a fresh connection with an OTP; the session id, or the close push code. */
  const auth = async (otp: string): Promise<{ sessionId?: string; closed?: number }> => {
    const conn = fakeConnection();
    gateway.onOpen(conn);
    gateway.onRequest(conn, authPacket(otp));
    await waitFor(() => conn.responses.length + conn.closes.length > 0);
    if (conn.closes[0]) return { closed: conn.closes[0].code };
    const { sessionId } = fromBinary(AuthResponseSchema, conn.responses[0]!.body);
    gateway.onClose(conn); // the client went away; its session stays resumable
    return { sessionId };
  };
  const reconnect = async (sessionId: string): Promise<{ status?: number; closed?: number; reason?: string }> => {
    const conn = fakeConnection();
    gateway.onOpen(conn);
    gateway.onRequest(conn, reconnectPacket(sessionId));
    await waitFor(() => conn.responses.length + conn.closes.length > 0);
    if (conn.closes[0]) return { closed: conn.closes[0].code, reason: conn.closes[0].reason };
    gateway.onClose(conn);
    return { status: conn.responses[0]!.status };
  };
  return {
    gateway,
    otps,
    sessions,
    auth,
    reconnect,
    swap: (next: Credential | undefined) => (current = next),
  };
}

describe('nothing derived from a rotated or revoked token works', () => {
  it('after a rotation, OTPs and sessions minted before it are refused — all of 1,500 sessions — and then forgotten', async () => {
    const before = testCredential({ appKey: 'rot', accessToken: 'old-token', appSecret: 'old-secret', connections: 10_000, rateLimits: { 2: OPEN, 3: OPEN } });
    const g = lockoutGateway(before);
    const oldGeneration = credentialGeneration(before);
    const sessionIds: string[] = [];
    for (let i = 0; i < 1_500; i++) sessionIds.push((await g.auth(g.otps.issue('rot', oldGeneration))).sessionId!);
    const pendingOtp = g.otps.issue('rot', oldGeneration);
    assert.equal((await g.reconnect(sessionIds[0]!)).status, 0, 'resumable before the rotation');

    const after = { ...before, accessToken: 'new-token', appSecret: 'new-secret' };
    g.swap(after);
    assert.notEqual(credentialGeneration(after), oldGeneration);
    // Refused by the generation check alone (a fleet peer may not have forgotten them yet).
    assert.equal((await g.auth(pendingOtp)).closed, CloseCode.AuthError);
    for (const id of [sessionIds[0]!, sessionIds[700]!, sessionIds[1_499]!]) {
      const answer = await g.reconnect(id);
      assert.equal(answer.closed, CloseCode.AuthError, `session ${id}`);
      assert.match(answer.reason!, /rotated or revoked/);
    }
    // What the server does on the registry's notice: every old session goes, however many.
    const fresh = await g.auth(g.otps.issue('rot', credentialGeneration(after)));
    g.gateway.disconnectCredential('rot', 'credential rotated', credentialGeneration(after));
    await waitFor(() => g.sessions.size === 1);
    assert.equal((await g.reconnect(sessionIds[100]!)).closed, CloseCode.SessExpired);
    assert.equal((await g.reconnect(fresh.sessionId!)).status, 0, 'a session of the new generation stays');
  });

  it('after a revocation, no OTP or session of the credential works, and a revoked record has a generation of its own', async () => {
    const issued = issueCredential({ appKey: 'rev', markets: ['HK'] }, undefined, 1_000);
    const active = credentialFromRecord(issued.record, undefined);
    const g = lockoutGateway({ ...active, rateLimits: new Map([[2, OPEN]]) });
    const generation = credentialGeneration(active);
    const { sessionId } = await g.auth(g.otps.issue('rev', generation));
    const pendingOtp = g.otps.issue('rev', generation);
    const revoked = credentialFromRecord(revokeCredential(issued.record, Date.now() - 1), undefined);
    assert.notEqual(credentialGeneration(revoked), generation);
    g.swap(revoked);
    assert.equal((await g.auth(pendingOtp)).closed, CloseCode.AuthError);
    assert.equal((await g.reconnect(sessionId!)).closed, CloseCode.AuthError);
    // A rotation of a stored record changes the generation as well.
    const rotated = credentialFromRecord(rotateCredential(issued.record, undefined, 2_000).record, undefined);
    assert.notEqual(credentialGeneration(rotated), generation);
  });
});
