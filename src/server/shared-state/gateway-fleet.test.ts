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
import { AuthRequestSchema, AuthResponseSchema, ReconnectRequestSchema } from '../../protocol/gen/control_pb.js';
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
import { expectedLines, generateTrades } from '../../worker/scale-test-kit.js';
import { startCapflowServer, type RunningServer } from '../capflow-server.js';
import { fetchOtp, testCredential } from '../server-test-kit.js';
import { closePushOf, wsClient, type WsTestClient } from '../transport/transport-test-kit.js';
import { postgresGatewayState } from './postgres-gateway-state.js';

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
    const response = await this.request(2, toBinary(AuthRequestSchema, create(AuthRequestSchema, { token: otp })));
    assert.equal(response.status, 0);
    return fromBinary(AuthResponseSchema, response.body).sessionId;
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
      credentials: [full, tight],
      port: 0,
      tcpPort: null,
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
    // limit 1/s, burst 1: the bucket holds 2 tokens, refilled at one per second.
    assert.equal((await a.flow('700.HK')).status, 0);
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
});
