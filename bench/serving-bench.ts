/**
 * Query serving: command-24 requests per second and latency over WebSocket and TCP with 1, 100
 * and 1,000 connections, each connection sending its next request when the previous answer
 * arrives, against a bare `ws` echo server answering with a packet of the same size as capflow's
 * answer (the transport's limit; --echo-bytes overrides it), measured with the same client harness. Server, echo server and clients
 * run in separate processes on loopback; connections are spread over --client-procs client
 * processes so that a single client process is not the bottleneck.
 * Then the official `longport` SDK against capflow's own SDK (src/client): one QuoteContext
 * each, --sdk-inflight capitalFlow calls in flight, same server.
 *
 * Each cell is the best of --repeat runs.
 *
 *   npm run bench:serving -- [--seconds 5] [--connections 1,100,1000] [--client-procs 2] [--sdk-inflight 1,32] [--repeat 2] [--echo-bytes N]
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fmt, machine, numberFlag, parseFlags, percentile, printTable } from './bench-kit.js';

const flags = parseFlags();
const seconds = numberFlag(flags, 'seconds', 5);
const counts = (flags.connections ?? '1,100,1000').split(',').map(Number);
const clientProcs = numberFlag(flags, 'client-procs', 2);
const sdkInflight = (flags['sdk-inflight'] ?? '1,32').split(',').map(Number);
const repeats = numberFlag(flags, 'repeat', 2);

type Info = { ws: string; tcp?: number; http?: string; replyBytes?: number };

async function child(mode: string, ...args: string[]): Promise<{ info: Info; stop: () => void }> {
  const proc = spawn(process.execPath, [new URL('./serving-server.js', import.meta.url).pathname, mode, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  const [line] = (await once(createInterface({ input: proc.stdout! }), 'line')) as [string];
  return { info: JSON.parse(line) as Info, stop: () => proc.kill('SIGKILL') };
}

interface Cell {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
}

/**
 * The best of `repeats` runs (the machine is shared: a run disturbed by another job only lowers
 * its own figure, so the best run is the closest to what the path can do; every path gets the same
 * number of tries, interleaved per table row).
 */
async function cell(kind: string, info: Info, connections: number, inflight = 1): Promise<Cell> {
  let best: Cell | undefined;
  for (let run = 0; run < repeats; run++) {
    const result = await cellOnce(kind, info, connections, inflight);
    if (!best || result.rps > best.rps) best = result;
  }
  return best!;
}

/** Runs `connections` closed loops of `kind` spread over client processes; all start together. */
async function cellOnce(kind: string, info: Info, connections: number, inflight = 1): Promise<Cell> {
  const procs = kind.startsWith('sdk') ? 1 : Math.max(1, Math.min(clientProcs, connections));
  const children = Array.from({ length: procs }, (_, i) => {
    const share = Math.floor(connections / procs) + (i < connections % procs ? 1 : 0);
    const args = JSON.stringify({ kind, info, connections: share, seconds, inflight });
    const proc = spawn(process.execPath, [new URL('./serving-client.js', import.meta.url).pathname, args], { stdio: ['pipe', 'pipe', 'inherit'] });
    const lines = createInterface({ input: proc.stdout! });
    const next = (): Promise<string> => once(lines, 'line').then(([line]) => line as string);
    return { proc, next };
  });
  await Promise.all(children.map((c) => c.next())); // every client connected ("ready")
  const results = children.map((c) => c.next());
  for (const c of children) c.proc.stdin!.write('go\n');
  const parsed = (await Promise.all(results)).map((line) => JSON.parse(line) as { count: number; errors: number; elapsedMs: number; latencies: number[] });
  const elapsed = Math.max(...parsed.map((p) => p.elapsedMs)) / 1000;
  const latencies = parsed.flatMap((p) => p.latencies);
  return {
    rps: parsed.reduce((sum, p) => sum + p.count, 0) / elapsed,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    errors: parsed.reduce((sum, p) => sum + p.errors, 0),
  };
}

async function main(): Promise<void> {
  console.log(`# Serving benchmark — ${machine()}; ${seconds} s per run, best of ${repeats} runs per cell; closed loop (one request in flight per connection); ${clientProcs} client processes`);
  const capflow = await child('capflow');
  // Same reply size both ways: the echo answers with packets as long as capflow's answer.
  const replyBytes = numberFlag(flags, 'echo-bytes', capflow.info.replyBytes!);
  const echo = await child('echo', String(replyBytes));
  console.log(`# command-24 answer packet: ${fmt(capflow.info.replyBytes!)} bytes; echo packets: ${fmt(replyBytes)} bytes`);
  const rows: Array<Record<string, string>> = [];
  const sdkRows: Array<Record<string, string>> = [];
  try {
    for (const n of counts) {
      const base = await cell('echo', echo.info, n);
      for (const transport of ['ws', 'tcp'] as const) {
        const result = await cell(transport, capflow.info, n);
        rows.push({
          connections: fmt(n),
          transport,
          'echo req/s (ws)': fmt(base.rps),
          'capflow req/s': fmt(result.rps),
          'echo ÷ capflow': fmt(base.rps / result.rps, 2),
          'capflow p50 / p99 ms': `${fmt(result.p50, 2)} / ${fmt(result.p99, 2)}`,
          'echo p50 / p99 ms': `${fmt(base.p50, 2)} / ${fmt(base.p99, 2)}`,
          errors: String(result.errors),
        });
      }
    }
    for (const inflight of sdkInflight) {
      const official = await cell('sdk-official', capflow.info, 1, inflight);
      const ours = await cell('sdk-capflow', capflow.info, 1, inflight);
      sdkRows.push({
        'calls in flight': String(inflight),
        'official longport req/s': fmt(official.rps),
        'capflow SDK req/s': fmt(ours.rps),
        'capflow ÷ official': fmt(ours.rps / official.rps, 2),
        'official p50 / p99 ms': `${fmt(official.p50, 2)} / ${fmt(official.p99, 2)}`,
        'capflow p50 / p99 ms': `${fmt(ours.p50, 2)} / ${fmt(ours.p99, 2)}`,
        errors: `${official.errors} / ${ours.errors}`,
      });
    }
  } finally {
    echo.stop();
    capflow.stop();
  }
  printTable('Command 24 serving (goal: echo ÷ capflow ≤ 1.3)', rows);
  printTable('SDKs: capitalFlow("700.HK") against the same capflow server over WebSocket (goal: capflow ÷ official > 1)', sdkRows);
  process.exit(0);
}

await main();
