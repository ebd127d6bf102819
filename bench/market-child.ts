/**
 * One server process of `bench:market`: opens the flow service over a store, answers command 24's
 * question for every symbol (each symbol's served day loaded), and reports on stdout, as JSON, the
 * time from its start to every symbol answered and its RSS after collections.
 *   node --expose-gc market-child.js DIR CLOCK_ISO [--empty SYMBOLS_FILE | --write-snapshots]
 * With --empty the store holds no trades and the symbols are configured: the baseline server.
 * With --write-snapshots the server then writes every served day's snapshot (what its 30 s timer
 * does), reports, and waits to be killed with SIGKILL: the next run over the store restarts from them.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { parseSymbol } from '../src/model/symbol.js';
import { FlowService } from '../src/service/flow-service.js';
import { MarketClock } from '../src/service/market-clock.js';
import { SqliteFlowStore } from '../src/store/sqlite-flow-store.js';

const [dir, clockText, flag, symbolsFile] = process.argv.slice(2);
const gc = (globalThis as { gc?: () => void }).gc;
if (!dir || !clockText || !gc) throw new Error('usage: node --expose-gc market-child.js DIR CLOCK_ISO [--empty SYMBOLS_FILE | --write-snapshots]');
const started = performance.now();
const store = await SqliteFlowStore.open(dir);
const configured = flag === '--empty' ? (JSON.parse(readFileSync(symbolsFile!, 'utf8')) as string[]) : [];
const flows = await FlowService.open({ store, clock: new MarketClock({ kind: 'fixed', at: Date.parse(clockText) }), securities: configured, storeWaitMs: 600_000 });
const symbols = configured.length > 0 ? configured : await store.symbols();
let lines = 0;
// Every answer's text, hashed: a restart from snapshots must answer exactly what a replay does.
const digest = createHash('sha256');
for (const text of symbols) {
  const symbol = parseSymbol(text)!;
  const day = await flows.dayFlow(symbol, flows.servedSchedule(symbol.market).date);
  lines += day.lines(flows.now(symbol.market)).length;
}
const everySymbolMs = performance.now() - started;
// Hashed after the clock stops: the days are held, so these are the same answers again.
for (const text of symbols) {
  const symbol = parseSymbol(text)!;
  const day = await flows.dayFlow(symbol, flows.servedSchedule(symbol.market).date);
  digest.update(`${text}${JSON.stringify(day.lines(flows.now(symbol.market)))}\n`);
}
for (let i = 0; i < 4; i++) {
  gc();
  await new Promise((resolve) => setTimeout(resolve, 50));
}
const usage = process.memoryUsage();
let snapshots = { written: 0, ms: 0 };
if (flag === '--write-snapshots') {
  const begin = performance.now();
  const written = await flows.writeSnapshots();
  snapshots = { written, ms: performance.now() - begin };
}
process.stdout.write(
  `${JSON.stringify({ symbols: symbols.length, lines, everySymbolMs, rss: usage.rss, heap: usage.heapUsed, external: usage.external /* includes usage.arrayBuffers */, snapshots, digest: digest.digest('hex') })}\n`,
);
if (flag === '--write-snapshots') setInterval(() => {}, 60_000); // until the bench kills it
else await store.close();
