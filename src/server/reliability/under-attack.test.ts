import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import fc from 'fast-check';
import type { ResponsePacket } from '../../protocol/packet.js';
import { encodePacket } from '../../protocol/packet-codec.js';
import { AuthRequestSchema, ReconnectRequestSchema } from '../../protocol/gen/control_pb.js';
import { ErrorSchema } from '../../protocol/gen/error_pb.js';
import { CapitalFlowIntradayResponseSchema } from '../../protocol/gen/quote_pb.js';
import { closePushOf, sleep } from '../socket/transport/transport-test-kit.js';
import { SOCKET_TOKEN_RATE_KEY } from '../auth/credential.js';
import { fetchOtp, signedHeaders, startTestServer, testCredential, trade, type TestServer } from '../server-test-kit.js';
import { RawProtocolClient, capitalFlowRequest } from './raw-protocol-client.js';

const TRADES = [
  trade('700.HK', '2024-06-14T09:30:05+08:00', '320.2', 1000, 'up'), // +320,200
  trade('700.HK', '2024-06-14T09:31:10+08:00', '320.0', 500, 'down'), // -160,000
];
const EXPECTED_LAST = '160200.000';
const OPEN = { limit: 1_000_000, burst: 1_000_000 };
/** `npm run load-test` runs the same test with 1,000 connections (CAPFLOW_LOAD_CONNECTIONS). */
const LOAD_CONNECTIONS = Number(process.env.CAPFLOW_LOAD_CONNECTIONS ?? 200);

