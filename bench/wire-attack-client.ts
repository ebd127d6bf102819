/**
 * The well-behaved client of the wire-attack bench, in its own process so that the attacker's
 * work never delays it: one authenticated WebSocket connection asking command 24 in a closed loop
 * (a pause of --gap-ms between answers). Each line read on stdin ("mark") is answered on stdout
 * with the latencies since the previous mark as JSON {count, p50, p99, max, errors}.
 *
 *   node wire-attack-client.js HTTP_URL APP_KEY APP_SECRET ACCESS_TOKEN SYMBOL [GAP_MS]
 */
import { createInterface } from 'node:readline';
import { performance } from 'node:perf_hooks';
import type { ResponsePacket } from '../src/protocol/packet.js';
import { RawProtocolClient, capitalFlowRequest } from '../src/server/reliability/raw-protocol-client.js';
import { fetchOtp, testCredential } from '../src/server/server-test-kit.js';
import { percentile } from './bench-kit.js';

const [httpUrl, appKey, appSecret, accessToken, symbol, gapText] = process.argv.slice(2) as [string, string, string, string, string, string?];
const gapMs = Number(gapText ?? 20);
const credential = testCredential({ appKey, appSecret, accessToken });

let samples: number[] = [];
let errors = 0;
/** Start of the request waiting for its answer (its wait so far counts towards `max` at a mark). */
let inFlightSince: number | undefined;
let client: RawProtocolClient | undefined;

async function connect(): Promise<RawProtocolClient> {
  const fresh = await RawProtocolClient.ws(httpUrl.replace(/^http/, 'ws') + '/v2');
  await fresh.auth(await fetchOtp(httpUrl, credential));
  return fresh;
}

async function loop(): Promise<void> {
  const body = capitalFlowRequest(symbol);
  for (;;) {
    try {
      client ??= await connect();
      const started = performance.now();
      inFlightSince = started;
      const packet = (await client.request(24, body, 10_000)) as ResponsePacket;
      inFlightSince = undefined;
      if (packet.type !== 2 || packet.status !== 0) throw new Error(`answer type ${packet.type} status ${packet.status}`);
      samples.push(performance.now() - started);
    } catch {
      inFlightSince = undefined;
      errors++;
      client?.close();
      client = undefined;
    }
    await new Promise((resolve) => setTimeout(resolve, gapMs));
  }
}

createInterface({ input: process.stdin }).on('line', () => {
  const taken = samples;
  samples = [];
  const waiting = inFlightSince === undefined ? [] : [performance.now() - inFlightSince];
  const report = {
    count: taken.length,
    p50: percentile(taken, 50),
    p99: percentile(taken, 99),
    max: taken.length + waiting.length === 0 ? Number.NaN : Math.max(...taken, ...waiting),
    errors,
  };
  errors = 0;
  process.stdout.write(`${JSON.stringify(report)}\n`);
});
process.stdout.write('ready\n');
void loop();
