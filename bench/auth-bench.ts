/**
 * CPU per socket auth while many sessions are held. A real server in this process whose session
 * registry is pre-filled with N live sessions of other clients; each auth is a signed
 * `GET /v1/socket/token`, a WebSocket, auth (command 2) and a close. Reports the process's CPU
 * time (user + system) per auth and the wall time. The clients run in this process too: their
 * share is the same whatever N, so a difference between the rows is the server's.
 *
 *   npm run bench:auth -- [--sessions 0,40000] [--auths 3000] [--rounds 3]
 */
import { performance } from 'node:perf_hooks';
import { SOCKET_TOKEN_RATE_KEY } from '../src/server/auth/credential.js';
import { RawProtocolClient } from '../src/server/reliability/raw-protocol-client.js';
import { fetchOtp, startTestServer, testCredential } from '../src/server/server-test-kit.js';
import { InMemorySessionRegistry } from '../src/server/socket/session/session-registry.js';
import { fmt, machine, numberFlag, parseFlags, printTable } from './bench-kit.js';

const flags = parseFlags();
const sessionCounts = (flags.sessions ?? '0,40000').split(',').map(Number);
const auths = numberFlag(flags, 'auths', 3000);
const rounds = numberFlag(flags, 'rounds', 3);
const OPEN = { limit: 1_000_000, burst: 1_000_000 };
const credential = testCredential({ connections: 100_000, rateLimits: { 2: OPEN, [SOCKET_TOKEN_RATE_KEY]: OPEN } });

async function measure(held: number): Promise<{ cpuUs: number; wallMs: number }> {
  const sessions = new InMemorySessionRegistry(24 * 3_600_000);
  for (let i = 0; i < held; i++) sessions.create(`other-${i % 100}`, 'held');
  const t = await startTestServer({ credentials: [credential], server: { sessions } });
  try {
    const one = async (): Promise<void> => {
      const client = await RawProtocolClient.ws(t.wsUrl);
      await client.auth(await fetchOtp(t.httpUrl, credential));
      client.close();
    };
    for (let i = 0; i < 200; i++) await one(); // warm-up
    const cpu = process.cpuUsage();
    const started = performance.now();
    for (let i = 0; i < auths; i++) await one();
    const used = process.cpuUsage(cpu);
    return { cpuUs: (used.user + used.system) / auths, wallMs: (performance.now() - started) / auths };
  } finally {
    await t.stop();
  }
}

const rows: Record<string, string>[] = [];
for (const held of sessionCounts) {
  const samples: { cpuUs: number; wallMs: number }[] = [];
  for (let round = 0; round < rounds; round++) samples.push(await measure(held));
  samples.sort((a, b) => a.cpuUs - b.cpuUs);
  const median = samples[Math.floor(samples.length / 2)]!;
  rows.push({ 'sessions held': fmt(held), auths: fmt(auths), 'CPU µs / auth (median)': median.cpuUs.toFixed(0), 'wall ms / auth': median.wallMs.toFixed(2), rounds: String(rounds) });
}
console.log(machine());
printTable(`CPU per socket auth (${auths} auths, median of ${rounds} rounds)`, rows);
