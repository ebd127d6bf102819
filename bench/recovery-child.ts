/**
 * A restarted server for the recovery benchmark: opens the store in `argv[2]`, builds the flow
 * service and the server, then asks command 24 over a real WebSocket for one symbol and then for
 * every stored symbol (8 requests in flight). Prints one JSON line per milestone with the
 * milliseconds since this process started (performance.now()).
 */
import { performance } from 'node:perf_hooks';
import { startCapflowServer } from '../src/server/capflow-server.js';
import { RawProtocolClient, capitalFlowRequest } from '../src/server/reliability/raw-protocol-client.js';
import { fetchOtp, testCredential } from '../src/server/server-test-kit.js';
import { FlowService } from '../src/service/flow-service.js';
import { MarketClock } from '../src/service/market-clock.js';
import { SqliteFlowStore } from '../src/store/sqlite-flow-store.js';

const dataDir = process.argv[2] as string;
const at = process.argv[3] ?? '2024-06-14T23:59:00Z';
const say = (event: string, extra: Record<string, unknown> = {}): void => console.log(JSON.stringify({ event, ms: performance.now(), ...extra }));

say('started');
const store = await SqliteFlowStore.open(dataDir);
const clock = new MarketClock({ kind: 'fixed', at: Date.parse(at) });
const flows = await FlowService.open({ store, clock, securities: [] });
const unlimited = { limit: 1_000_000, burst: 1_000_000 };
const credential = testCredential({ connections: 100, rateLimits: { 24: unlimited } });
const server = await startCapflowServer({ store, flows, clock, credentials: [credential], port: 0, tcpPort: 0 });
say('listening');
const symbols = await store.symbols();
const client = await RawProtocolClient.ws(`ws://127.0.0.1:${server.httpPort}/v2`);
await client.auth(await fetchOtp(`http://127.0.0.1:${server.httpPort}`, credential));
let lines = 0;
const ask = async (symbol: string): Promise<void> => {
  const packet = await client.request(24, capitalFlowRequest(symbol), 600_000);
  if (!('status' in packet) || packet.status !== 0) throw new Error(`command 24 for ${symbol} failed: ${JSON.stringify(packet).slice(0, 200)}`);
  lines += packet.body.length;
};
await ask(symbols[0] as string);
say('first-answer', { symbol: symbols[0] });
let next = 1;
await Promise.all(
  Array.from({ length: 8 }, async () => {
    while (next < symbols.length) await ask(symbols[next++] as string);
  }),
);
say('all-answered', { symbols: symbols.length, bodyBytes: lines });
client.close();
await server.stop();
await store.close();
process.exit(0);
