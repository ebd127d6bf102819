/**
 * Needs PostgreSQL (127.0.0.1:5432) and NATS JetStream (127.0.0.1:4222). Two gateways over one
 * PostgreSQL schema and one JetStream stream, fed by a worker, behave as one service.
 */
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { after, before, describe, it } from 'node:test';
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { NatsTradeBus } from '../../bus/nats-trade-bus.js';
import type { CapitalFlowLine } from '../../engine/index.js';
import { AuthRequestSchema, AuthResponseSchema, ReconnectRequestSchema, ReconnectResponseSchema } from '../../protocol/gen/control_pb.js';
import { CapitalFlowUpdateSchema, SubscribeCapitalFlowRequestSchema, SubscribeCapitalFlowResponseSchema } from '../../protocol/gen/capflow_pb.js';
import type { Packet } from '../../protocol/packet.js';
import { ErrorSchema } from '../../protocol/gen/error_pb.js';
import { CapitalFlowIntradayRequestSchema, CapitalFlowIntradayResponseSchema } from '../../protocol/gen/quote_pb.js';
import type { ResponsePacket } from '../../protocol/packet.js';
import { encodePacket } from '../../protocol/packet-codec.js';
import { FlowService } from '../../service/flow-service.js';
import { followLineNotices } from '../../service/line-notice-follower.js';
import { MarketClock, parseClockMode } from '../../service/market-clock.js';
import { PostgresFlowStore } from '../../store/postgres-flow-store.js';
import { dropSchemas, NATS_TEST_URL, postgresUrlWithSchema, SERVICES_SKIPPED, uniqueName } from '../../store/postgres-test-kit.js';
import { FlowWorker } from '../../worker/flow-worker.js';
import { expectedLines, generateTrades, SCALE_TEST_DATE } from '../../worker/scale-test-kit.js';
import { announceStoredTrades } from '../../worker/stored-trade-notices.js';
import { startCapflowServer, type RunningServer } from '../capflow-server.js';
import { fetchOtp, signedHeaders, testCredential } from '../server-test-kit.js';
import { closePushOf, wsClient, type WsTestClient } from '../socket/transport/transport-test-kit.js';
import { postgresGatewayState } from '../../store/gateway-state/postgres-gateway-state.js';

type LongportModule = typeof import('longport');
const longport = createRequire(import.meta.url)('longport') as LongportModule;

/** A raw socket client speaking just enough of the protocol. */
class Client {
  private nextId = 1;
  private constructor(readonly inner: WsTestClient) {}
  static async open(server: RunningServer): Promise<Client> {
    return new Client(await wsClient(`ws://127.0.0.1:${server.httpPort}/v2?version=1&codec=1&platform=9`));
  }
  async request(cmd: number, body: Uint8Array): Promise<ResponsePacket> {
    const requestId = this.nextId++;
    this.inner.ws.send(encodePacket({ type: 1, cmd, requestId, timeoutMs: 30_000, body, gzip: false }));
    const packet = await this.inner.next(5000);
    assert.equal(packet.type, 2, `expected a response to cmd ${cmd}, got type ${packet.type} cmd ${packet.cmd}`);
    return packet as ResponsePacket;
  }
  async auth(otp: string): Promise<string> {
    return (await this.authResponse(otp)).sessionId;
  }
  async authResponse(otp: string): Promise<{ sessionId: string; online: number; limit: number }> {
    const response = await this.request(2, toBinary(AuthRequestSchema, create(AuthRequestSchema, { token: otp })));
    assert.equal(response.status, 0);
    return fromBinary(AuthResponseSchema, response.body);
  }
  /** Sends a request whose answer may be a close push instead of a response. */
  async send(cmd: number, body: Uint8Array): Promise<Packet> {
    this.inner.ws.send(encodePacket({ type: 1, cmd, requestId: this.nextId++, timeoutMs: 30_000, body, gzip: false }));
    return this.inner.next(5000);
  }
  flow(symbol: string): Promise<ResponsePacket> {
    return this.request(24, toBinary(CapitalFlowIntradayRequestSchema, create(CapitalFlowIntradayRequestSchema, { symbol })));
  }
  close(): void {
    this.inner.ws.close();
  }
}

