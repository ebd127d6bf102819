/**
 * Needs PostgreSQL (127.0.0.1:5432). Two gateways over one PostgreSQL schema serve the
 * credentials of `capflow credentials … --store postgres://…`; a revoke made once reaches both
 * without a restart: new tokens are refused with 403 / 403001 on each, and their live socket
 * connections (AuthError close push) and SSE streams end.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import type pg from 'pg';
import { create, toBinary } from '@bufbuild/protobuf';
import { runCredentialsCommand } from '../../cli/credentials-command.js';
import { CloseCode } from '../../model/errors.js';
import { AuthRequestSchema, ReconnectRequestSchema } from '../../protocol/gen/control_pb.js';
import { encodePacket } from '../../protocol/packet-codec.js';
import { FlowService } from '../../service/flow-service.js';
import { MarketClock } from '../../service/market-clock.js';
import { PostgresCredentialStore } from '../../store/postgres-credential-store.js';
import { PostgresFlowStore } from '../../store/postgres-flow-store.js';
import { dropSchemas, postgresUrlWithSchema, SERVICES_SKIPPED, uniqueName } from '../../store/postgres-test-kit.js';
import { CompositeCredentialRegistry } from '../auth/composite-credential-registry.js';
import { startCapflowServer, type RunningServer } from '../capflow-server.js';
import { Endpoint } from '../../contract/endpoints.js';
import { fetchOtp, signedHeaders, storeTrades, trade } from '../server-test-kit.js';
import { closePushOf, wsClient, type WsTestClient } from '../socket/transport/transport-test-kit.js';
import { postgresGatewayState } from '../../store/gateway-state/postgres-gateway-state.js';

const BIN = resolve(fileURLToPath(import.meta.url), '../../../../bin/capflow.js');

interface Issued {
  appKey: string;
  appSecret: string;
  accessToken: string;
}

interface Gateway {
  server: RunningServer;
  registry: CompositeCredentialRegistry;
  url: string;
}

async function addCredential(storeUrl: string): Promise<Issued> {
  const stdout = new PassThrough();
  let out = '';
  stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const code = await runCredentialsCommand(['add', '--store', storeUrl, '--markets', 'HK'], { stdout, stderr: new PassThrough(), isTTY: false });
  assert.equal(code, 0);
  const field = (name: string): string => new RegExp(`^${name}:\\s+(\\S+)$`, 'm').exec(out)![1]!;
  return { appKey: field('app key'), appSecret: field('app secret'), accessToken: field('access token') };
}

/** `capflow credentials revoke` as another process, as an operator would run it. */
function revokeProcess(appKey: string, storeUrl: string): Promise<number | null> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [BIN, 'credentials', 'revoke', appKey, '--store', storeUrl], { stdio: ['ignore', 'ignore', 'inherit'] });
    child.on('close', done);
  });
}

async function tokenVerdict(gateway: Gateway, credential: Issued): Promise<{ status: number; code: number }> {
  const response = await fetch(`${gateway.url}/v1/socket/token`, { headers: signedHeaders(credential, 'GET', '/v1/socket/token') });
  return { status: response.status, code: ((await response.json()) as { code: number }).code };
}

async function liveSocket(gateway: Gateway, credential: Issued): Promise<WsTestClient> {
  const client = await wsClient(`ws://127.0.0.1:${gateway.server.httpPort}/v2?version=1&codec=1&platform=9`);
  const otp = await fetchOtp(gateway.url, asCredential(credential));
  client.ws.send(encodePacket({ type: 1, cmd: 2, requestId: 1, timeoutMs: 5000, body: toBinary(AuthRequestSchema, create(AuthRequestSchema, { token: otp })), gzip: false }));
  const answer = await client.next(3000);
  assert.equal(answer.type, 2);
  assert.equal(answer.type === 2 ? answer.status : -1, 0);
  return client;
}

