/**
 * Memory: bytes per open connection and per symbol-day, from `process.memoryUsage()` after forced
 * garbage collections (run with --expose-gc; the npm script does).
 * - Connections: a real server in this process; a child process opens N authenticated connections
 *   (each asks command 24 once) and holds them; the server's growth divided by N.
 * - Symbol-days: day states built from the generated day (--trades over --symbols), as the server
 *   keeps them (with the replay log, lines formatted once), and as the batch CSV reader keeps them
 *   (no log); plus empty days (a known symbol that has not traded).
 *
 *   npm run bench:memory -- [--connections 1000] [--trades 1000000] [--symbols 2000]
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { calendarFor } from '../src/calendar/trading-calendar.js';
import { DayFlow } from '../src/engine/index.js';
import { csvFileToLines } from '../src/ingest/fast-csv-lines.js';
import { startTestServer, testCredential, trade } from '../src/server/server-test-kit.js';
import { SOCKET_TOKEN_RATE_KEY } from '../src/server/auth/credential.js';
import { LOAD_GENERATOR_CAPS, fmt, machine, numberFlag, parseFlags, printTable } from './bench-kit.js';
import { BENCH_DATE, generateDayCsv } from './generate-day.js';

const flags = parseFlags();
const connections = numberFlag(flags, 'connections', 1000);
const trades = numberFlag(flags, 'trades', 1_000_000);
const symbolCount = numberFlag(flags, 'symbols', 2000);
const dir = flags.dir ?? '/tmp/capflow-bench';
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc (npm run bench:memory does)');

interface Footprint {
  heap: number;
  offHeap: number;
  rss: number;
}

async function settle(): Promise<Footprint> {
  for (let i = 0; i < 4; i++) {
    gc!();
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const usage = process.memoryUsage();
  return { heap: usage.heapUsed, offHeap: usage.external + usage.arrayBuffers, rss: usage.rss };
}

function per(after: Footprint, before: Footprint, n: number): Record<string, string> {
  const heap = (after.heap - before.heap) / n;
  const offHeap = (after.offHeap - before.offHeap) / n;
  return { 'heap B': fmt(heap), 'off-heap B': fmt(offHeap), 'heap + off-heap B': fmt(heap + offHeap), 'RSS B': fmt((after.rss - before.rss) / n) };
}

async function connectionCost(kind: 'ws' | 'tcp'): Promise<Record<string, string>> {
  const open = Date.parse('2024-06-14T09:30:00+08:00');
  const dayTrades = Array.from({ length: 331 }, (_, m) => trade('700.HK', new Date(open + m * 60_000 + 5000).toISOString(), '320.2', 100, m % 2 ? 'up' : 'down'));
  // Its 1,000 clients fetch tokens and authenticate at once: not what is measured, so not limited.
  const unlimited = { limit: 1_000_000, burst: 1_000_000 };
  const credential = testCredential({ connections: 100_000, rateLimits: { [SOCKET_TOKEN_RATE_KEY]: unlimited, 2: unlimited, 24: unlimited } });
  const server = await startTestServer({
    credentials: [credential],
    trades: dayTrades,
    clock: { kind: 'fixed', at: Date.parse('2024-06-14T16:30:00+08:00') },
    server: { unauthenticatedConnections: LOAD_GENERATOR_CAPS },
  });
  try {
    const info = JSON.stringify({ ws: server.wsUrl, tcp: server.server.tcpPort, http: server.httpUrl });
    // Warm up: one connection's worth of code paths and the command-24 cache.
    const warm = spawn(process.execPath, [new URL('./memory-clients.js', import.meta.url).pathname, info, '1', kind], { stdio: ['ignore', 'pipe', 'inherit'] });
    await once(createInterface({ input: warm.stdout! }), 'line');
    warm.kill('SIGKILL');
    await once(warm, 'exit');
    await new Promise((resolve) => setTimeout(resolve, 300));
    const before = await settle();
    const child = spawn(process.execPath, [new URL('./memory-clients.js', import.meta.url).pathname, info, String(connections), kind], { stdio: ['ignore', 'pipe', 'inherit'] });
    await once(createInterface({ input: child.stdout! }), 'line');
    const after = await settle();
    child.kill('SIGKILL');
    await once(child, 'exit');
    return { what: `open ${kind === 'ws' ? 'WebSocket' : 'TCP'} connection (authenticated, one command 24 asked), ${fmt(connections)} open`, ...per(after, before, connections) };
  } finally {
    await server.stop();
  }
}

/** Builds every symbol-day of the file and measures while they are alive; they are garbage on return. */
async function buildDays(path: string, replayable: boolean): Promise<{ after: Footprint; days: number }> {
  const { builder } = await csvFileToLines(path, { replayable });
  for (const day of builder.days.values()) day.lines(Number.MAX_SAFE_INTEGER);
  const after = await settle();
  return { after, days: builder.days.size };
}

async function dayCosts(): Promise<Array<Record<string, string>>> {
  const path = await generateDayCsv(join(dir, `day-${trades}-${symbolCount}.csv`), trades, symbolCount);
  const rows: Array<Record<string, string>> = [];
  const empty0 = await settle();
  const empties: DayFlow[] = [];
  for (let i = 0; i < symbolCount; i++) {
    const market = (['HK', 'US', 'CN', 'SG'] as const)[i % 4] ?? 'HK';
    const day = new DayFlow(calendarFor(market).schedule(BENCH_DATE)!);
    day.lines(Number.MAX_SAFE_INTEGER);
    empties.push(day);
  }
  const emptyAfter = await settle();
  const emptyPerDay = (emptyAfter.heap - empty0.heap + emptyAfter.offHeap - empty0.offHeap) / symbolCount;
  rows.push({ what: 'symbol-day without trades (lines formatted)', ...per(emptyAfter, empty0, symbolCount) });
  empties.length = 0;

  for (const replayable of [true, false]) {
    const before = await settle();
    const { after, days } = await buildDays(path, replayable);
    // Beyond the fixed cost of a day (the row above), per trade of the day.
    const perTrade = ((after.heap - before.heap + after.offHeap - before.offHeap) / days - emptyPerDay) / (trades / days);
    rows.push({
      what: `symbol-day of ${fmt(trades / days)} trades, ${replayable ? 'as the server keeps it (replay log)' : 'batch reader (no replay log)'}; ≈ ${fmt(perTrade, 1)} B per trade beyond an empty day`,
      ...per(after, before, days),
    });
  }
  return rows;
}

async function main(): Promise<void> {
  console.log(`# Memory benchmark — ${machine()}; ${fmt(connections)} connections; ${fmt(trades)} trades over ${fmt(symbolCount)} symbols`);
  const rows: Array<Record<string, string>> = [];
  rows.push(await connectionCost('ws'));
  rows.push(await connectionCost('tcp'));
  rows.push(...(await dayCosts()));
  printTable('Memory (bytes, after forced GC)', rows);
  process.exit(0);
}

await main();
