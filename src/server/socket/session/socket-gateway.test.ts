import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { encodePacket } from '../../../protocol/packet-codec.js';
import type { Packet, ResponsePacket } from '../../../protocol/packet.js';
import { AuthRequestSchema, AuthResponseSchema, ReconnectRequestSchema, ReconnectResponseSchema } from '../../../protocol/gen/control_pb.js';
import { ErrorSchema } from '../../../protocol/gen/error_pb.js';
import {
  CapitalDistributionResponseSchema,
  CapitalFlowIntradayRequestSchema,
  CapitalFlowIntradayResponseSchema,
  MarketTradeDayRequestSchema,
  MarketTradeDayResponseSchema,
  MarketTradePeriodResponseSchema,
  SecurityRequestSchema,
  UserQuoteProfileResponseSchema,
} from '../../../protocol/gen/quote_pb.js';
import { closePushOf, ManualClock, tcpClient, wsClient, type TcpTestClient, type WsTestClient } from '../transport/transport-test-kit.js';
import { fetchOtp, startTestServer, testCredential, trade, type TestServer } from '../../server-test-kit.js';

/** A raw protocol client over either transport, pairing responses by request id. */
class RawClient {
  private nextId = 1;
  constructor(readonly inner: WsTestClient | TcpTestClient) {}

  static async ws(url: string): Promise<RawClient> {
    return new RawClient(await wsClient(`${url}?version=1&codec=1&platform=9`));
  }

  static async tcp(port: number): Promise<RawClient> {
    return new RawClient(await tcpClient(port));
  }

  send(cmd: number, body: Uint8Array): number {
    const requestId = this.nextId++;
    const bytes = encodePacket({ type: 1, cmd, requestId, timeoutMs: 30_000, body, gzip: false });
    if ('ws' in this.inner) this.inner.ws.send(bytes);
    else this.inner.socket.write(bytes);
    return requestId;
  }

  next(): Promise<Packet> {
    return this.inner.next(3000);
  }

  async request(cmd: number, body: Uint8Array): Promise<ResponsePacket> {
    const requestId = this.send(cmd, body);
    const packet = await this.next();
    assert.equal(packet.type, 2, `expected a response, got type ${packet.type} cmd ${packet.cmd}`);
    assert.equal((packet as ResponsePacket).requestId, requestId);
    return packet as ResponsePacket;
  }

  async auth(otp: string): Promise<{ sessionId: string; limit: number; online: number; expires: bigint }> {
    const response = await this.request(2, toBinary(AuthRequestSchema, create(AuthRequestSchema, { token: otp })));
    assert.equal(response.status, 0);
    return fromBinary(AuthResponseSchema, response.body);
  }

  close(): void {
    if ('ws' in this.inner) this.inner.ws.close();
    else this.inner.socket.destroy();
  }
}

function errorOf(response: ResponsePacket): { status: number; code: number } {
  return { status: response.status, code: Number(fromBinary(ErrorSchema, response.body).code) };
}

const flowRequest = (symbol: string): Uint8Array =>
  toBinary(CapitalFlowIntradayRequestSchema, create(CapitalFlowIntradayRequestSchema, { symbol }));

// 700.HK on Friday 2024-06-14: hand-computed cumulative net inflow.
const HK_TRADES = [
  trade('700.HK', '2024-06-14T09:30:05+08:00', '320.2', 1000, 'up'), // +320,200
  trade('00700.HK', '2024-06-14T09:31:10+08:00', '320.0', 500, 'down'), // -160,000
  trade('700.HK', '2024-06-14T12:30:00+08:00', '330', 1000, 'up'), // lunch: in no line
  trade('700.HK', '2024-06-14T13:00:00+08:00', '321.0', 200, 'up'), // +64,200
  trade('700.HK', '2024-06-14T16:05:00+08:00', '322', 100, 'up'), // closing auction, side given: +32,200 in the 16:00 line
];
const HK_DAY_OPEN = Date.parse('2024-06-14T09:30:00+08:00') / 1000;

