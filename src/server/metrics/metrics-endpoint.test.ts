import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { create, toBinary } from '@bufbuild/protobuf';
import { encodePacket } from '../../protocol/packet-codec.js';
import { AuthRequestSchema } from '../../protocol/gen/control_pb.js';
import { CapitalFlowIntradayRequestSchema } from '../../protocol/gen/quote_pb.js';
import { fetchOtp, signedHeaders, startTestServer, testCredential, trade, type TestServer } from '../server-test-kit.js';
import { tcpClient, waitFor, wsClient, type TcpTestClient, type WsTestClient } from '../socket/transport/transport-test-kit.js';
import { METRIC_DEFINITIONS } from './capflow-metrics.js';
import { parsePrometheusText, sampleValue } from './prometheus-text.js';

const BODY = [
  '{"symbol":"700.HK","timestamp":"2024-06-14T09:30:05+08:00","price":"320.2","volume":1000,"direction":"up","trade_id":"m1"}',
  '{"symbol":"700.HK","timestamp":"2024-06-14T09:30:05+08:00","price":"320.2","volume":1000,"direction":"up","trade_id":"m1"}',
  '{"symbol":"700.HK","timestamp":"2024-06-14T09:31:00+08:00","price":"-1","volume":1}',
  '',
].join('\n');

function request(cmd: number, requestId: number, body: Uint8Array): Uint8Array {
  return encodePacket({ type: 1, cmd, requestId, timeoutMs: 5000, body, gzip: false });
}

describe('/metrics after real traffic', () => {
  const tight = testCredential({ appKey: 'tight', appSecret: 'tight-secret', accessToken: 'tight-token', rateLimits: { 24: { limit: 1, burst: 1 } } });
  let t: TestServer;
  let ws: WsTestClient;
  let tcp: TcpTestClient;
  let text = '';

  before(async () => {
    t = await startTestServer({
      credentials: [tight],
      trades: [trade('700.HK', '2024-06-14T09:30:00+08:00', '320.0', 1000)],
      clock: { kind: 'fixed', at: Date.parse('2024-06-14T10:00:00+08:00') },
    });
    // Two refused token requests: an unknown app key and a wrong signature.
    await fetch(`${t.httpUrl}/v1/socket/token`, { headers: signedHeaders({ ...tight, appKey: 'nobody' }, 'GET', '/v1/socket/token') });
    await fetch(`${t.httpUrl}/v1/socket/token`, { headers: signedHeaders({ ...tight, appSecret: 'wrong' }, 'GET', '/v1/socket/token') });
    // One authenticated WebSocket connection asking for command 24 five times (limit 1, burst 1 → bucket of 2 × 1 + 1 = 3).
    ws = await wsClient(`${t.wsUrl}?version=1&codec=1&platform=9`);
    ws.ws.send(request(2, 1, toBinary(AuthRequestSchema, create(AuthRequestSchema, { token: await fetchOtp(t.httpUrl, tight) }))));
    await ws.next();
    const body = toBinary(CapitalFlowIntradayRequestSchema, create(CapitalFlowIntradayRequestSchema, { symbol: '700.HK' }));
    for (let id = 2; id <= 6; id++) ws.ws.send(request(24, id, body));
    for (let i = 0; i < 5; i++) await ws.next();
    // One TCP connection that stays open, and one socket auth with a bogus one-time password.
    tcp = await tcpClient(t.server.tcpPort!);
    const bogus = await wsClient(`${t.wsUrl}?version=1&codec=1&platform=9`);
    bogus.ws.send(request(2, 1, toBinary(AuthRequestSchema, create(AuthRequestSchema, { token: 'made-up' }))));
    await bogus.closed;
    // An ingest with one accepted, one duplicate and one rejected row.
    const bytes = new TextEncoder().encode(BODY);
    const ingest = await fetch(`${t.httpUrl}/v1/ingest`, { method: 'POST', headers: signedHeaders(tight, 'POST', '/v1/ingest', '', bytes), body: bytes });
    assert.equal(ingest.status, 200);
    await waitFor(() => t.server.gateway.onlineCount('tight') === 1);
    const response = await fetch(`${t.httpUrl}/metrics`);
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^text\/plain/);
    text = await response.text();
  });

  after(async () => {
    ws.ws.close();
    tcp.socket.destroy();
    await t.stop();
  });

  it('parses as Prometheus text and has every documented metric with its type', () => {
    const { types } = parsePrometheusText(text);
    for (const definition of METRIC_DEFINITIONS) assert.equal(types.get(definition.name), definition.type, definition.name);
  });

  it('counts connections by transport, requests by command and result code, and rate-limit refusals', () => {
    const { samples } = parsePrometheusText(text);
    assert.equal(sampleValue(samples, 'capflow_connections', { transport: 'ws' }), 1);
    assert.equal(sampleValue(samples, 'capflow_connections', { transport: 'tcp' }), 1);
    assert.equal(sampleValue(samples, 'capflow_connections_opened_total', { transport: 'ws' }), 2);
    assert.equal(sampleValue(samples, 'capflow_requests_total', { command: '24', status: '0', code: '0' }), 3);
    assert.equal(sampleValue(samples, 'capflow_requests_total', { command: '24', status: '3', code: '301606' }), 2);
    assert.equal(sampleValue(samples, 'capflow_rate_limit_refusals_total', { command: '24' }), 2);
  });

  it('counts auth failures by reason and ingested rows by outcome', () => {
    const { samples } = parsePrometheusText(text);
    assert.equal(sampleValue(samples, 'capflow_auth_failures_total', { reason: 'unknown_app_key' }), 1);
    assert.equal(sampleValue(samples, 'capflow_auth_failures_total', { reason: 'signature_mismatch' }), 1);
    assert.equal(sampleValue(samples, 'capflow_auth_failures_total', { reason: 'socket_auth_refused' }), 1);
    assert.equal(sampleValue(samples, 'capflow_ingest_rows_total', { outcome: 'accepted' }), 1);
    assert.equal(sampleValue(samples, 'capflow_ingest_rows_total', { outcome: 'duplicate' }), 1);
    assert.equal(sampleValue(samples, 'capflow_ingest_rows_total', { outcome: 'rejected' }), 1);
  });

  it('measures store writes and line updates of the ingest, the feed lag and the event loop', () => {
    const { samples } = parsePrometheusText(text);
    assert.equal(sampleValue(samples, 'capflow_store_write_seconds_count'), 1);
    assert.equal(sampleValue(samples, 'capflow_line_update_latency_seconds_count'), 1);
    assert.equal(sampleValue(samples, 'capflow_trades_applied_total', { market: 'HK' }), 1);
    // Lag = wall clock minus the latest trade (2024-06-14 09:30:05 HKT): far more than a year.
    const lag = sampleValue(samples, 'capflow_feed_lag_seconds', { market: 'HK' })!;
    const expected = (Date.now() - Date.parse('2024-06-14T09:30:05+08:00')) / 1000;
    assert.ok(Math.abs(lag - expected) < 60, `lag ${lag} vs ${expected}`);
    assert.equal(sampleValue(samples, 'capflow_feed_lag_seconds', { market: 'US' }), undefined);
    assert.ok((sampleValue(samples, 'nodejs_eventloop_lag_seconds') ?? -1) >= 0);
  });

  it('answers /readyz 200 with its checks while serving', async () => {
    const response = await fetch(`${t.httpUrl}/readyz`);
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { status: 'ready', checks: { accepting: true, store: true, calendars: true } });
  });
});
