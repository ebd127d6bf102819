/**
 * A child process for the serving benchmark: `capflow` (a real server over a fresh store holding a
 * full HK day of 700.HK, 331 lines) or a bare `ws` echo server answering every message with a
 * packet of argv[3] bytes — the serving benchmark passes the size of capflow's command-24 answer
 * packet, which the capflow child reports. Prints `{"ws":…,"tcp":…,"http":…,"replyBytes":…}`.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocketServer } from 'ws';
import { decodePacket, encodePacket } from '../src/protocol/packet-codec.js';
import { startCapflowServer } from '../src/server/capflow-server.js';
import { SOCKET_TOKEN_RATE_KEY } from '../src/server/auth/credential.js';
import { startTestServer, storeTrades, testCredential, trade } from '../src/server/server-test-kit.js';
import { FlowService } from '../src/service/flow-service.js';
import { MarketClock } from '../src/service/market-clock.js';
import { SqliteFlowStore } from '../src/store/sqlite-flow-store.js';
import type { Trade } from '../src/model/trade.js';
import { parseSymbol } from '../src/model/symbol.js';
import { encodeCapitalFlow } from '../src/server/socket/quote/capital-flow.js';
import { createLogger } from '../src/logging/logger.js';
import { LOAD_GENERATOR_CAPS } from './bench-kit.js';

const mode = process.argv[2] ?? 'capflow';
const replyBytes = Number(process.argv[3] ?? 4500);
/** Header of a response packet: the echo's packets are `replyBytes` long in all. */
const RESPONSE_HEADER_BYTES = 10;

if (mode === 'echo') {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
  const body = new Uint8Array(replyBytes - RESPONSE_HEADER_BYTES);
  wss.on('connection', (socket) => {
    socket.on('message', (data: Buffer) => {
      const request = decodePacket(data);
      const requestId = 'requestId' in request ? request.requestId : 0;
      socket.send(encodePacket({ type: 2, cmd: request.cmd, requestId, status: 0, body, gzip: false }));
    });
  });
  wss.on('listening', () => {
    const address = wss.address() as { port: number };
    console.log(JSON.stringify({ ws: `ws://127.0.0.1:${address.port}` }));
  });
} else if (mode === 'empty') {
  // An empty store with symbols known in advance, for the freshness benchmark (argv[3]: symbols).
  const securities = (process.argv[3] ?? '').split(',').filter((s) => s !== '');
  // A load generator opens up to 1,000 connections at once: its token fetches (SOCKET_TOKEN_RATE_KEY)
  // and auths (2, 3) must not be refused, as they are not what is measured.
  const unlimited = { limit: 1_000_000, burst: 1_000_000 };
  const credential = testCredential({ connections: 5000, subscribeLimit: 10_000, rateLimits: { [SOCKET_TOKEN_RATE_KEY]: unlimited, 2: unlimited, 3: unlimited, 4: unlimited, 8: unlimited, 9: unlimited, 24: unlimited, 25: unlimited } });
  const server = await startTestServer({
    credentials: [credential],
    securities,
    clock: { kind: 'fixed', at: Date.parse('2024-06-14T16:30:00+08:00') },
    server: { unauthenticatedConnections: LOAD_GENERATOR_CAPS },
  });
  console.log(JSON.stringify({ ws: server.wsUrl, tcp: server.server.tcpPort, http: server.httpUrl }));
} else {
  const trades: Trade[] = [];
  const open = Date.parse('2024-06-14T09:30:00+08:00');
  for (let minute = 0; minute < 150; minute++) trades.push(trade('700.HK', new Date(open + minute * 60_000 + 5000).toISOString(), String(320 + (minute % 7) / 10), 100 * (1 + (minute % 5)), minute % 3 ? 'up' : 'down'));
  for (let minute = 0; minute < 180; minute++) trades.push(trade('700.HK', new Date(open + 210 * 60_000 + minute * 60_000 + 5000).toISOString(), String(321 + (minute % 7) / 10), 100, minute % 2 ? 'up' : 'down'));
  // A load generator opens up to 1,000 connections at once: its token fetches (SOCKET_TOKEN_RATE_KEY)
  // and auths (2, 3) must not be refused, as they are not what is measured.
  const unlimited = { limit: 1_000_000, burst: 1_000_000 };
  const credential = testCredential({ connections: 5000, rateLimits: { [SOCKET_TOKEN_RATE_KEY]: unlimited, 2: unlimited, 3: unlimited, 4: unlimited, 8: unlimited, 9: unlimited, 24: unlimited, 25: unlimited } });
  // Composed as `capflow serve` composes it: JSON logs at info level, Prometheus metrics, the
  // flow service polling the store at its default interval (the test kit polls every 20 ms).
  const logger = createLogger({ level: 'info' });
  const store = await SqliteFlowStore.open(mkdtempSync(join(tmpdir(), 'capflow-serving-')));
  await storeTrades(store, trades);
  const clock = new MarketClock({ kind: 'fixed', at: Date.parse('2024-06-14T16:30:00+08:00') });
  const flows = await FlowService.open({ store, clock, logger: logger.child({ module: 'flows' }) });
  const server = await startCapflowServer({ store, flows, clock, credentials: [credential], port: 0, tcpPort: 0, logger, unauthenticatedConnections: LOAD_GENERATOR_CAPS });
  // The size of the answer packet served (the echo answers with packets of this size).
  const answer = encodeCapitalFlow('700.HK', (await flows.capitalFlow(parseSymbol('700.HK')!)).lines);
  const http = `http://127.0.0.1:${server.httpPort}`;
  console.log(JSON.stringify({ ws: `ws://127.0.0.1:${server.httpPort}/v2`, tcp: server.tcpPort, http, replyBytes: RESPONSE_HEADER_BYTES + answer.length }));
}
