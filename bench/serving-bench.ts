/**
 * Query serving: command-24 requests per second and latency over WebSocket and TCP with 1, 100
 * and 1,000 connections, each connection sending its next request when the previous answer
 * arrives, against a bare `ws` echo server answering with a packet of the same size (the
 * transport's limit). Server and clients run in separate processes on loopback.
 *
 *   npm run bench:serving -- [--seconds 5] [--connections 1,100,1000] [--sdk]
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { performance } from 'node:perf_hooks';
import type { ResponsePacket } from '../src/protocol/packet.js';
import { RawProtocolClient, capitalFlowRequest } from '../src/server/reliability/raw-protocol-client.js';
import { fetchOtp, testCredential } from '../src/server/server-test-kit.js';
import { fmt, machine, numberFlag, parseFlags, percentile, printTable } from './bench-kit.js';

const flags = parseFlags();
const seconds = numberFlag(flags, 'seconds', 5);
const counts = (flags.connections ?? '1,100,1000').split(',').map(Number);
const credential = testCredential({ connections: 5000 });

async function child(mode: string): Promise<{ info: { ws: string; tcp?: number; http?: string }; stop: () => void }> {
  const proc = spawn(process.execPath, [new URL('./serving-server.js', import.meta.url).pathname, mode], { stdio: ['ignore', 'pipe', 'inherit'] });
  const [line] = (await once(createInterface({ input: proc.stdout! }), 'line')) as [string];
  return { info: JSON.parse(line), stop: () => proc.kill('SIGKILL') };
}

async function run(clients: RawProtocolClient[], check: (p: ResponsePacket) => boolean): Promise<{ rps: number; p50: number; p99: number; errors: number }> {
  const latencies: number[] = [];
  let errors = 0;
  const deadline = performance.now() + seconds * 1000;
  const started = performance.now();
  await Promise.all(
    clients.map(async (client) => {
      while (performance.now() < deadline) {
        const t0 = performance.now();
        const packet = (await client.request(24, capitalFlowRequest('700.HK'), 30_000)) as ResponsePacket;
        latencies.push(performance.now() - t0);
        if (!check(packet)) errors++;
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  return { rps: latencies.length / elapsed, p50: percentile(latencies, 50), p99: percentile(latencies, 99), errors };
}

async function connectMany(n: number, make: () => Promise<RawProtocolClient>): Promise<RawProtocolClient[]> {
  const clients: RawProtocolClient[] = [];
  for (let i = 0; i < n; i += 50) clients.push(...(await Promise.all(Array.from({ length: Math.min(50, n - i) }, make))));
  return clients;
}

async function main(): Promise<void> {
  console.log(`# Serving benchmark — ${machine()}; ${seconds} s per cell; closed loop (one request in flight per connection)`);
  const echo = await child('echo');
  const capflow = await child('capflow');
  const rows: Array<Record<string, string>> = [];
  try {
    for (const n of counts) {
      const echoClients = await connectMany(n, () => RawProtocolClient.ws(echo.info.ws));
      const base = await run(echoClients, (p) => p.status === 0);
      echoClients.forEach((c) => c.close());
      for (const transport of ['ws', 'tcp'] as const) {
        const clients = await connectMany(n, async () => {
          const client = transport === 'ws' ? await RawProtocolClient.ws(capflow.info.ws) : await RawProtocolClient.tcp(capflow.info.tcp!);
          await client.auth(await fetchOtp(capflow.info.http!, credential));
          return client;
        });
        const result = await run(clients, (p) => p.status === 0 && p.body.length > 4000);
        clients.forEach((c) => c.close());
        rows.push({
          connections: String(n),
          transport,
          'echo req/s (ws)': fmt(base.rps),
          'capflow req/s': fmt(result.rps),
          'echo ÷ capflow': fmt(base.rps / result.rps, 2),
          'p50 ms': fmt(result.p50, 2),
          'p99 ms': fmt(result.p99, 2),
          'echo p50/p99 ms': `${fmt(base.p50, 2)} / ${fmt(base.p99, 2)}`,
          errors: String(result.errors),
        });
      }
    }
  } finally {
    echo.stop();
    capflow.stop();
  }
  printTable('Command 24 serving (goal: echo ÷ capflow ≤ 1.3)', rows);
  process.exit(0);
}

await main();
