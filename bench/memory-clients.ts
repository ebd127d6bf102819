/**
 * Client side of the memory benchmark: opens `argv[3]` authenticated connections of kind `argv[4]`
 * (ws or tcp) to the server described by the JSON in `argv[2]`, asks command 24 once on each,
 * prints `ready`, and holds them open until killed.
 */
import { RawProtocolClient, capitalFlowRequest } from '../src/server/reliability/raw-protocol-client.js';
import { fetchOtp, testCredential } from '../src/server/server-test-kit.js';

const info = JSON.parse(process.argv[2] as string) as { ws: string; tcp: number; http: string };
const count = Number(process.argv[3]);
const kind = process.argv[4] === 'tcp' ? 'tcp' : 'ws';
const credential = testCredential({ connections: 100_000 });
const clients: RawProtocolClient[] = [];
for (let i = 0; i < count; i += 50) {
  const batch = await Promise.all(
    Array.from({ length: Math.min(50, count - i) }, async () => {
      const client = kind === 'ws' ? await RawProtocolClient.ws(info.ws) : await RawProtocolClient.tcp(info.tcp);
      await client.auth(await fetchOtp(info.http, credential));
      await client.request(24, capitalFlowRequest('700.HK'), 30_000);
      return client;
    }),
  );
  clients.push(...batch);
}
console.log('ready');
setInterval(() => undefined, 1 << 30);