describe('socket gateway over a real server', () => {
  const full = testCredential();
  const usOnly = testCredential({ appKey: 'us-only', accessToken: 'us-token', markets: ['US'] });
  const tight = testCredential({ appKey: 'tight', accessToken: 'tight-token', rateLimits: { 24: { limit: 1, burst: 1 } } });
  const single = testCredential({ appKey: 'single', accessToken: 'single-token', connections: 1 });
  let t: TestServer;

  before(async () => {
    t = await startTestServer({
      credentials: [full, usOnly, tight, single],
      securities: ['NODATA.HK'],
      trades: HK_TRADES,
      clock: { kind: 'feed' },
    });
  });
  after(() => t.stop());

  for (const transport of ['ws', 'tcp'] as const) {
    const connect = (): Promise<RawClient> => (transport === 'ws' ? RawClient.ws(t.wsUrl) : RawClient.tcp(t.server.tcpPort!));

    it(`${transport}: serves the day's cumulative lines after auth`, async () => {
      const client = await connect();
      const auth = await client.auth(await fetchOtp(t.httpUrl, full));
      assert.equal(auth.limit, 10);
      assert.equal(auth.online, 1);
      assert.ok(Number(auth.expires) > Date.now() + 23 * 3_600_000);
      const response = await client.request(24, flowRequest('00700.hk'));
      assert.equal(response.status, 0);
      const flow = fromBinary(CapitalFlowIntradayResponseSchema, response.body);
      assert.equal(flow.symbol, '700.HK');
      assert.equal(flow.capitalFlowLines.length, 331);
      const at = (i: number) => ({ inflow: flow.capitalFlowLines[i]!.inflow, timestamp: Number(flow.capitalFlowLines[i]!.timestamp) });
      assert.deepEqual(at(0), { inflow: '320200.000', timestamp: HK_DAY_OPEN });
      assert.deepEqual(at(1), { inflow: '160200.000', timestamp: HK_DAY_OPEN + 60 });
      assert.deepEqual(at(149), { inflow: '160200.000', timestamp: HK_DAY_OPEN + 149 * 60 });
      assert.deepEqual(at(150), { inflow: '224400.000', timestamp: HK_DAY_OPEN + 210 * 60 }); // 13:00
      assert.deepEqual(at(330), { inflow: '256600.000', timestamp: HK_DAY_OPEN + 390 * 60 }); // 16:00
      client.close();
    });

    it(`${transport}: answers heartbeats with the same body, even before auth`, async () => {
      const client = await connect();
      const body = Uint8Array.of(8, 42);
      const response = await client.request(1, body);
      assert.equal(response.status, 0);
      assert.deepEqual([...response.body], [8, 42]);
      client.close();
    });

    it(`${transport}: closes with AuthError on a business request before auth`, async () => {
      const client = await connect();
      client.send(24, flowRequest('700.HK'));
      assert.equal(closePushOf(await client.next()).code, 4);
    });
  }

  it('a one-time password works once', async () => {
    const otp = await fetchOtp(t.httpUrl, full);
    const first = await RawClient.ws(t.wsUrl);
    await first.auth(otp);
    const second = await RawClient.ws(t.wsUrl);
    second.send(2, toBinary(AuthRequestSchema, create(AuthRequestSchema, { token: otp })));
    assert.equal(closePushOf(await second.next()).code, 4);
    first.close();
  });

  it('maps each business failure to its status and code, in the documented order', async () => {
    const client = await RawClient.ws(t.wsUrl);
    await client.auth(await fetchOtp(t.httpUrl, full));
    assert.deepEqual(errorOf(await client.request(24, flowRequest(''))), { status: 3, code: 301600 });
    assert.deepEqual(errorOf(await client.request(24, flowRequest('700'))), { status: 3, code: 301600 });
    assert.deepEqual(errorOf(await client.request(24, flowRequest('700.XX'))), { status: 3, code: 301600 });
    assert.deepEqual(errorOf(await client.request(24, Uint8Array.of(0x0a, 0x05, 0x41))), { status: 3, code: 301600 });
    assert.deepEqual(errorOf(await client.request(24, flowRequest('ZZZZ.US'))), { status: 7, code: 301600 });
    assert.deepEqual(errorOf(await client.request(24, flowRequest('NODATA.HK'))), { status: 7, code: 301603 });
    const unknown = await client.request(150, new Uint8Array());
    assert.deepEqual(errorOf(unknown), { status: 3, code: 301600 });
    assert.equal(fromBinary(ErrorSchema, unknown.body).msg, 'unknown command');
    client.close();

    const limited = await RawClient.ws(t.wsUrl);
    await limited.auth(await fetchOtp(t.httpUrl, usOnly));
    // Without HK permission the caller cannot tell a known symbol from an unknown one.
    assert.deepEqual(errorOf(await limited.request(24, flowRequest('700.HK'))), { status: 7, code: 301604 });
    assert.deepEqual(errorOf(await limited.request(24, flowRequest('12345.HK'))), { status: 7, code: 301604 });
    limited.close();
  });

  it('refuses requests over the rate limit with 3/301606 while other commands keep their own buckets', async () => {
    const client = await RawClient.ws(t.wsUrl);
    await client.auth(await fetchOtp(t.httpUrl, tight));
    // Bucket of 2 × burst + limit = 3 tokens, refilled at 1/s.
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await client.request(24, flowRequest('700.HK'))).status);
    assert.deepEqual(statuses.slice(0, 3), [0, 0, 0]);
    const refused = await client.request(24, flowRequest('700.HK'));
    assert.deepEqual(errorOf(refused), { status: 3, code: 301606 });
    // Other commands have their own buckets.
    const profile = await client.request(4, new Uint8Array());
    assert.equal(profile.status, 0);
    const advertised = fromBinary(UserQuoteProfileResponseSchema, profile.body).rateLimit.find((r) => r.command === 24);
    assert.deepEqual({ limit: advertised?.limit, burst: advertised?.burst }, { limit: 1, burst: 1 });
    client.close();
  });

  it('reconnect resumes the session on a new connection and closes the old one with ConnectDuplicate', async () => {
    const first = await RawClient.ws(t.wsUrl);
    const { sessionId } = await first.auth(await fetchOtp(t.httpUrl, full));
    const second = await RawClient.tcp(t.server.tcpPort!);
    const response = await second.request(3, toBinary(ReconnectRequestSchema, create(ReconnectRequestSchema, { sessionId })));
    assert.equal(response.status, 0);
    assert.equal(fromBinary(ReconnectResponseSchema, response.body).sessionId, sessionId);
    assert.equal(closePushOf(await first.next()).code, 6);
    assert.equal((await second.request(24, flowRequest('700.HK'))).status, 0);
    second.close();

    const stranger = await RawClient.ws(t.wsUrl);
    stranger.send(3, toBinary(ReconnectRequestSchema, create(ReconnectRequestSchema, { sessionId: 'no-such-session' })));
    assert.equal(closePushOf(await stranger.next()).code, 5);
  });

  it('refuses a connection beyond the credential limit with ConnectDuplicate', async () => {
    const first = await RawClient.ws(t.wsUrl);
    await first.auth(await fetchOtp(t.httpUrl, single));
    const second = await RawClient.ws(t.wsUrl);
    second.send(2, toBinary(AuthRequestSchema, create(AuthRequestSchema, { token: await fetchOtp(t.httpUrl, single) })));
    assert.equal(closePushOf(await second.next()).code, 6);
    first.close();
  });

  it('serves profile, trading sessions and trading days', async () => {
    const client = await RawClient.ws(t.wsUrl);
    await client.auth(await fetchOtp(t.httpUrl, usOnly));
    const profile = fromBinary(UserQuoteProfileResponseSchema, (await client.request(4, new Uint8Array())).body);
    assert.deepEqual(
      profile.rateLimit.map((r) => [r.command, r.limit, r.burst]),
      [[2, 10, 20], [3, 10, 20], [4, 10, 20], [5, 10, 20], [6, 10, 20], [7, 10, 20], [8, 10, 20], [9, 10, 20], [17, 10, 20], [24, 10, 20], [25, 10, 20], [200, 10, 20], [201, 10, 20]],
    );
    const us = profile.quoteLevelDetail?.byMarketCode.US?.packages[0];
    assert.ok(us && us.start > 1_600_000_000n && us.start < 4_000_000_000n, 'package times are Unix seconds');
    assert.ok(profile.quoteLevelDetail?.byMarketCode.HK?.warningMsg);

    const periods = fromBinary(MarketTradePeriodResponseSchema, (await client.request(8, new Uint8Array())).body);
    assert.deepEqual(periods.marketTradeSession.map((m) => m.market), ['HK', 'US', 'CN', 'SG']);
    const cn = periods.marketTradeSession.find((m) => m.market === 'CN')!;
    assert.deepEqual(cn.tradeSession.map((p) => [p.begTime, p.endTime]), [[930, 1130], [1300, 1500]]);

    const days = fromBinary(
      MarketTradeDayResponseSchema,
      (
        await client.request(9, toBinary(MarketTradeDayRequestSchema, create(MarketTradeDayRequestSchema, { market: 'HK', begDay: '20241220', endDay: '20250102' })))
      ).body,
    );
    // 2024-12-24 and 12-31 are half days; 12-25, 12-26 and 2025-01-01 holidays.
    assert.deepEqual(days.tradeDay, ['20241220', '20241223', '20241227', '20241230', '20250102']);
    assert.deepEqual(days.halfTradeDay, ['20241224', '20241231']);
    const bad = await client.request(9, toBinary(MarketTradeDayRequestSchema, create(MarketTradeDayRequestSchema, { market: 'XX', begDay: '20241220', endDay: '20250102' })));
    assert.deepEqual(errorOf(bad), { status: 3, code: 301600 });
    client.close();
  });

  it('serves the distribution of the counted trades (command 25)', async () => {
    const client = await RawClient.ws(t.wsUrl);
    await client.auth(await fetchOtp(t.httpUrl, full));
    const response = await client.request(25, toBinary(SecurityRequestSchema, create(SecurityRequestSchema, { symbol: '700.HK' })));
    assert.equal(response.status, 0);
    const distribution = fromBinary(CapitalDistributionResponseSchema, response.body);
    // HK tiers: large >= 220,000, medium >= 44,000 HKD. The lunch trade is not counted.
    assert.deepEqual(
      { ...distribution.capitalIn, $typeName: undefined },
      { $typeName: undefined, large: '320200.000', medium: '64200.000', small: '32200.000' },
    );
    assert.deepEqual(
      { ...distribution.capitalOut, $typeName: undefined },
      { $typeName: undefined, large: '0.000', medium: '160000.000', small: '0.000' },
    );
    assert.equal(Number(distribution.timestamp), Date.parse('2024-06-14T16:05:00+08:00') / 1000);
    client.close();
  });

  it('a malformed packet closes only its own connection', async () => {
    const healthy = await RawClient.ws(t.wsUrl);
    await healthy.auth(await fetchOtp(t.httpUrl, full));
    const hostile = await wsClient(`${t.wsUrl}?version=1&codec=1&platform=9`);
    hostile.ws.send(Uint8Array.of(0x01, 24, 0, 0, 0, 1, 0, 0, 0xff, 0xff, 0xff, 1, 2));
    assert.equal(closePushOf(await hostile.next()).code, 3);
    assert.equal((await healthy.request(24, flowRequest('700.HK'))).status, 0);
    healthy.close();
  });
});

describe('unauthenticated connections', () => {
  it('are closed with AuthError when they do not authenticate in time', async () => {
    // The deadlines run on a manual clock: the test, not the machine's speed, decides when time passes.
    const clock = new ManualClock();
    const t = await startTestServer({ server: { authTimeoutMs: 150, deadlineClock: clock } });
    try {
      const idle = await RawClient.ws(t.wsUrl);
      let idleReceived = 0;
      (idle.inner as WsTestClient).ws.on('message', () => idleReceived++);
      const prompt = await RawClient.tcp(t.server.tcpPort!);
      await prompt.auth(await fetchOtp(t.httpUrl, testCredential()));
      clock.advance(149);
      // A round trip: time for a close push, had one been sent, to arrive.
      assert.equal((await prompt.request(1, Uint8Array.of(1))).status, 0);
      assert.equal(idleReceived, 0, 'closed before the auth timeout');
      clock.advance(1);
      const close = closePushOf(await idle.next());
      assert.equal(close.code, 4);
      assert.equal(close.reason, 'authentication timed out');
      clock.advance(10_000);
      assert.equal((await prompt.request(1, Uint8Array.of(1))).status, 0, 'an authenticated connection stays open');
      prompt.close();
    } finally {
      await t.stop();
    }
  });
});
