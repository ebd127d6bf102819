/**
 * A client process of the serving benchmark. argv[2] is JSON: { kind, info, connections,
 * seconds, inflight }. kind `echo` / `ws` / `tcp` opens `connections` raw protocol connections
 * (capflow's authenticated with their own one-time password) each in a closed loop; `sdk-official`
 * (the `longport` package) and `sdk-capflow` (src/client) open one QuoteContext with `inflight`
 * capitalFlow calls in a closed loop. Prints `ready` once connected, starts on a line on stdin,
 * then prints one JSON line: { count, errors, elapsedMs, latencies (a sample, ms) }.
 */
import { createRequire } from 'node:module';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { performance } from 'node:perf_hooks';
import { Config, QuoteContext } from '../src/client/index.js';
import { RawProtocolClient, capitalFlowRequest } from '../src/server/reliability/raw-protocol-client.js';
import { fetchOtp, testCredential } from '../src/server/server-test-kit.js';
import { tcpClient } from '../src/server/socket/transport/transport-test-kit.js';

interface Args {
  kind: 'echo' | 'ws' | 'tcp' | 'sdk-official' | 'sdk-capflow';
  info: { ws: string; tcp?: number; http?: string };
  connections: number;
  seconds: number;
  inflight: number;
}
const args = JSON.parse(process.argv[2] as string) as Args;
const credential = testCredential({ connections: 5000 });
const MAX_SAMPLES = 20_000;
const latencies: number[] = [];
let count = 0;
let errors = 0;
const record = (ms: number, ok: boolean): void => {
  count++;
  if (!ok) errors++;
  if (latencies.length < MAX_SAMPLES) latencies.push(ms);
  else latencies[Math.floor(Math.random() * count)] = ms; // a roughly uniform sample once full
};

type Ask = () => Promise<boolean>;
const askers: Ask[] = [];
if (args.kind === 'sdk-official' || args.kind === 'sdk-capflow') {
  const params = { appKey: credential.appKey, appSecret: credential.appSecret, accessToken: credential.accessToken, httpUrl: args.info.http!, quoteWsUrl: args.info.ws };
  let capitalFlow: (symbol: string) => Promise<unknown[]>;
  if (args.kind === 'sdk-official') {
    const longport = createRequire(import.meta.url)('longport') as typeof import('longport');
    const ctx = await longport.QuoteContext.new(new longport.Config({ ...params, enablePrintQuotePackages: false }));
    capitalFlow = (symbol) => ctx.capitalFlow(symbol);
  } else {
    const ctx = await QuoteContext.new(new Config(params));
    capitalFlow = (symbol) => ctx.capitalFlow(symbol);
  }
  for (let i = 0; i < args.inflight; i++) askers.push(async () => (await capitalFlow('700.HK')).length === 331);
} else {
  for (let i = 0; i < args.connections; i += 50) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(50, args.connections - i) }, async () => {
        if (args.kind === 'echo') return RawProtocolClient.ws(args.info.ws);
        // TCP: the load generator keeps no copy of what it received (the WebSocket client keeps none either).
        const client =
          args.kind === 'ws' ? await RawProtocolClient.ws(args.info.ws) : new RawProtocolClient(await tcpClient(args.info.tcp!, undefined, { keepReceived: false }));
        await client.auth(await fetchOtp(args.info.http!, credential));
        return client;
      }),
    );
    for (const client of batch) {
      askers.push(async () => {
        const packet = await client.request(24, capitalFlowRequest('700.HK'), 30_000);
        return 'status' in packet && packet.status === 0 && packet.body.length > 4000;
      });
    }
  }
}
console.log('ready');
await once(createInterface({ input: process.stdin }), 'line');
const started = performance.now();
const deadline = started + args.seconds * 1000;
await Promise.all(
  askers.map(async (ask) => {
    while (performance.now() < deadline) {
      const t0 = performance.now();
      let ok = false;
      try {
        ok = await ask();
      } catch {
        ok = false;
      }
      record(performance.now() - t0, ok);
    }
  }),
);
const result = JSON.stringify({ count, errors, elapsedMs: performance.now() - started, latencies: latencies.map((ms) => Math.round(ms * 1000) / 1000) });
process.stdout.write(`${result}\n`, () => process.exit(0));
