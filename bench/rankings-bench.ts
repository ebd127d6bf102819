/**
 * Rankings speed: `GET /api/v1/capital-flow/rankings` over one market of N symbols (default
 * 12,000, all CN: the largest ranking one request can ask for) while trades arrive, measured
 * through a real server in this process (its event loop also applies the arriving trades).
 * - history: `--past-trades` per symbol on each of the 4 trading days before 2024-06-14, and
 *   `--day-trades` per symbol on the 14th (the served day; the clock is fixed at 14:00 CST);
 * - cold: the first request of each kind (the ranking is built from the store once);
 * - live: a writer thread stores `--rate` trades/s in batches every 50 ms, spread over random
 *   symbols (as `capflow ingest` or `capflow connect` would, another writer of the same store);
 *   the server reads them as it follows the store (every `--poll-ms`) and applies them, while
 *   each kind of ranking is asked every `--every` ms for `--seconds`;
 * - exact: at the end every kind is compared with a ranking built afresh from the store.
 *
 *   npm run bench:rankings -- [--symbols 12000] [--rate 50000] [--seconds 20] [--every 100]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { startCapflowServer } from '../src/server/capflow-server.js';
import { FlowService } from '../src/service/flow-service.js';
import { MarketClock } from '../src/service/market-clock.js';
import { SqliteFlowStore } from '../src/store/sqlite-flow-store.js';
import type { Trade } from '../src/model/trade.js';
import { parseSymbol } from '../src/model/symbol.js';
import { RankingsService } from '../src/service/rankings/rankings-service.js';
import { TierFlows } from '../src/service/tier-flows.js';
import { localDate } from '../src/calendar/time-zone.js';
import { signedHeaders, storeTrades, testCredential, trade } from '../src/server/server-test-kit.js';
import { fmt, machine, numberFlag, parseFlags, percentile, printTable } from './bench-kit.js';
import { prng } from './generate-day.js';

const flags = parseFlags();
const symbolCount = numberFlag(flags, 'symbols', 12_000);
const pastTrades = numberFlag(flags, 'past-trades', 5);
const dayTrades = numberFlag(flags, 'day-trades', 20);
const rate = numberFlag(flags, 'rate', 50_000);
const seconds = numberFlag(flags, 'seconds', 20);
const every = numberFlag(flags, 'every', 100);
const pollMs = numberFlag(flags, 'poll-ms', 50);
const DAYS = ['2024-06-07', '2024-06-11', '2024-06-12', '2024-06-13', '2024-06-14']; // 06-10: Dragon Boat Festival
const NOW = Date.parse('2024-06-14T14:00:00+08:00');
const random = prng(11);

const symbols = Array.from({ length: symbolCount }, (_, i) => (i % 2 === 0 ? `${600000 + (i >> 1)}.SH` : `${String(1 + (i >> 1)).padStart(6, '0')}.SZ`));

/** A trade of a symbol at a random second of the morning session (or 13:00–14:00 on the served day). */
function randomTrade(symbol: string, date: string, id: string, afternoon = false): Trade {
  const minute = afternoon ? 780 + Math.floor(random() * 60) : 570 + Math.floor(random() * 120);
  const time = `${String(Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}:${String(Math.floor(random() * 60)).padStart(2, '0')}`;
  const price = (5 + Math.floor(random() * 20_000) / 100).toFixed(2);
  return trade(symbol, `${date}T${time}+08:00`, price, 100 * (1 + Math.floor(random() * 50)), random() < 0.5 ? 'up' : 'down', { tradeId: id });
}

if (!isMainThread) {
  // The writer thread: batches every 50 ms into the same store, until told to stop.
  const { dir, rate: perSecond } = workerData as { dir: string; rate: number };
  const store = await SqliteFlowStore.open(dir);
  const batchSize = Math.max(1, Math.round(perSecond / 20));
  let serial = 0;
  let writing = true;
  let written = 0;
  parentPort!.on('message', () => (writing = false));
  let next = performance.now();
  while (writing) {
    const batch: Trade[] = [];
    for (let i = 0; i < batchSize; i++) batch.push(randomTrade(symbols[Math.floor(random() * symbolCount)]!, DAYS[4]!, `live-${serial++}`, true));
    written += (await store.appendTrades(batch.map((one) => ({ trade: one, date: localDate(parseSymbol(one.symbol)!.market, one.timestamp) })))).stored.length;
    next += 50;
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, next - performance.now())));
  }
  await store.close();
  parentPort!.postMessage(written);
  process.exit(0);
}

const history: Trade[] = [];
for (const symbol of symbols) {
  for (const date of DAYS) {
    const count = date === DAYS[4] ? dayTrades : pastTrades;
    for (let k = 0; k < count; k++) history.push(randomTrade(symbol, date, `${date}-${k}`));
  }
}
console.log(`${machine()}; ${fmt(symbolCount)} CN symbols, ${fmt(history.length)} trades stored before the start`);
const user = testCredential({ rateLimits: { 24: { limit: 1_000_000, burst: 1_000_000 } } });
const started = performance.now();
const dir = mkdtempSync(join(tmpdir(), 'capflow-rankings-bench-'));
const store = await SqliteFlowStore.open(dir);
await storeTrades(store, history);
const clock = new MarketClock({ kind: 'fixed', at: NOW });
const flows = await FlowService.open({ store, clock, pollIntervalMs: pollMs });
const server = await startCapflowServer({ store, flows, clock, credentials: [user], port: 0, tcpPort: null });
const t = { httpUrl: `http://127.0.0.1:${server.httpPort}`, store, flows };
console.log(`store filled and server started in ${fmt((performance.now() - started) / 1000, 1)} s`);