describe('the server under attack and load', () => {
  // One credential stands for many clients: its token endpoint, auth and query limits are opened up.
  const full = testCredential({ connections: 5000, rateLimits: { 24: OPEN, 2: OPEN, [SOCKET_TOKEN_RATE_KEY]: OPEN } });
  const usOnly = testCredential({ appKey: 'us-only', accessToken: 'us-token', markets: ['US'] });
  let t: TestServer;

  before(async () => {
    t = await startTestServer({
      credentials: [full, usOnly],
      trades: TRADES,
      clock: { kind: 'feed' },
      // The load test connects all its clients from one address before they authenticate.
      server: { unauthenticatedConnections: { maxUnauthenticated: 10_000, maxUnauthenticatedPerAddress: 10_000 } },
    });
  });
  after(() => t.stop());

  async function goodClient(transport: 'ws' | 'tcp' = 'ws'): Promise<RawProtocolClient> {
    const client = transport === 'ws' ? await RawProtocolClient.ws(t.wsUrl) : await RawProtocolClient.tcp(t.server.tcpPort!);
    await client.auth(await fetchOtp(t.httpUrl, full));
    return client;
  }

  async function lastLine(client: RawProtocolClient): Promise<string> {
    const packet = (await client.request(24, capitalFlowRequest('700.HK'))) as ResponsePacket;
    assert.equal(packet.status, 0);
    return fromBinary(CapitalFlowIntradayResponseSchema, packet.body).capitalFlowLines.at(-1)!.inflow;
  }

  it('garbage on many connections closes only those connections; a good client keeps its exact answers', async () => {
    const good = await goodClient();
    const samples = fc.sample(fc.uint8Array({ minLength: 1, maxLength: 64 }), { seed: 7, numRuns: 40 });
    const attackers = await Promise.all(
      samples.map(async (bytes, i) => {
        const client = i % 2 === 0 ? await RawProtocolClient.ws(t.wsUrl) : await RawProtocolClient.tcp(t.server.tcpPort!);
        client.sendBytes(bytes);
        return client;
      }),
    );
    for (let i = 0; i < 20; i++) assert.equal(await lastLine(good), EXPECTED_LAST);
    // Each attacker got a close push (UnpackError / AuthError), was closed, or is still waiting for a whole packet.
    await sleep(100);
    for (const attacker of attackers) attacker.close();
    const fresh = await goodClient('tcp');
    assert.equal(await lastLine(fresh), EXPECTED_LAST);
    good.close();
    fresh.close();
  });

  it('gzip heartbeat bombs before auth (16 KiB inflating to 16 MiB) are closed with UnpackError at a small cost', async () => {
    const bomb = gzipSync(new Uint8Array(16 * 1024 * 1024 - 64), { level: 9 });
    const packet = encodePacket({ type: 1, cmd: 1, requestId: 1, timeoutMs: 5000, body: bomb, gzip: false });
    packet[0]! |= 0x20; // the body is gzip already
    const good = await goodClient('tcp');
    const started = process.cpuUsage();
    for (let i = 0; i < 40; i++) {
      const attacker = i % 2 === 0 ? await RawProtocolClient.ws(t.wsUrl) : await RawProtocolClient.tcp(t.server.tcpPort!);
      attacker.sendBytes(packet);
      const close = closePushOf(await attacker.next(10_000));
      assert.equal(close.code, 3);
      assert.match(close.reason, /exceeds the limit of 4096 for command 1/);
      attacker.close();
    }
    const used = process.cpuUsage(started);
    // Echoed as before the limits, each bomb cost ~50 ms (inflate 16 MiB, gzip it again): 2 s for 40.
    const ms = (used.user + used.system) / 1000;
    assert.ok(ms < 600, `40 bombs cost ${ms} ms of CPU`);
    assert.equal(await lastLine(good), EXPECTED_LAST);
    good.close();
  });

  it('auth attacks get no data', async () => {
    const token = async (headers: Record<string, string>): Promise<{ status: number; code: number }> => {
      const response = await fetch(`${t.httpUrl}/v1/socket/token`, { headers });
      return { status: response.status, code: ((await response.json()) as { code: number }).code };
    };
    assert.deepEqual(await token(signedHeaders({ ...full, appSecret: 'wrong' }, 'GET', '/v1/socket/token')), { status: 401, code: 401003 });
    const stale = (Date.now() / 1000 - 3600).toFixed(3);
    assert.deepEqual(await token(signedHeaders(full, 'GET', '/v1/socket/token', '', undefined, stale)), { status: 401, code: 401004 });
    assert.deepEqual(await token(signedHeaders({ ...full, appKey: 'nobody' }, 'GET', '/v1/socket/token')), { status: 401, code: 401001 });

    // A business request before auth: AuthError, no lines.
    const early = await RawProtocolClient.ws(t.wsUrl);
    assert.equal(closePushOf(await early.request(24, capitalFlowRequest('700.HK'))).code, 4);
    early.close();

    // A replayed one-time password: the second use is refused.
    const otp = await fetchOtp(t.httpUrl, full);
    const first = await RawProtocolClient.tcp(t.server.tcpPort!);
    await first.auth(otp);
    const replay = await RawProtocolClient.ws(t.wsUrl);
    const refused = await replay.request(2, toBinary(AuthRequestSchema, create(AuthRequestSchema, { token: otp })));
    assert.equal(closePushOf(refused).code, 4);
    replay.close();

    // A made-up session id: SessExpired.
    const thief = await RawProtocolClient.ws(t.wsUrl);
    const reconnect = await thief.request(3, toBinary(ReconnectRequestSchema, create(ReconnectRequestSchema, { sessionId: 'not-a-session' })));
    assert.equal(closePushOf(reconnect).code, 5);
    thief.close();

    // A credential without the market: 7/301604, and nothing about the symbol.
    const us = await RawProtocolClient.ws(t.wsUrl);
    await us.auth(await fetchOtp(t.httpUrl, usOnly));
    const denied = (await us.request(24, capitalFlowRequest('700.HK'))) as ResponsePacket;
    assert.deepEqual({ status: denied.status, code: Number(fromBinary(ErrorSchema, denied.body).code) }, { status: 7, code: 301604 });
    us.close();
    assert.equal(await lastLine(first), EXPECTED_LAST);
    first.close();
  });

  it(`${LOAD_CONNECTIONS} connections issuing requests concurrently: zero errors, memory back where it started`, { timeout: 120_000 }, async () => {
    const otps: string[] = [];
    for (let i = 0; i < LOAD_CONNECTIONS; i++) otps.push(await fetchOtp(t.httpUrl, full));
    const clients = await Promise.all(
      otps.map(async (otp, i) => {
        const client = i % 2 === 0 ? await RawProtocolClient.ws(t.wsUrl) : await RawProtocolClient.tcp(t.server.tcpPort!);
        await client.auth(otp);
        return client;
      }),
    );
    const round = async (): Promise<number> => {
      let errors = 0;
      await Promise.all(
        clients.map(async (client) => {
          for (let i = 0; i < 10; i++) if ((await lastLine(client)) !== EXPECTED_LAST) errors++;
        }),
      );
      return errors;
    };
    assert.equal(await round(), 0);
    global.gc?.();
    const before = process.memoryUsage().heapUsed;
    for (let r = 0; r < 3; r++) assert.equal(await round(), 0);
    global.gc?.();
    const grown = process.memoryUsage().heapUsed - before;
    // 30 requests per connection; without a leak the heap stays within a few MB of where it was.
    assert.ok(grown < 32 * 1024 * 1024, `heap grew by ${grown} bytes`);
    for (const client of clients) client.close();
  });
});

