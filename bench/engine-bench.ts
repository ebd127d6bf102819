/**
 * Engine throughput: CSV file → exact lines for a large generated day, against DuckDB computing
 * the same lines in SQL and a bare byte-level parse of the same file, in one run (same machine,
 * same page cache). The lines of every symbol must be identical to DuckDB's, or the run fails.
 *
 *   npm run bench:engine -- [--trades 10000000] [--symbols 2000] [--dir /tmp/capflow-bench]
 *                           [--duckdb-threads 2] [--workers <duckdb-threads>] [--skip-duckdb]
 *
 * The durable (SQLite) ingest path has its own benchmark (bench/durable-bench.ts); `--skip-store`
 * is still accepted and ignored, so older command lines keep working.
 */
import { createReadStream, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { csvFileToLines } from '../src/ingest/fast-csv-lines.js';
import { csvFileToLinesParallel } from '../src/ingest/parallel-csv-lines.js';
import { fmt, machine, numberFlag, parseFlags, printTable, timed } from './bench-kit.js';
import { duckdbLines } from './duckdb-lines.js';
import { BENCH_DATE, generateDayCsv } from './generate-day.js';

const flags = parseFlags();
const trades = numberFlag(flags, 'trades', 10_000_000);
const symbolCount = numberFlag(flags, 'symbols', 2000);
const dir = flags.dir ?? '/tmp/capflow-bench';
const duckThreads = numberFlag(flags, 'duckdb-threads', 2);
const workerThreads = numberFlag(flags, 'workers', duckThreads);
mkdirSync(dir, { recursive: true });

/** The baseline parse: split rows and fields, read timestamp, price (scaled) and volume as numbers. */
async function bareParse(path: string): Promise<number> {
  let rows = 0;
  let checksum = 0;
  let pending: Buffer | undefined;
  let header = true;
  for await (const raw of createReadStream(path, { highWaterMark: 1 << 20 })) {
    const buf: Buffer = pending ? Buffer.concat([pending, raw as Buffer]) : (raw as Buffer);
    let pos = 0;
    for (;;) {
      const lf = buf.indexOf(10, pos);
      if (lf === -1) break;
      if (header) {
        header = false;
        pos = lf + 1;
        continue;
      }
      let field = 0;
      let value = 0;
      for (let i = pos; i < lf; i++) {
        const c = buf[i] as number;
        if (c === 44) {
          if (field >= 1 && field <= 3) checksum += value;
          field++;
          value = 0;
        } else if (c >= 48 && c <= 57) value = value * 10 + (c - 48);
      }
      rows++;
      pos = lf + 1;
    }
    pending = pos < buf.length ? Buffer.from(buf.subarray(pos)) : undefined;
  }
  if (checksum === -1) console.log('unreachable');
  return rows;
}

async function linesOfFastPath(path: string): Promise<{ lines: Map<string, string[]>; accepted: number; generalRows: number }> {
  const { builder, summary } = await csvFileToLines(path);
  const lines = new Map<string, string[]>();
  for (const [key, day] of builder.days) {
    const symbol = key.slice(0, key.indexOf(' '));
    lines.set(symbol, day.lines(Number.MAX_SAFE_INTEGER).map((line) => line.inflow));
  }
  return { lines, accepted: summary.accepted, generalRows: summary.generalRows };
}

async function linesOfParallelPath(path: string, workers: number): Promise<{ lines: Map<string, string[]>; accepted: number }> {
  const { days, summary } = await csvFileToLinesParallel(path, { workers });
  const lines = new Map<string, string[]>();
  for (const [key, day] of days) lines.set(key.slice(0, key.indexOf(' ')), day.map((line) => line.inflow));
  return { lines, accepted: summary.accepted };
}

function compareLines(ours: Map<string, string[]>, theirs: Map<string, string[]>): string | undefined {
  if (ours.size !== theirs.size) return `symbol count differs: ${ours.size} vs ${theirs.size}`;
  for (const [symbol, list] of ours) {
    const other = theirs.get(symbol);
    if (!other) return `${symbol} missing in DuckDB's result`;
    if (other.length !== list.length) return `${symbol}: ${list.length} lines vs ${other.length}`;
    for (let i = 0; i < list.length; i++) if (list[i] !== other[i]) return `${symbol} line ${i}: ${list[i]} vs ${other[i]}`;
  }
  return undefined;
}

async function main(): Promise<void> {
  console.log(`# Engine benchmark — ${machine()}; ${fmt(trades)} trades, ${fmt(symbolCount)} symbols, ${BENCH_DATE}`);
  const path = join(dir, `day-${trades}-${symbolCount}.csv`);
  const gen = await timed(() => generateDayCsv(path, trades, symbolCount));
  console.log(`data: ${path} (${fmt(statSync(path).size / 1e6, 1)} MB; generated or reused in ${fmt(gen.ms / 1000, 1)} s)`);

  const bare = await timed(() => bareParse(path));
  const fast = await timed(() => linesOfFastPath(path));
  const parallel = workerThreads > 1 ? await timed(() => linesOfParallelPath(path, workerThreads)) : undefined;
  const rows: Array<Record<string, string | number>> = [];
  const rate = (n: number, ms: number): number => n / (ms / 1000);
  const bareRate = rate(bare.value, bare.ms);
  const fastRate = rate(bare.value, fast.ms);
  rows.push({ path: 'bare byte-level parse (split + numbers)', seconds: fmt(bare.ms / 1000, 2), 'rows/s': fmt(bareRate), 'vs DuckDB': '', 'vs bare parse': '1.00' });
  let duckRate = Number.NaN;
  if (flags['skip-duckdb'] !== 'true') {
    const duck = await timed(() => duckdbLines(path, BENCH_DATE, duckThreads));
    duckRate = rate(bare.value, duck.ms);
    const problem = compareLines(fast.value.lines, duck.value.lines) ?? (parallel ? compareLines(parallel.value.lines, duck.value.lines) : undefined);
    console.log(problem ? `LINES DIFFER from DuckDB: ${problem}` : `lines identical to DuckDB's: ${fmt(duck.value.rows)} lines of ${fmt(duck.value.lines.size)} symbols`);
    rows.push({ path: `DuckDB SQL (${duckThreads} threads)`, seconds: fmt(duck.ms / 1000, 2), 'rows/s': fmt(duckRate), 'vs DuckDB': '1.00', 'vs bare parse': fmt(duckRate / bareRate, 2) });
    if (problem) process.exitCode = 1;
  }
  rows.push({
    path: 'capflow CSV → lines (in memory, 1 thread)',
    seconds: fmt(fast.ms / 1000, 2),
    'rows/s': fmt(fastRate),
    'vs DuckDB': fmt(fastRate / duckRate, 2),
    'vs bare parse': fmt(fastRate / bareRate, 2),
  });
  if (parallel) {
    const parallelRate = rate(bare.value, parallel.ms);
    rows.push({
      path: `capflow CSV → lines (in memory, ${workerThreads} worker threads)`,
      seconds: fmt(parallel.ms / 1000, 2),
      'rows/s': fmt(parallelRate),
      'vs DuckDB': fmt(parallelRate / duckRate, 2),
      'vs bare parse': fmt(parallelRate / bareRate, 2),
    });
    if (parallel.value.accepted !== fast.value.accepted) throw new Error('the parallel path accepted a different number of trades');
  }
  console.log(`fast path: ${fmt(fast.value.accepted)} trades accepted, ${fmt(fast.value.generalRows)} rows through the general parser`);

  printTable('Engine: CSV → lines (rows/s are input rows per second of wall time)', rows);
}

await main();