const KINDS = [
  { name: 'net, today', query: 'market=CN&limit=50' },
  { name: 'net, 5 days', query: 'market=CN&days=5&limit=50' },
  { name: 'main force (longport), 5 days', query: 'market=CN&days=5&by=main_force&limit=50' },
  { name: 'net, today, asc, page 100', query: 'market=CN&order=asc&offset=5000&limit=100' },
];
const PATH = '/api/v1/capital-flow/rankings';

async function ask(query: string): Promise<{ ms: number; data: { total: number; items: Array<{ symbol: string; value: string }> } }> {
  const begin = performance.now();
  // A fresh connection per request: a kept-alive one may have been closed by the server meanwhile.
  const response = await fetch(`${t.httpUrl}${PATH}?${query}`, { headers: { ...signedHeaders(user, 'GET', PATH, query), connection: 'close' } });
  const body = (await response.json()) as { code: number; message?: string; data: { total: number; items: Array<{ symbol: string; value: string }> } };
  if (body.code !== 0) throw new Error(`${query}: ${body.message}`);
  return { ms: performance.now() - begin, data: body.data };
}

const cold: Array<Record<string, string>> = [];
for (const kind of KINDS) {
  const first = await ask(kind.query);
  const again = await ask(kind.query);
  cold.push({ ranking: kind.name, 'first request (builds) ms': fmt(first.ms), 'next request ms': fmt(again.ms, 1), ranked: fmt(first.data.total) });
}
printTable('cold: the first request of each kind builds its ranking', cold);

// The ranking's own cost, without HTTP or waiting for the event loop: a second service over the
// same flows, called directly (it brings its board up to date, then takes the page).
const direct = new RankingsService({ flows, store, tierFlows: new TierFlows(flows, store) });
const directRequest = { market: 'CN' as const, days: 5, measure: { by: 'net' as const, convention: { name: 'longport' as const, days: 20 } }, order: 'desc' as const, offset: 0, limit: 50 };
await direct.rankings(directRequest);

// Trades arrive from another writer of the store (a thread here), the server following the store.
flows.start();
const writerThread = new Worker(new URL(import.meta.url), { workerData: { dir, rate } });
const written = new Promise<number>((resolve) => writerThread.once('message', resolve));
const loopDelay = monitorEventLoopDelay({ resolution: 10 });
loopDelay.enable();
const DIRECT = 'net, 5 days: the service called in process (no HTTP)';
const samples = new Map<string, number[]>([...KINDS.map((kind) => [kind.name, []] as [string, number[]]), [DIRECT, []]]);
const liveStart = performance.now();
while (performance.now() - liveStart < seconds * 1000) {
  for (const kind of KINDS) samples.get(kind.name)!.push((await ask(kind.query)).ms);
  const begin = performance.now();
  await direct.rankings(directRequest);
  samples.get(DIRECT)!.push(performance.now() - begin);
  await new Promise((resolve) => setTimeout(resolve, every));
}
writerThread.postMessage('stop');
loopDelay.disable();
const arrived = await written;
const liveSeconds = (performance.now() - liveStart) / 1000;
console.log(`\nserver event loop during the live phase: delay p50 ${fmt(loopDelay.percentile(50) / 1e6, 1)} ms, p99 ${fmt(loopDelay.percentile(99) / 1e6, 1)} ms, max ${fmt(loopDelay.max / 1e6, 1)} ms; load average ${(await import('node:os')).loadavg().map((v) => v.toFixed(1)).join(' ')}`);
printTable(`live: ${fmt(arrived / liveSeconds)} trades/s arriving (target ${fmt(rate)}), ${fmt(arrived)} trades over ${fmt(liveSeconds, 1)} s`, [
  ...[...KINDS.map((kind) => kind.name), DIRECT].map((name) => {
    const list = samples.get(name)!;
    return {
      ranking: name,
      requests: fmt(list.length),
      'p50 ms': fmt(percentile(list, 50), 1),
      'p95 ms': fmt(percentile(list, 95), 1),
      'p99 ms': fmt(percentile(list, 99), 1),
      'max ms': fmt(Math.max(...list), 1),
      '≤ 50 ms': list.every((ms) => ms <= 50) ? 'yes' : `${fmt((100 * list.filter((ms) => ms <= 50).length) / list.length, 1)} %`,
    };
  }),
]);

// Exact: the kept-current rankings equal rankings built afresh from the store.
await t.flows.poll();
const fresh = new RankingsService({ flows: t.flows, store: t.store, tierFlows: new TierFlows(t.flows, t.store) });
let mismatches = 0;
for (const kind of KINDS) {
  const served = (await ask(kind.query.replace(/limit=\d+/, 'limit=500'))).data;
  const params = new URLSearchParams(kind.query.replace(/limit=\d+/, 'limit=500'));
  const rebuilt = await fresh.rankings({
    market: 'CN',
    days: Number(params.get('days') ?? '1'),
    measure: { by: (params.get('by') ?? 'net') as 'net', convention: { name: 'longport', days: 20 } },
    order: (params.get('order') ?? 'desc') as 'desc',
    offset: Number(params.get('offset') ?? '0'),
    limit: 500,
  });
  const a = served.items.map((item) => `${item.symbol} ${item.value}`).join('\n');
  const b = rebuilt.items.map((item) => `${item.symbol} ${item.value}`).join('\n');
  if (a !== b || served.total !== rebuilt.total) mismatches++;
}
fresh.close();
direct.close();
console.log(`\nexact: ${mismatches === 0 ? 'every kind equals a ranking built afresh from the store' : `${mismatches} kinds differ from a fresh build`}`);
flows.stop();
await server.stop();
await store.close();
rmSync(dir, { recursive: true, force: true });
if (mismatches > 0) process.exit(1);
