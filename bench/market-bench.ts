/**
 * The whole market on one machine (issue #16 §1), each figure measured in this one run:
 * - a generated day (`bench/generate-day.ts`: --trades over --symbols in HK, US, SH/SZ and SG, by
 *   default in the `market` shape: per-market shares of the trades, popular and quiet symbols, more
 *   trades near the open and the close; `--shape uniform` for the other benchmarks' day);
 * - durable ingest of it into the embedded store by the `capflow ingest FILE --data DIR` command
 *   itself (a child process);
 * - a server process started over that store (a restart: nothing held but the store) that answers
 *   every symbol's served day: the time from its start to every symbol answered, and its RSS
 *   after collections, minus the RSS of the same server holding the same symbols without trades
 *   (configured, each served day loaded empty), per trade of the day. That first server has no
 *   snapshots to start from (every trade replayed); it then writes every served day's snapshot
 *   and is killed with SIGKILL, and a second server over the same store measures the restart
 *   from them (its lines' hash must equal the first server's).
 *
 *   npm run bench:market -- [--trades 150000000] [--symbols 12000] [--shape market|uniform] [--dir /tmp/capflow-bench]
 * The size is 150 M trades over 12,000 symbols; on a shared machine run it scaled down
 * (say --trades 3000000) and read the per-trade figures.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, get as httpGet } from 'node:http';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { SqliteFlowStore } from '../src/store/sqlite-flow-store.js';
import { CAPFLOW_BIN, fmt, machine, numberFlag, parseFlags, printTable, runIngestCommand } from './bench-kit.js';
import { BENCH_DATE, generateDayCsv, type DayShape } from './generate-day.js';

const flags = parseFlags();
const trades = numberFlag(flags, 'trades', 150_000_000);
const symbolCount = numberFlag(flags, 'symbols', 12_000);
const dir = flags.dir ?? '/tmp/capflow-bench';
const run = promisify(execFile);
const CHILD = fileURLToPath(new URL('./market-child.js', import.meta.url));
// After every market's close on the generated day (US closes last, 16:00 ET).
const CLOCK = `${BENCH_DATE}T23:00:00Z`;

mkdirSync(dir, { recursive: true });
console.log(`${machine()}; ${fmt(trades)} trades over ${fmt(symbolCount)} symbols on ${BENCH_DATE}`);
let begin = performance.now();
const shape = (flags.shape ?? 'market') as DayShape;
const csv = await generateDayCsv(join(dir, `day-${shape}-${trades}-${symbolCount}.csv`), trades, symbolCount, 7, shape);
console.log(`generated (or reused) ${csv} in ${fmt((performance.now() - begin) / 1000, 1)} s`);

const store = join(dir, `market-store-${trades}-${symbolCount}`);
const empty = join(dir, `market-empty-${symbolCount}`);
rmSync(store, { recursive: true, force: true });
rmSync(empty, { recursive: true, force: true });
begin = performance.now();
const printed = await runIngestCommand(csv, store);
const ingestSeconds = (performance.now() - begin) / 1000;
const accepted = Number(/(\d+) accepted/.exec(printed)?.[1] ?? NaN);
if (!(accepted > 0)) throw new Error(`capflow ingest printed no accepted count: ${printed}`);
console.log(`capflow ingest: ${printed.trim()} in ${fmt(ingestSeconds, 1)} s`);
const opened = await SqliteFlowStore.open(store);
const symbols = await opened.symbols();
await opened.close();
await (await SqliteFlowStore.open(empty)).close();
const symbolsFile = join(dir, `market-symbols-${symbolCount}.json`);
writeFileSync(symbolsFile, JSON.stringify(symbols));

interface ChildReport {
  symbols: number;
  lines: number;
  everySymbolMs: number;
  rss: number;
  heap: number;
  external: number;
  snapshots: { written: number; ms: number };
  digest: string;
}
async function child(args: string[]): Promise<ChildReport> {
  const { stdout } = await run(process.execPath, ['--expose-gc', CHILD, ...args], { maxBuffer: 1 << 20 });
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as ChildReport;
}
/** The server that writes the snapshots: it reports, then waits to be killed with SIGKILL (no clean shutdown). */
async function killedChild(args: string[]): Promise<ChildReport> {
  const server = spawn(process.execPath, ['--expose-gc', CHILD, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  let printed = '';
  const report = await new Promise<ChildReport>((done, fail) => {
    server.stdout.on('data', (chunk: Buffer) => {
      printed += chunk.toString();
      const line = printed.split('\n').find((text) => text.startsWith('{'));
      if (line !== undefined) done(JSON.parse(line) as ChildReport);
    });
    server.on('exit', (code) => fail(new Error(`the server exited (${code}) before it reported: ${printed}`)));
  });
  const exited = new Promise((done) => server.once('exit', done));
  server.kill('SIGKILL');
  await exited;
  return report;
}
const baseline = await child([empty, CLOCK, '--empty', symbolsFile]);
const full = await killedChild([store, CLOCK, '--write-snapshots']);
const restored = await child([store, CLOCK]);
if (restored.digest !== full.digest) throw new Error('the restart from snapshots answered other lines than the replay');
/** A GET over a keep-alive agent: a lighter client than fetch, so the run measures the server more than itself. */
const agent = new Agent({ keepAlive: true, maxSockets: 32 });
function get(url: string, headers: Record<string, string>): Promise<{ status: number; text: string }> {
  return new Promise((done, fail) => {
    httpGet(url, { agent, headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => done({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString() }));
      response.on('error', fail);
    }).on('error', fail);
  });
}

/**
 * `capflow serve` itself over the store, as a user restarts it: from its spawn until every symbol
 * has answered `GET /api/v1/capital-flow/intraday` (32 requests in flight; bearer credential, rate
 * limit lifted). Then it is killed with SIGKILL.
 */
async function serveEverySymbol(): Promise<{ ms: number; listeningMs: number; warmMs: number; lines: number }> {
  const config = join(dir, 'market-serve.json');
  const token = 'market-bench-token';
  const unlimited = { limit: 1_000_000, burst: 1_000_000 };
  writeFileSync(
    config,
    JSON.stringify({ credentials: [{ appKey: 'bench', appSecret: 'bench-secret', accessToken: token, bearer: true, markets: ['HK', 'US', 'CN', 'SG'], rateLimits: { '24': unlimited } }] }),
  );
  const started = performance.now();
  const server = spawn(process.execPath, [CAPFLOW_BIN, 'serve', '--data', store, '--config', config, '--port', '0', '--host', '127.0.0.1', '--clock', CLOCK], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, CAPFLOW_LOG_LEVEL: 'warn' },
  });
  const exited = new Promise((done) => server.once('exit', done));
  try {
    const base = await new Promise<string>((done, fail) => {
      let printed = '';
      server.stdout.on('data', (chunk: Buffer) => {
        printed += chunk.toString();
        const found = /serving on (http:\/\/[^\s]+)/.exec(printed);
        if (found) done(found[1]!);
      });
      server.once('exit', (code) => fail(new Error(`capflow serve exited (${code}): ${printed}`)));
    });
    const listeningMs = performance.now() - started;
    let next = 0;
    let lines = 0;
    const worker = async (): Promise<void> => {
      while (next < symbols.length) {
        const symbol = symbols[next++]!;
        const { status, text } = await get(`${base}/api/v1/capital-flow/intraday?symbol=${encodeURIComponent(symbol)}`, { 'X-Api-Key': 'bench', Authorization: `Bearer ${token}` });
        const body = JSON.parse(text) as { code: number; data?: { lines: unknown[] } };
        if (status !== 200 || body.code !== 0) throw new Error(`${symbol}: ${status} ${text.slice(0, 200)}`);
        lines += body.data!.lines.length;
      }
    };
    await Promise.all(Array.from({ length: 32 }, worker));
    const ms = performance.now() - started;
    // Every symbol again, its day now held: what the requests themselves cost.
    const warmStart = performance.now();
    next = 0;
    await Promise.all(Array.from({ length: 32 }, worker));
    return { ms, listeningMs, warmMs: performance.now() - warmStart, lines: lines / 2 };
  } finally {
    agent.destroy();
    server.kill('SIGKILL');
    await exited;
  }
}
const served = await serveEverySymbol();
if (served.lines !== full.lines) throw new Error(`capflow serve answered ${served.lines} lines, the replay ${full.lines}`);
const perTrade = (full.rss - baseline.rss) / accepted;
printTable('market day', [
  {
    trades: fmt(accepted),
    symbols: fmt(full.symbols),
    'durable ingest s': fmt(ingestSeconds, 1),
    'ingest trades/s': fmt(accepted / ingestSeconds),
    'restart → every symbol answered s (replay)': fmt(full.everySymbolMs / 1000, 2),
    'snapshots written (s)': `${fmt(full.snapshots.written)} (${fmt(full.snapshots.ms / 1000, 2)})`,
    'kill -9, restart → every symbol answered s (from snapshots)': fmt(restored.everySymbolMs / 1000, 2),
    '`capflow serve` spawned → every symbol answered over REST s (listening; every symbol again)': `${fmt(served.ms / 1000, 2)} (${fmt(served.listeningMs / 1000, 2)}; ${fmt(served.warmMs / 1000, 2)})`,
    'RSS MB (no trades → with the day)': `${fmt(baseline.rss / 2 ** 20)} → ${fmt(full.rss / 2 ** 20)}`,
    'B per trade (RSS)': fmt(perTrade, 1),
    'B per trade (RSS), restarted from snapshots': fmt((restored.rss - baseline.rss) / accepted, 1),
    'B per trade (heap + off-heap)': fmt((full.heap + full.external - baseline.heap - baseline.external) / accepted, 1),
    'baseline KB per symbol-day': fmt(baseline.rss / baseline.symbols / 1024, 1),
  },
]);
console.log(`\nlines answered: ${fmt(full.lines)} (every symbol's served day); targets: ingest < 3 min, ≤ 32 B per trade, every symbol ≤ 5 s after a restart (at 150 M trades)`);
