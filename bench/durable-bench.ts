/**
 * The durable path against DuckDB, on one generated file in one run:
 *
 *   npm run bench:durable -- [--trades 2000000] [--symbols 2000] [--duckdb-threads 2] [--dir /tmp/capflow-bench] [--runs 1]
 *
 * - DuckDB: the day's lines straight from the CSV (bench/duckdb-lines.ts);
 * - ingest: the `capflow ingest FILE --data DIR` command (a child process) into a fresh embedded
 *   store (SQLite, WAL, synchronous=FULL, one durable commit per batch, the source checkpoint in
 *   the same transaction; a plain CSV file on two threads: one parses, one stores);
 * - rebuild: every symbol's day rebuilt from that store as a restarted server does
 *   (`readDayColumns` → `DayFlow.addTrade`, the FlowService path);
 * then checks every rebuilt line equals DuckDB's and prints the ratios.
 */
import { mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { calendarFor } from '../src/calendar/trading-calendar.js';
import { DayFlow } from '../src/engine/index.js';
import { parseSymbol } from '../src/model/symbol.js';
import { SqliteFlowStore } from '../src/store/sqlite-flow-store.js';
import { fmt, machine, numberFlag, parseFlags, printTable, runIngestCommand, timed } from './bench-kit.js';
import { duckdbLines } from './duckdb-lines.js';
import { BENCH_DATE, generateDayCsv } from './generate-day.js';

const flags = parseFlags();
const trades = numberFlag(flags, 'trades', 2_000_000);
const symbolCount = numberFlag(flags, 'symbols', 2000);
const duckdbThreads = numberFlag(flags, 'duckdb-threads', 2);
const runs = numberFlag(flags, 'runs', 1);
const dir = flags.dir ?? '/tmp/capflow-bench';

function rate(rows: number, ms: number): number {
  return rows / (ms / 1000);
}

async function main(): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const path = await generateDayCsv(join(dir, `day-${trades}-${symbolCount}.csv`), trades, symbolCount);
  console.log(`# durable path vs DuckDB — ${machine()}, load ${loadavg()[0]!.toFixed(2)}`);
  console.log(`file: ${path} (${fmt(statSync(path).size / 2 ** 20, 0)} MiB, ${fmt(trades)} rows, ${fmt(symbolCount)} symbols)`);
  const rows: Array<Record<string, string>> = [];
  let failed = false;
  for (let run = 1; run <= runs; run++) {
    const duck = await timed(() => duckdbLines(path, BENCH_DATE, duckdbThreads));
    const dataDir = mkdtempSync(join(dir, 'durable-'));
    try {
      const ingest = await timed(() => runIngestCommand(path, dataDir));
      const store = await SqliteFlowStore.open(dataDir);
      const rebuild = await timed(async () => {
        const days = new Map<string, DayFlow>();
        for (const symbol of await store.symbols()) {
          const schedule = calendarFor(parseSymbol(symbol)!.market).schedule(BENCH_DATE);
          if (!schedule) continue;
          const day = new DayFlow(schedule);
          const columns = await store.readDayColumns(symbol, BENCH_DATE);
          day.addRows(columns, 0, columns.count);
          days.set(symbol, day);
        }
        return days;
      });
      await store.close();
      const fileBytes = statSync(join(dataDir, SqliteFlowStore.FILE_NAME)).size;
      let compared = 0;
      let differing = 0;
      for (const [symbol, expected] of duck.value.lines) {
        const day = rebuild.value.get(symbol);
        const actual = day ? day.lines(Number.MAX_SAFE_INTEGER).map((line) => line.inflow) : [];
        compared++;
        if (actual.join() !== expected.join()) differing++;
      }
      if (compared === 0 || differing > 0 || rebuild.value.size !== duck.value.lines.size) failed = true;
      console.log(
        `run ${run}: ${ingest.value.trim()}; ` +
          `store file ${fmt(fileBytes / 2 ** 20, 0)} MiB; lines of ${fmt(compared)} symbols: ${differing === 0 ? 'identical to DuckDB' : `${differing} DIFFER`}`,
      );
      const duckRate = rate(trades, duck.ms);
      const ingestRate = rate(trades, ingest.ms);
      const bothRate = rate(trades, ingest.ms + rebuild.ms);
      rows.push({
        run: String(run),
        load: loadavg()[0]!.toFixed(2),
        'DuckDB lines s': fmt(duck.ms / 1000, 2),
        'DuckDB rows/s': fmt(duckRate),
        'ingest s': fmt(ingest.ms / 1000, 2),
        'ingest rows/s': fmt(ingestRate),
        'ingest ÷ DuckDB': fmt(ingestRate / duckRate, 2),
        'rebuild s': fmt(rebuild.ms / 1000, 2),
        'ingest+rebuild rows/s': fmt(bothRate),
        'ingest+rebuild ÷ DuckDB': fmt(bothRate / duckRate, 2),
      });
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }
  printTable('Durable ingest (SQLite, synchronous=FULL) vs DuckDB lines, same file, same run', rows);
  if (failed) {
    console.error('FAILED: lines rebuilt from the store differ from DuckDB');
    process.exitCode = 1;
  }
}

await main();
