/**
 * A child process for the serving benchmark: `capflow` (a real server over a fresh store holding a
 * full HK day of 700.HK, 331 lines) or a bare `ws` echo server answering every message with a
 * packet of the same size as capflow's command-24 answer. Prints `{"ws":…,"tcp":…,"http":…}`.
 */
import { WebSocketServer } from 'ws';
import { decodePacket, encodePacket } from '../src/protocol/packet-codec.js';
import { startTestServer, testCredential, trade } from '../src/server/server-test-kit.js';
import type { Trade } from '../src/model/trade.js';

const mode = process.argv[2] ?? 'capflow';
const replyBytes = Number(process.argv[3] ?? 4500);

if (mode === 'echo') {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
  const body = new Uint8Array(replyBytes - 12);
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
  const unlimited = { limit: 1_000_000, burst: 1_000_000 };
  const credential = testCredential({ connections: 5000, subscribeLimit: 10_000, rateLimits: { 4: unlimited, 8: unlimited, 9: unlimited, 24: unlimited, 25: unlimited } });
  const server = await startTestServer({ credentials: [credential], securities, clock: { kind: 'fixed', at: Date.parse('2024-06-14T16:30:00+08:00') } });
  console.log(JSON.stringify({ ws: server.wsUrl, tcp: server.server.tcpPort, http: server.httpUrl }));
} else {
  const trades: Trade[] = [];
  const open = Date.parse('2024-06-14T09:30:00+08:00');
  for (let minute = 0; minute < 150; minute++) trades.push(trade('700.HK', new Date(open + minute * 60_000 + 5000).toISOString(), String(320 + (minute % 7) / 10), 100 * (1 + (minute % 5)), minute % 3 ? 'up' : 'down'));
  for (let minute = 0; minute < 180; minute++) trades.push(trade('700.HK', new Date(open + 210 * 60_000 + minute * 60_000 + 5000).toISOString(), String(321 + (minute % 7) / 10), 100, minute % 2 ? 'up' : 'down'));
  const unlimited = { limit: 1_000_000, burst: 1_000_000 };
  const credential = testCredential({ connections: 5000, rateLimits: { 4: unlimited, 8: unlimited, 9: unlimited, 24: unlimited, 25: unlimited } });
  const server = await startTestServer({ credentials: [credential], trades, clock: { kind: 'fixed', at: Date.parse('2024-06-14T16:30:00+08:00') } });
  console.log(JSON.stringify({ ws: server.wsUrl, tcp: server.server.tcpPort, http: server.httpUrl }));
}
