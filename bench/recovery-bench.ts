/**
 * Recovery: how long a restarted server takes with N trades of one day in its store — the process
 * start to listening (store + flow service + server), to the first command-24 answer, and to an
 * answer for every stored symbol (each symbol's day is read from the store on first request).
 * Stores are filled once per size with `ingestFile` from the generated day (cached in --dir).
 * Each symbol's day is loaded the way FlowService does on a restart: the store's columns
 * (`readDayColumns`) straight into `DayFlow.addTrade`, no object or BigInt per trade.
 * A size beyond what fits in the run (--extrapolate) is estimated from the largest measured one
 * (listening is independent of the trade count; day loading is linear in it) and labelled so.
 *
 *   npm run bench:recovery -- [--trades 250000,1000000] [--symbols 2000] [--runs 2] [--extrapolate 50000000]
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { performance } from 'node:perf_hooks';
import { ingestFile } from '../src/ingest/ingest-file.js';
import { SqliteFlowStore } from '../src/store/sqlite-flow-store.js';
import { SQLITE_SCHEMA_VERSION } from '../src/store/sqlite-schema.js';
import { fmt, headFile, machine, numberFlag, parseFlags, printTable, timed } from './bench-kit.js';
import { generateDayCsv } from './generate-day.js';

const flags = parseFlags();
const sizes = (flags.trades ?? '250000,1000000').split(',').map((n) => Number(n.replace(/_/g, '')));
const symbolCount = numberFlag(flags, 'symbols', 2000);
const runs = numberFlag(flags, 'runs', 2);
const target = numberFlag(flags, 'extrapolate', 50_000_000);
const dir = flags.dir ?? '/tmp/capflow-bench';
mkdirSync(dir, { recursive: true });

async function storeOf(trades: number): Promise<string> {
  // The schema version is in the name: a store cached by an older layout is never reused.
  const dataDir = join(dir, `store-v${SQLITE_SCHEMA_VERSION}-${trades}-${symbolCount}`);
  if (existsSync(join(dataDir, 'complete'))) return dataDir;
  rmSync(dataDir, { recursive: true, force: true });
  mkdirSync(dataDir, { recursive: true });
  const csv =
    trades >= 1_000_000
      ? await generateDayCsv(join(dir, `day-${trades}-${symbolCount}.csv`), trades, symbolCount)
      : join(dir, `head-${trades}-of-1000000-${symbolCount}.csv`);
  if (!existsSync(csv)) await headFile(await generateDayCsv(join(dir, `day-1000000-${symbolCount}.csv`), 1_000_000, symbolCount), csv, trades);
  const store = await SqliteFlowStore.open(dataDir);
  const filled = await timed(() => ingestFile(store, csv));
  await store.close();
  writeFileSync(join(dataDir, 'complete'), '');
  console.log(`filled a store with ${fmt(trades)} trades in ${fmt(filled.ms / 1000, 1)} s (${fmt(trades / (filled.ms / 1000))} trades/s, durable ingestFile)`);
  return dataDir;
}

interface Restart {
  listening: number;
  firstAnswer: number;
  allAnswered: number;
  symbols: number;
}

function restart(dataDir: string): Promise<Restart> {
  return new Promise((resolve, reject) => {
    const spawnedAt = performance.now();
    const child = spawn(process.execPath, [new URL('./recovery-child.js', import.meta.url).pathname, dataDir], { stdio: ['ignore', 'pipe', 'inherit'] });
    const seen: Partial<Restart> = {};
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const event = JSON.parse(line) as { event: string; symbols?: number };
      const ms = performance.now() - spawnedAt;
      if (event.event === 'listening') seen.listening = ms;
      if (event.event === 'first-answer') seen.firstAnswer = ms;
      if (event.event === 'all-answered') {
        seen.allAnswered = ms;
        seen.symbols = event.symbols ?? 0;
      }
    });
    child.on('exit', (code) => (code === 0 && seen.allAnswered !== undefined ? resolve(seen as Restart) : reject(new Error(`recovery child exited with ${code}`))));
  });
}

async function main(): Promise<void> {
  console.log(`# Recovery benchmark — ${machine()}; ${symbolCount} symbols; best of ${runs} restarts per size`);
  const rows: Array<Record<string, string>> = [];
  const measured: Array<{ trades: number; best: Restart }> = [];
  for (const trades of sizes) {
    const dataDir = await storeOf(trades);
    let best: Restart | undefined;
    for (let run = 0; run < runs; run++) {
      const result = await restart(dataDir);
      if (!best || result.allAnswered < best.allAnswered) best = result;
    }
    measured.push({ trades, best: best! });
    rows.push({
      trades: fmt(trades),
      kind: 'measured',
      'listening s': fmt(best!.listening / 1000, 2),
      'first command 24 s': fmt(best!.firstAnswer / 1000, 2),
      'every symbol answered s': fmt(best!.allAnswered / 1000, 2),
      'trades/s loaded': fmt(trades / ((best!.allAnswered - best!.firstAnswer) / 1000)),
    });
  }
  const largest = measured.at(-1);
  if (largest && target > largest.trades) {
    // Listening does not depend on the trade count (the store's per-symbol summaries and its last
    // sequence number are read, never the trades); loading a day is linear in its trades.
    const { trades: n, best } = largest;
    const loadRate = n / ((best.allAnswered - best.listening) / 1000);
    const listening = Math.max(...measured.map((m) => m.best.listening));
    rows.push({
      trades: fmt(target),
      kind: `EXTRAPOLATED from ${fmt(n)} (listening as measured; loading at ${fmt(loadRate)} trades/s)`,
      'listening s': fmt(listening / 1000, 2),
      'first command 24 s': fmt(listening / 1000 + target / symbolCount / loadRate, 2),
      'every symbol answered s': fmt(listening / 1000 + target / loadRate, 1),
      'trades/s loaded': '',
    });
  }
  printTable('Restart with one day in the store (seconds from process spawn)', rows);
}

await main();
