/**
 * A stored credential's whole life, seen by the official `longport` SDK (3.0.18) and by a raw
 * socket client: `capflow credentials add` → works; `revoke` from another process → live
 * connections get the AuthError close push and the SDK is refused; `rotate` → the new secret and
 * token work, the old ones do not; an expired credential is refused. All without a restart.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { CAPFLOW_BIN, callCommand } from '../cli/cli-test-kit.js';
import { runCredentialsCommand } from '../cli/credentials-command.js';
import { CloseCode } from '../model/errors.js';
import { encodePacket } from '../protocol/packet-codec.js';
import { AuthRequestSchema, AuthResponseSchema, ReconnectRequestSchema } from '../protocol/gen/control_pb.js';
import { SqliteCredentialStore } from '../store/sqlite-credential-store.js';
import { CompositeCredentialRegistry } from './auth/composite-credential-registry.js';
import { fetchOtp, signedHeaders, startTestServer, trade, type TestServer } from './server-test-kit.js';
import { closePushOf, wsClient } from './socket/transport/transport-test-kit.js';

type LongportModule = typeof import('longport');
const require = createRequire(import.meta.url);
const longport = require('longport') as LongportModule;

interface Issued {
  appKey: string;
  appSecret: string;
  accessToken: string;
}

/** Runs `capflow credentials …` in this process and reads the printed credential. */
async function credentials(args: string[]): Promise<{ code: number; stdout: string; stderr: string; issued?: Issued }> {
  const { code, stdout: out, stderr: err } = await callCommand(runCredentialsCommand, args);
  const field = (name: string): string | undefined => new RegExp(`^${name}:\\s+(\\S+)$`, 'm').exec(out)?.[1];
  const appKey = field('app key');
  const appSecret = field('app secret');
  const accessToken = field('access token');
  return { code, stdout: out, stderr: err, ...(appKey && appSecret && accessToken ? { issued: { appKey, appSecret, accessToken } } : {}) };
}

/** `capflow credentials …` as a separate process (another process than the server). */
function credentialsProcess(args: string[]): Promise<{ code: number | null; stdout: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [CAPFLOW_BIN, 'credentials', ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.on('close', (code) => done({ code, stdout }));
  });
}