describe('unauthenticated connections against their caps', () => {
  const full = testCredential();
  let t: TestServer;
  before(async () => {
    t = await startTestServer({
      credentials: [full],
      trades: TRADES,
      clock: { kind: 'feed' },
      server: {
        unauthenticatedConnections: { maxUnauthenticated: 6, maxUnauthenticatedPerAddress: 4 },
        httpHeadersTimeoutMs: 500,
        tcpHandshakeTimeoutMs: 500,
      },
    });
  });
  after(() => t.stop());

  it('one address holding its places (WS and TCP together) is refused more; other addresses and authenticated clients are served', async () => {
    const held = [
      await RawProtocolClient.ws(t.wsUrl, '127.0.0.2'),
      await RawProtocolClient.tcp(t.server.tcpPort!, '127.0.0.2'),
      await RawProtocolClient.ws(t.wsUrl, '127.0.0.2'),
      await RawProtocolClient.tcp(t.server.tcpPort!, '127.0.0.2'),
    ];
    await assert.rejects(RawProtocolClient.ws(t.wsUrl, '127.0.0.2'), /HTTP 429/);
    const refusedTcp = await RawProtocolClient.tcp(t.server.tcpPort!, '127.0.0.2');
    await refusedTcp.closed;
    // Another address still gets in, and so does a client that authenticates at once.
    const good = await RawProtocolClient.ws(t.wsUrl, '127.0.0.3');
    await good.auth(await fetchOtp(t.httpUrl, full));
    const packet = (await good.request(24, capitalFlowRequest('700.HK'))) as ResponsePacket;
    assert.equal(fromBinary(CapitalFlowIntradayResponseSchema, packet.body).capitalFlowLines.at(-1)!.inflow, EXPECTED_LAST);
    for (const client of held) client.close();
    good.close();
  });

  it('slowloris: an upgrade whose headers trickle in is dropped after the headers timeout; a half handshake after the handshake timeout', async () => {
    const socket = connect(t.server.httpPort, '127.0.0.1');
    socket.on('error', () => undefined);
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.write('GET /v2?version=1&codec=1&platform=9 HTTP/1.1\r\nHost: 127.0.0.1\r\n');
    const trickle = setInterval(() => socket.write('X-Slow: 1\r\n'), 100);
    const started = Date.now();
    await new Promise((resolve) => socket.once('close', resolve));
    clearInterval(trickle);
    const upgradeMs = Date.now() - started;
    assert.ok(upgradeMs >= 400 && upgradeMs < 5000, `closed after ${upgradeMs} ms`);

    const half = connect(t.server.tcpPort!, '127.0.0.1');
    half.on('error', () => undefined);
    await new Promise((resolve) => half.once('connect', resolve));
    half.write(Uint8Array.of(0x11));
    const halfStarted = Date.now();
    await new Promise((resolve) => half.once('close', resolve));
    assert.ok(Date.now() - halfStarted < 5000);
  });
});