/** An SSE stream of the credential: resolves `ended` when the server closes it. */
async function liveStream(gateway: Gateway, credential: Issued): Promise<{ firstEvent: Promise<string>; ended: Promise<void> }> {
  const query = 'symbol=700.HK';
  const response = await fetch(`${gateway.url}${Endpoint.stream.path}?${query}`, { headers: signedHeaders(credential, 'GET', Endpoint.stream.path, query) });
  assert.equal(response.status, 200);
  let text = '';
  let sawEvent: (event: string) => void = () => undefined;
  const firstEvent = new Promise<string>((done) => (sawEvent = done));
  const ended = (async () => {
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      text += Buffer.from(chunk).toString();
      const match = /^event: (\w+)$/m.exec(text);
      if (match) sawEvent(match[1]!);
    }
  })();
  return { firstEvent, ended };
}

const asCredential = (credential: Issued) => ({ ...credential, markets: new Set<never>(), connections: 10, rateLimits: new Map(), expiresAt: undefined, ingest: false });

async function rotateCredential(storeUrl: string, appKey: string): Promise<Issued> {
  const stdout = new PassThrough();
  let out = '';
  stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const code = await runCredentialsCommand(['rotate', appKey, '--store', storeUrl], { stdout, stderr: new PassThrough(), isTTY: false });
  assert.equal(code, 0);
  const field = (name: string): string => new RegExp(`^${name}:\\s+(\\S+)$`, 'm').exec(out)![1]!;
  return { appKey: field('app key'), appSecret: field('app secret'), accessToken: field('access token') };
}

/** The first packet a fresh connection to the gateway gets back for one control request. */
async function controlAnswer(gateway: Gateway, cmd: number, body: Uint8Array) {
  const client = await wsClient(`ws://127.0.0.1:${gateway.server.httpPort}/v2?version=1&codec=1&platform=9`);
  try {
    client.ws.send(encodePacket({ type: 1, cmd, requestId: 1, timeoutMs: 5000, body, gzip: false }));
    return await client.next(3000);
  } finally {
    client.ws.close();
  }
}

function within<T>(ms: number, work: Promise<T>, what: string): Promise<T> {
  return Promise.race([work, new Promise<T>((_, fail) => setTimeout(() => fail(new Error(`${what}: not within ${ms} ms`)), ms).unref())]);
}