describe('two gateways over PostgreSQL and NATS (needs PostgreSQL and NATS)', { skip: SERVICES_SKIPPED }, () => {
  const schema = uniqueName('capflow_test_fleet');
  const stream = uniqueName('CAPFLOW_TEST');
  const storeUrl = postgresUrlWithSchema(schema);
  const busUrl = `${NATS_TEST_URL}?stream=${stream}&prefix=${stream.toLowerCase()}&partitions=4`;
  const full = testCredential({ appKey: 'fleet-full', appSecret: 'fleet-secret', accessToken: 'fleet-token' });
  const tight = testCredential({ appKey: 'fleet-tight', appSecret: 's2', accessToken: 't2', rateLimits: { 24: { limit: 1, burst: 1 } } });
  const restTight = testCredential({ appKey: 'fleet-rest', appSecret: 's3', accessToken: 't3', rateLimits: { 24: { limit: 1, burst: 1 } } });
  const pair = testCredential({ appKey: 'fleet-pair', appSecret: 's4', accessToken: 't4', connections: 2 });
  const trades = generateTrades(3000);
  const expected = expectedLines(trades).get('700.HK')!;
  const closers: Array<() => Promise<unknown> | unknown> = [];
  let gatewayA: RunningServer;
  let gatewayB: RunningServer;
  let workerBus: NatsTradeBus;

  async function startGateway(): Promise<RunningServer> {
    const store = await PostgresFlowStore.open(storeUrl);
    const bus = await NatsTradeBus.connect(busUrl);
    // After the day's close, so the whole day's lines are served (as expectedLines computes them).
    const clock = new MarketClock(parseClockMode('2024-06-14T23:00:00+08:00')!);
    // A long poll interval: only the workers' line notices can make these gateways current.
    const flows = await FlowService.open({ store, clock, pollIntervalMs: 600_000 });
    const stopFollowing = followLineNotices(bus, flows);
    const server = await startCapflowServer({
      store,
      flows,
      clock,
      credentials: [full, tight, restTight, pair],
      port: 0,
      tcpPort: null,
      liveCoalesceMs: 20,
      onIngestStored: announceStoredTrades(bus),
      ...postgresGatewayState(store.connectionPool),
    });
    closers.push(async () => {
      await server.stop();
      stopFollowing();
      await bus.close();
      await store.close();
    });
    return server;
  }

  const inflows = (response: ResponsePacket): string[] =>
    fromBinary(CapitalFlowIntradayResponseSchema, response.body).capitalFlowLines.map((line) => line.inflow);

  before(async () => {
    gatewayA = await startGateway();
    gatewayB = await startGateway();
    const workerStore = await PostgresFlowStore.open(storeUrl);
    workerBus = await NatsTradeBus.connect(busUrl);
    const worker = new FlowWorker({ store: workerStore, bus: workerBus, partitions: [0, 1, 2, 3], batchSize: 500 });
    worker.start();
    closers.push(async () => {
      await worker.stop();
      await workerBus.deleteStream();
      await workerBus.close();
      await workerStore.close();
    });
    await workerBus.publishTrades(trades);
    // Both gateways learn of the trades through the notices and answer the whole day.
    const client = await Client.open(gatewayA);
    const clientB = await Client.open(gatewayB);
    await client.auth(await fetchOtp(`http://127.0.0.1:${gatewayA.httpPort}`, full));
    await clientB.auth(await fetchOtp(`http://127.0.0.1:${gatewayB.httpPort}`, full));
    const deadline = Date.now() + 15_000;
    const last = (lines: readonly CapitalFlowLine[]): string | undefined => lines.at(-1)?.inflow;
    for (;;) {
      const [a, b] = await Promise.all([client.flow('700.HK'), clientB.flow('700.HK')]);
      if (a.status === 0 && b.status === 0 && inflows(a).at(-1) === last(expected) && inflows(b).at(-1) === last(expected)) break;
      assert.ok(Date.now() < deadline, 'the gateways did not catch up with the worker');
      await new Promise((r) => setTimeout(r, 50));
    }
    client.close();
    clientB.close();
  });

  after(async () => {
    for (const close of closers.reverse()) await close();
    await dropSchemas([schema]);
  });

  it('answer command 24 with identical bytes, equal to the lines of the published trades', async () => {
    const a = await Client.open(gatewayA);
    const b = await Client.open(gatewayB);
    await a.auth(await fetchOtp(`http://127.0.0.1:${gatewayA.httpPort}`, full));
    await b.auth(await fetchOtp(`http://127.0.0.1:${gatewayB.httpPort}`, full));
    const [fromA, fromB] = await Promise.all([a.flow('700.HK'), b.flow('700.HK')]);
    assert.equal(fromA.status, 0);
    assert.deepEqual(fromA.body, fromB.body);
    assert.deepEqual(inflows(fromA), expected.map((line) => line.inflow));
    a.close();
    b.close();
  });

  it('accept on one gateway a one-time password issued by the other, exactly once', async () => {
    const otp = await fetchOtp(`http://127.0.0.1:${gatewayA.httpPort}`, full);
    const onB = await Client.open(gatewayB);
    await onB.auth(otp);
    const again = await Client.open(gatewayA);
    again.inner.ws.send(encodePacket({ type: 1, cmd: 2, requestId: 1, timeoutMs: 5000, body: toBinary(AuthRequestSchema, create(AuthRequestSchema, { token: otp })), gzip: false }));
    assert.equal(closePushOf(await again.inner.next(5000)).code, 4); // AuthError: already used
    onB.close();
  });

  it('resume on gateway B a session created on gateway A', async () => {
    const onA = await Client.open(gatewayA);
    const sessionId = await onA.auth(await fetchOtp(`http://127.0.0.1:${gatewayA.httpPort}`, full));
    onA.close();
    const onB = await Client.open(gatewayB);
    const resumed = await onB.request(3, toBinary(ReconnectRequestSchema, create(ReconnectRequestSchema, { sessionId })));
    assert.equal(resumed.status, 0);
    assert.equal((await onB.flow('700.HK')).status, 0);
    const unknown = await Client.open(gatewayB);
    unknown.inner.ws.send(
      encodePacket({ type: 1, cmd: 3, requestId: 1, timeoutMs: 5000, body: toBinary(ReconnectRequestSchema, create(ReconnectRequestSchema, { sessionId: 'nope' })), gzip: false }),
    );
    assert.equal(closePushOf(await unknown.inner.next(5000)).code, 5); // SessExpired
    onB.close();
  });

  it('count a credential’s requests against one rate limit across both gateways', async () => {
    const a = await Client.open(gatewayA);
    const b = await Client.open(gatewayB);
    await a.auth(await fetchOtp(`http://127.0.0.1:${gatewayA.httpPort}`, tight));
    await b.auth(await fetchOtp(`http://127.0.0.1:${gatewayB.httpPort}`, tight));
    // limit 1/s, burst 1: the bucket holds 2 × 1 + 1 = 3 tokens, refilled at one per second.
    assert.equal((await a.flow('700.HK')).status, 0);
    assert.equal((await b.flow('700.HK')).status, 0);
    assert.equal((await a.flow('700.HK')).status, 0);
    const refused = await b.flow('700.HK');
    assert.equal(refused.status, 3);
    assert.equal(fromBinary(ErrorSchema, refused.body).code, 301606n);
    a.close();
    b.close();
  });

  it('serve the official SDK on either gateway', async () => {
    const ctx = await longport.QuoteContext.new(
      new longport.Config({
        appKey: full.appKey,
        appSecret: full.appSecret,
        accessToken: full.accessToken,
        httpUrl: `http://127.0.0.1:${gatewayB.httpPort}`,
        quoteWsUrl: `ws://127.0.0.1:${gatewayB.httpPort}/v2`,
        enablePrintQuotePackages: false,
      }),
    );
    const lines = await ctx.capitalFlow('700.HK');
    assert.equal(lines.length, expected.length);
    assert.deepEqual(
      lines.map((line) => Number(line.inflow.toString())),
      expected.map((line) => Number(line.inflow)),
    );
  });

  /** The `online` of the token endpoint of a gateway. */
  async function tokenOnline(server: RunningServer, credential: typeof full): Promise<number> {
    const response = await fetch(`http://127.0.0.1:${server.httpPort}/v1/socket/token`, { headers: signedHeaders(credential, 'GET', '/v1/socket/token') });
    return ((await response.json()) as { data: { online: number } }).data.online;
  }

  async function eventually(condition: () => Promise<boolean>, what: string, timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(await condition())) {
      assert.ok(Date.now() < deadline, what);
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  it('count a credential’s connections across both gateways and refuse one beyond its limit with ConnectDuplicate', async () => {
    const first = await Client.open(gatewayA);
    const onA = await first.authResponse(await fetchOtp(`http://127.0.0.1:${gatewayA.httpPort}`, pair));
    assert.deepEqual([onA.online, onA.limit], [1, 2]);
    assert.equal(await tokenOnline(gatewayB, pair), 1);
    const second = await Client.open(gatewayB);
    assert.equal((await second.authResponse(await fetchOtp(`http://127.0.0.1:${gatewayB.httpPort}`, pair))).online, 2);
    assert.equal(await tokenOnline(gatewayA, pair), 2);
    // A third connection, on either gateway, is over the limit of 2.
    const third = await Client.open(gatewayA);
    const refused = await third.send(2, toBinary(AuthRequestSchema, create(AuthRequestSchema, { token: await fetchOtp(`http://127.0.0.1:${gatewayA.httpPort}`, pair) })));
    assert.equal(closePushOf(refused).code, 6);
    // Closing the connection on B frees its place for a connection on A.
    second.close();
    await eventually(async () => (await tokenOnline(gatewayA, pair)) === 1, 'the closed connection was still counted');
    const fourth = await Client.open(gatewayA);
    assert.equal((await fourth.authResponse(await fetchOtp(`http://127.0.0.1:${gatewayA.httpPort}`, pair))).online, 2);
    first.close();
    fourth.close();
    await eventually(async () => (await tokenOnline(gatewayB, pair)) === 0, 'closed connections were still counted');
  });

  it('close with ConnectDuplicate the old connection of a session resumed on the other gateway', async () => {
    const onA = await Client.open(gatewayA);
    const sessionId = await onA.auth(await fetchOtp(`http://127.0.0.1:${gatewayA.httpPort}`, pair));
    const onB = await Client.open(gatewayB);
    const resumed = await onB.request(3, toBinary(ReconnectRequestSchema, create(ReconnectRequestSchema, { sessionId })));
    assert.equal(resumed.status, 0);
    const moved = fromBinary(ReconnectResponseSchema, resumed.body);
    assert.deepEqual([moved.sessionId, moved.online], [sessionId, 1]); // the old connection no longer counts
    assert.equal(closePushOf(await onA.inner.next(5000)).code, 6);
    assert.equal((await onA.inner.closed).code !== undefined, true);
    assert.equal((await onB.flow('700.HK')).status, 0);
    assert.equal(await tokenOnline(gatewayA, pair), 1);
    onB.close();
    await eventually(async () => (await tokenOnline(gatewayA, pair)) === 0, 'the resumed connection was still counted');
  });

  it('count REST calls on one gateway and socket calls on the other against one rate limit', async () => {
    const path = '/api/v1/capital-flow/intraday';
    const query = 'symbol=700.HK';
    const rest = () => fetch(`http://127.0.0.1:${gatewayA.httpPort}${path}?${query}`, { headers: signedHeaders(restTight, 'GET', path, query) });
    // limit 1/s, burst 1: three tokens; the REST calls on A take them.
    assert.equal((await rest()).status, 200);
    assert.equal((await rest()).status, 200);
    assert.equal((await rest()).status, 200);
    const b = await Client.open(gatewayB);
    await b.auth(await fetchOtp(`http://127.0.0.1:${gatewayB.httpPort}`, restTight));
    const refused = await b.flow('700.HK');
    assert.equal(refused.status, 3);
    assert.equal(fromBinary(ErrorSchema, refused.body).code, 301606n);
    // And the socket call's refusal on B leaves REST on A refused too until a token is refilled.
    const third = await rest();
    assert.equal(third.status, 429);
    b.close();
  });

  it('push live updates on gateway B for trades stored by the worker and for trades posted to gateway A', async () => {
    const subscriber = await Client.open(gatewayB);
    await subscriber.auth(await fetchOtp(`http://127.0.0.1:${gatewayB.httpPort}`, full));
    const subscribed = await subscriber.request(200, toBinary(SubscribeCapitalFlowRequestSchema, create(SubscribeCapitalFlowRequestSchema, { symbol: '5.HK' })));
    assert.equal(subscribed.status, 0);
    const current = fromBinary(SubscribeCapitalFlowResponseSchema, subscribed.body).current!;
    assert.equal(current.capitalFlowLines.at(-1)?.inflow, expectedLines(trades).get('5.HK')!.at(-1)!.inflow);

    /** Waits for a push whose lines agree with `lines` where they overlap and end where they end. */
    const pushMatching = async (lines: readonly CapitalFlowLine[]): Promise<void> => {
      const byTime = new Map(lines.map((line) => [BigInt(line.timestamp), line.inflow]));
      const deadline = Date.now() + 10_000;
      for (;;) {
        const packet = await subscriber.inner.next(Math.max(1, deadline - Date.now()));
        assert.equal(packet.type, 3, 'expected a push');
        assert.equal(packet.cmd, 202);
        const update = fromBinary(CapitalFlowUpdateSchema, packet.body);
        assert.equal(update.symbol, '5.HK');
        const last = update.capitalFlowLines.at(-1);
        if (last?.inflow === lines.at(-1)!.inflow && last.timestamp === BigInt(lines.at(-1)!.timestamp)) {
          for (const line of update.capitalFlowLines) assert.equal(line.inflow, byTime.get(line.timestamp));
          return;
        }
      }
    };

    // A trade through the bus: the worker stores it and its line notice reaches gateway B.
    const viaBus = { trade: { symbol: '5.HK', timestamp: Date.parse('2024-06-14T15:00:30+08:00'), price: { units: 32000n, scale: 2 }, volume: 5000 }, date: SCALE_TEST_DATE };
    await workerBus.publishTrades([viaBus]);
    await pushMatching(expectedLines([...trades, viaBus]).get('5.HK')!);

    // A trade posted to gateway A's ingest endpoint: stored by A, announced, pushed by B.
    const body = new TextEncoder().encode('{"symbol":"5.HK","timestamp":"2024-06-14T15:30:00+08:00","price":"319.50","volume":3000}\n');
    const posted = await fetch(`http://127.0.0.1:${gatewayA.httpPort}/v1/ingest`, {
      method: 'POST',
      headers: { ...signedHeaders(full, 'POST', '/v1/ingest', '', body), 'content-type': 'application/x-ndjson', 'Idempotency-Key': 'fleet-live-1' },
      body,
    });
    assert.equal(posted.status, 200);
    const viaHttp = { trade: { symbol: '5.HK', timestamp: Date.parse('2024-06-14T15:30:00+08:00'), price: { units: 31950n, scale: 2 }, volume: 3000 }, date: SCALE_TEST_DATE };
    await pushMatching(expectedLines([...trades, viaBus, viaHttp]).get('5.HK')!);
    subscriber.close();
  });
});