describe('a stored credential’s life against the official SDK', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'capflow-credlife-'));
  let t: TestServer;
  let store: SqliteCredentialStore;
  let registry: CompositeCredentialRegistry;

  const sdkContext = (credential: Issued) =>
    longport.QuoteContext.new(
      new longport.Config({ ...credential, httpUrl: t.httpUrl, quoteWsUrl: t.wsUrl, enablePrintQuotePackages: false }),
    );

  /** The token endpoint's verdict for a credential: HTTP status and LongPort code. */
  async function tokenVerdict(credential: Issued): Promise<{ status: number; code: number }> {
    const response = await fetch(`${t.httpUrl}/v1/socket/token`, { headers: signedHeaders(credential, 'GET', '/v1/socket/token') });
    return { status: response.status, code: ((await response.json()) as { code: number }).code };
  }

  const asCredential = (credential: Issued) => ({ ...credential, markets: new Set<never>(), connections: 10, rateLimits: new Map(), expiresAt: undefined, ingest: false });

  /** A raw WebSocket client authenticated with the credential, and its session id. */
  async function rawSession(credential: Issued) {
    const client = await wsClient(`${t.wsUrl}?version=1&codec=1&platform=9`);
    const otp = await fetchOtp(t.httpUrl, asCredential(credential));
    client.ws.send(encodePacket({ type: 1, cmd: 2, requestId: 1, timeoutMs: 5000, body: toBinary(AuthRequestSchema, create(AuthRequestSchema, { token: otp })), gzip: false }));
    const answer = await client.next(3000);
    assert.equal(answer.type, 2);
    return { client, sessionId: fromBinary(AuthResponseSchema, answer.body).sessionId };
  }

  /** The first packet a fresh connection gets back for one control request. */
  async function socketAnswer(cmd: number, body: Uint8Array) {
    const client = await wsClient(`${t.wsUrl}?version=1&codec=1&platform=9`);
    try {
      client.ws.send(encodePacket({ type: 1, cmd, requestId: 1, timeoutMs: 5000, body, gzip: false }));
      return await client.next(3000);
    } finally {
      client.ws.close();
    }
  }

  before(async () => {
    store = await SqliteCredentialStore.open(dataDir);
    registry = await CompositeCredentialRegistry.open({ config: [], store, pollIntervalMs: 100 });
    registry.start();
    t = await startTestServer({
      trades: [trade('700.HK', '2024-06-14T09:30:00+08:00', '320.0', 1000), trade('700.HK', '2024-06-14T09:31:10+08:00', '320.2', 500, 'up')],
      clock: { kind: 'fixed', at: Date.parse('2024-06-14T09:32:00+08:00') },
      server: { credentials: registry },
    });
  });

  after(async () => {
    registry.stop();
    await t.stop();
    await store.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('added: the printed key, secret and token work with the SDK; the store keeps neither token nor secret in the clear', async () => {
    const added = await credentials(['add', '--data', dataDir, '--markets', 'HK,US', '--connections', '3']);
    assert.equal(added.code, 0, added.stderr);
    assert.match(added.stderr, /CAPFLOW_SECRET_KEY is not set/);
    await registry.tick();
    const ctx = await sdkContext(added.issued!);
    const lines = await ctx.capitalFlow('700.HK');
    assert.deepEqual(
      lines.map((line) => line.inflow.toString()),
      ['0.000', '160100.000', '160100.000'],
    );
    const [record] = await store.list();
    assert.equal(record!.tokenSha256.length, 64);
    assert.ok(!JSON.stringify(record).includes(added.issued!.accessToken));
    const listed = await credentials(['list', '--data', dataDir]);
    assert.match(listed.stdout, new RegExp(`${added.issued!.appKey}\\s+active\\s+HK,US\\s+3`));
    assert.ok(!listed.stdout.includes(added.issued!.appSecret) && !listed.stdout.includes(added.issued!.accessToken));
  });

  it('revoked from another process: live connections get AuthError within about a second and the SDK is refused with 403001', async () => {
    const added = await credentials(['add', '--data', dataDir, '--markets', 'HK']);
    await registry.tick();
    const live = (await rawSession(added.issued!)).client;
    const revoked = await credentialsProcess(['revoke', added.issued!.appKey, '--data', dataDir]);
    assert.equal(revoked.code, 0);
    const push = closePushOf(await live.next(3000));
    assert.equal(push.code, CloseCode.AuthError);
    assert.match(push.reason, /revoked/);
    assert.deepEqual(await tokenVerdict(added.issued!), { status: 403, code: 403001 });
    await assert.rejects(sdkContext(added.issued!));
    assert.equal(t.server.gateway.onlineCount(added.issued!.appKey), 0);
  });

  it('rotated: the new secret and token work with the SDK, the old ones stop working and their connections end', async () => {
    const added = await credentials(['add', '--data', dataDir, '--markets', 'HK']);
    await registry.tick();
    const live = (await rawSession(added.issued!)).client;
    const rotated = await credentials(['rotate', added.issued!.appKey, '--data', dataDir]);
    assert.equal(rotated.code, 0, rotated.stderr);
    assert.equal(rotated.issued!.appKey, added.issued!.appKey);
    assert.notEqual(rotated.issued!.accessToken, added.issued!.accessToken);
    assert.equal(closePushOf(await live.next(3000)).code, CloseCode.AuthError);
    assert.deepEqual(await tokenVerdict(added.issued!), { status: 401, code: 401002 });
    const ctx = await sdkContext(rotated.issued!);
    assert.equal((await ctx.capitalFlow('700.HK')).length, 3);
  });

  it('added with --bearer, --streams and a token-endpoint rate limit: each is in force, and list shows it', async () => {
    const added = await credentials(['add', '--data', dataDir, '--markets', 'HK', '--bearer', '--streams', '1', '--rate-limit', 'token=1/1']);
    assert.equal(added.code, 0, added.stderr);
    await registry.tick();
    const { appKey, accessToken } = added.issued!;
    const bearer = { 'x-api-key': appKey, authorization: `Bearer ${accessToken}` };
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      const response = await fetch(`${t.httpUrl}${i % 2 ? '/v2' : '/v1'}/socket/token`, { headers: bearer });
      statuses.push(response.status);
      await response.arrayBuffer();
    }
    assert.deepEqual(statuses, [200, 200, 200, 429], 'bearer accepted; token endpoints limited to 2 × 1 + 1');
    const controller = new AbortController();
    const first = await fetch(`${t.httpUrl}/api/v1/capital-flow/stream?symbol=700.HK`, { headers: bearer, signal: controller.signal });
    assert.equal(first.status, 200);
    const second = await fetch(`${t.httpUrl}/api/v1/capital-flow/stream?symbol=700.HK`, { headers: bearer });
    assert.deepEqual([second.status, ((await second.json()) as { code: number }).code], [429, 429002]);
    controller.abort();
    const listed = JSON.parse((await credentials(['list', '--data', dataDir, '--json'])).stdout) as Array<{ appKey: string; bearer: boolean; streams: number | null }>;
    assert.deepEqual(listed.find((row) => row.appKey === appKey), { ...listed.find((row) => row.appKey === appKey), bearer: true, streams: 1 });
    const refused = await credentials(['add', '--data', dataDir, '--markets', 'HK', '--rate-limit', 'tokens=1/1']);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /"token"/);
  });

  it('rotated or revoked: OTPs, sessions and stream tokens minted before it work no more', async () => {
    const added = await credentials(['add', '--data', dataDir, '--markets', 'HK']);
    await registry.tick();
    const old = added.issued!;
    const staleOtp = await fetchOtp(t.httpUrl, asCredential(old));
    const session = await rawSession(old);
    const sessionId = session.sessionId;
    session.client.ws.close();
    const issued = await fetch(`${t.httpUrl}/api/v1/stream-token`, { method: 'POST', headers: signedHeaders(old, 'POST', '/api/v1/stream-token') });
    const staleStreamToken = ((await issued.json()) as { data: { token: string } }).data.token;

    const rotated = await credentials(['rotate', old.appKey, '--data', dataDir]);
    assert.equal(rotated.code, 0, rotated.stderr);
    await registry.tick();
    assert.equal(closePushOf(await socketAnswer(2, toBinary(AuthRequestSchema, create(AuthRequestSchema, { token: staleOtp })))).code, CloseCode.AuthError);
    const resumed = closePushOf(await socketAnswer(3, toBinary(ReconnectRequestSchema, create(ReconnectRequestSchema, { sessionId }))));
    assert.ok(resumed.code === CloseCode.AuthError || resumed.code === CloseCode.SessExpired, `reconnect answered close ${resumed.code}`);
    const stream = await fetch(`${t.httpUrl}/api/v1/capital-flow/stream?symbol=700.HK&token=${encodeURIComponent(staleStreamToken)}`);
    assert.deepEqual([stream.status, ((await stream.json()) as { code: number }).code], [401, 401002]);
    // The new token works, and what it mints stops at the revocation in turn.
    const fresh = rotated.issued!;
    const freshOtp = await fetchOtp(t.httpUrl, asCredential(fresh));
    const freshSession = await rawSession(fresh);
    freshSession.client.ws.close();
    assert.equal((await credentialsProcess(['revoke', fresh.appKey, '--data', dataDir])).code, 0);
    await registry.tick();
    assert.equal(closePushOf(await socketAnswer(2, toBinary(AuthRequestSchema, create(AuthRequestSchema, { token: freshOtp })))).code, CloseCode.AuthError);
    const afterRevoke = closePushOf(await socketAnswer(3, toBinary(ReconnectRequestSchema, create(ReconnectRequestSchema, { sessionId: freshSession.sessionId }))));
    assert.ok(afterRevoke.code === CloseCode.AuthError || afterRevoke.code === CloseCode.SessExpired);
  });

  it('expired: refused once its time passes on the wall clock, and its live connection is closed', async () => {
    const added = await credentials(['add', '--data', dataDir, '--markets', 'HK', '--expires', '4s']);
    await registry.tick();
    const live = (await rawSession(added.issued!)).client;
    const ctx = await sdkContext(added.issued!);
    assert.equal((await ctx.capitalFlow('700.HK')).length, 3);
    const push = closePushOf(await live.next(6000));
    assert.equal(push.code, CloseCode.AuthError);
    assert.match(push.reason, /expired/);
    assert.deepEqual(await tokenVerdict(added.issued!), { status: 403, code: 403001 });
    await assert.rejects(sdkContext(added.issued!));
    const listed = await credentials(['list', '--data', dataDir, '--json']);
    const rows = JSON.parse(listed.stdout) as Array<{ appKey: string; status: string }>;
    assert.equal(rows.find((row) => row.appKey === added.issued!.appKey)!.status, 'expired');
  });
});