describe('stored credentials across two gateways (needs PostgreSQL)', { skip: SERVICES_SKIPPED }, () => {
  const schema = uniqueName('capflow_test_credfleet');
  const storeUrl = postgresUrlWithSchema(schema);
  const gateways: Gateway[] = [];
  const closers: Array<() => Promise<unknown> | unknown> = [];
  let pool: pg.Pool;

  before(async () => {
    const clock = new MarketClock({ kind: 'fixed', at: Date.parse('2024-06-14T09:32:00+08:00') });
    for (let k = 0; k < 2; k++) {
      const store = await PostgresFlowStore.open(storeUrl);
      closers.push(() => store.close());
      pool = store.connectionPool;
      if (k === 0) await storeTrades(store, [trade('700.HK', '2024-06-14T09:30:00+08:00', '320.0', 1000), trade('700.HK', '2024-06-14T09:31:10+08:00', '320.2', 500, 'up')]);
      const credentials = await PostgresCredentialStore.open(storeUrl);
      closers.push(() => credentials.close());
      const registry = await CompositeCredentialRegistry.open({ config: [], store: credentials, pollIntervalMs: 100 });
      registry.start();
      closers.push(() => registry.stop());
      const flows = await FlowService.open({ store, clock, pollIntervalMs: 50 });
      const server = await startCapflowServer({ store, flows, clock, credentials: registry, port: 0, tcpPort: null, ...postgresGatewayState(store.connectionPool) });
      closers.push(() => server.stop());
      gateways.push({ server, registry, url: `http://127.0.0.1:${server.httpPort}` });
    }
  });

  after(async () => {
    for (const close of closers.splice(0).reverse()) await close();
    await dropSchemas([schema]);
  });

  it('a credential added once works on both; revoked once, both refuse it with 403001 and end its sockets and streams', async () => {
    const credential = await addCredential(storeUrl);
    await Promise.all(gateways.map((gateway) => gateway.registry.tick()));
    for (const gateway of gateways) assert.deepEqual(await tokenVerdict(gateway, credential), { status: 200, code: 0 });
    const sockets = await Promise.all(gateways.map((gateway) => liveSocket(gateway, credential)));
    const stream = await liveStream(gateways[1]!, credential);
    assert.equal(await within(3000, stream.firstEvent, 'first SSE event'), 'snapshot');

    assert.equal(await revokeProcess(credential.appKey, storeUrl), 0);
    // Each gateway notices by polling the store's revision: no restart, no signal.
    for (const socket of sockets) {
      const push = closePushOf(await socket.next(3000));
      assert.equal(push.code, CloseCode.AuthError);
      assert.match(push.reason, /revoked/);
    }
    await within(3000, stream.ended, 'SSE stream closed');
    for (const gateway of gateways) {
      assert.deepEqual(await tokenVerdict(gateway, credential), { status: 403, code: 403001 });
      assert.equal(gateway.server.gateway.onlineCount(credential.appKey), 0);
    }
  });

  it('rotated once: OTPs and sessions (any number) minted before it are refused on every gateway, and their rows are deleted', async () => {
    const credential = await addCredential(storeUrl);
    await Promise.all(gateways.map((gateway) => gateway.registry.tick()));
    const [a, b] = gateways as [Gateway, Gateway];
    const staleOtp = await fetchOtp(a.url, asCredential(credential));
    const socket = await liveSocket(a, credential);
    socket.ws.close();
    const { rows } = await pool.query<{ id: string; generation: string }>('SELECT id, generation FROM gateway_sessions WHERE app_key = $1', [credential.appKey]);
    assert.equal(rows.length, 1);
    const oldGeneration = rows[0]!.generation;
    assert.notEqual(oldGeneration, '');
    // Many more sessions of the old generation than any per-gateway memory would hold.
    await pool.query(
      `INSERT INTO gateway_sessions (id, app_key, generation, expires_ms)
       SELECT 'bulk-' || g, $1, $2, $3 FROM generate_series(1, 3000) AS g`,
      [credential.appKey, oldGeneration, Date.now() + 3_600_000],
    );

    const rotated = await rotateCredential(storeUrl, credential.appKey);
    await Promise.all(gateways.map((gateway) => gateway.registry.tick()));
    assert.equal(closePushOf(await controlAnswer(b, 2, toBinary(AuthRequestSchema, create(AuthRequestSchema, { token: staleOtp })))).code, CloseCode.AuthError);
    for (const [gateway, sessionId] of [[a, rows[0]!.id], [b, 'bulk-1'], [b, 'bulk-3000']] as const) {
      const push = closePushOf(await controlAnswer(gateway, 3, toBinary(ReconnectRequestSchema, create(ReconnectRequestSchema, { sessionId }))));
      assert.ok(push.code === CloseCode.AuthError || push.code === CloseCode.SessExpired, `${sessionId}: close ${push.code}`);
    }
    const left = async (): Promise<number> =>
      Number(
        (
          await pool.query<{ n: string }>(
            `SELECT (SELECT count(*) FROM gateway_sessions WHERE app_key = $1 AND generation = $2)
                  + (SELECT count(*) FROM gateway_otps WHERE app_key = $1 AND generation = $2) AS n`,
            [credential.appKey, oldGeneration],
          )
        ).rows[0]!.n,
      );
    const deadline = Date.now() + 3_000;
    while ((await left()) > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(await left(), 0, 'rows of the old generation deleted');
    // The new token works on both.
    for (const gateway of gateways) (await liveSocket(gateway, rotated)).ws.close();
    // A gateway that learns of the rotation late deletes only other generations' rows.
    const { sessions, otps } = postgresGatewayState(pool);
    const newer = await sessions.create(credential.appKey, 'gen-new');
    const newerOtp = await otps.issue(credential.appKey, 'gen-new');
    await Promise.all([sessions.removeCredential(credential.appKey, 'gen-new'), otps.removeCredential(credential.appKey, 'gen-new')]);
    assert.deepEqual(await sessions.get(newer.id), newer);
    await sessions.removeCredential(credential.appKey);
    assert.equal(await sessions.get(newer.id), undefined);
    assert.deepEqual(await otps.redeem(newerOtp), { appKey: credential.appKey, generation: 'gen-new' });
  });
});
