/**
 * Engine throughput: CSV file → exact lines for a large generated day, against DuckDB computing
 * the same lines in SQL and a bare byte-level parse of the same file, in one run (same machine,
 * same page cache). The lines of every symbol must be identical to DuckDB's, or the run fails.
 *
 *   npm run bench:engine -- [--trades 10000000] [--symbols 2000] [--dir /tmp/capflow-bench]
 *                           [--duckdb-threads 2] [--workers <duckdb-threads>] [--rounds 3] [--skip-duckdb]
 *
 * The bare parse and capflow's paths run in `--rounds` interleaved rounds and each reports its
 * median (a slow spell of a shared machine then touches every path alike); DuckDB, at tens of
 * seconds, runs once. With two threads the file goes through the pipelined path (one thread
 * parses rows, the other applies them), with more through symbol partitions.
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
const rounds = Math.max(1, numberFlag(flags, 'rounds', 3));
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

/** A path's result: every symbol's inflows as one text (a line per line), cheap to keep across rounds. */
interface PathLines {
  readonly inflows: Map<string, string>;
  readonly accepted: number;
  readonly generalRows?: number;
}

function joinedBySymbol(days: Iterable<[string, readonly { readonly inflow: string }[]]>): Map<string, string> {
  const joined = new Map<string, string>();
  for (const [key, lines] of days) joined.set(key.slice(0, key.indexOf(' ')), lines.map((line) => line.inflow).join('\n'));
  return joined;
}

async function linesOfFastPath(path: string): Promise<{ lines: Map<string, readonly { readonly inflow: string }[]>; accepted: number; generalRows: number }> {
  const { builder, summary } = await csvFileToLines(path);
  return { lines: builder.completeLines(), accepted: summary.accepted, generalRows: summary.generalRows };
}

async function linesOfParallelPath(path: string, workers: number): Promise<{ lines: Map<string, readonly { readonly inflow: string }[]>; accepted: number }> {
  const { days, summary } = await csvFileToLinesParallel(path, { workers });
  return { lines: days, accepted: summary.accepted };
}

/** The first difference between two results, or undefined when every symbol's lines are identical. */
function compareLines(ours: Map<string, string>, theirs: Map<string, string>, theirName: string): string | undefined {
  if (ours.size !== theirs.size) return `symbol count differs: ${ours.size} vs ${theirs.size}`;
  for (const [symbol, text] of ours) {
    const other = theirs.get(symbol);
    if (other === undefined) return `${symbol} missing in ${theirName}'s result`;
    if (other === text) continue;
    const a = text.split('\n');
    const b = other.split('\n');
    if (a.length !== b.length) return `${symbol}: ${a.length} lines vs ${b.length}`;
    const i = a.findIndex((line, k) => line !== b[k]);
    return `${symbol} line ${i}: ${a[i]} vs ${b[i]}`;
  }
  return undefined;
}

/** A full collection before each timed path (with --expose-gc, as the npm script runs it): no path pays for the garbage of the one before. */
function collectGarbage(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

async function main(): Promise<void> {
  console.log(`# Engine benchmark — ${machine()}; ${fmt(trades)} trades, ${fmt(symbolCount)} symbols, ${BENCH_DATE}; median of ${rounds} interleaved rounds`);
  const path = join(dir, `day-${trades}-${symbolCount}.csv`);
  const gen = await timed(() => generateDayCsv(path, trades, symbolCount));
  console.log(`data: ${path} (${fmt(statSync(path).size / 1e6, 1)} MB; generated or reused in ${fmt(gen.ms / 1000, 1)} s)`);

  // Rounds interleave the paths so that a slow spell of the machine touches all of them alike;
  // each path's figure is its median. Every round's lines must equal the first round's.
  const bareMs: number[] = [];
  const fastMs: number[] = [];
  const parallelMs: number[] = [];
  let rows = 0;
  let fast: PathLines | undefined;
  let parallel: PathLines | undefined;
  for (let round = 0; round < rounds; round++) {
    collectGarbage();
    const bare = await timed(() => bareParse(path));
    bareMs.push(bare.ms);
    rows = bare.value;
    collectGarbage();
    const fastRound = await timed(() => linesOfFastPath(path));
    fastMs.push(fastRound.ms);
    const fastLines: PathLines = { inflows: joinedBySymbol(fastRound.value.lines), accepted: fastRound.value.accepted, generalRows: fastRound.value.generalRows };
    const problem = fast ? compareLines(fastLines.inflows, fast.inflows, 'the first round') : undefined;
    if (problem) throw new Error(`the 1-thread path gave other lines in round ${round + 1}: ${problem}`);
    fast ??= fastLines;
    if (workerThreads > 1) {
      collectGarbage();
      const parallelRound = await timed(() => linesOfParallelPath(path, workerThreads));
      parallelMs.push(parallelRound.ms);
      const inflows = joinedBySymbol(parallelRound.value.lines);
      const differs = compareLines(inflows, fast.inflows, 'the 1-thread path');
      if (differs) throw new Error(`the ${workerThreads}-thread path gave other lines in round ${round + 1}: ${differs}`);
      if (parallelRound.value.accepted !== fast.accepted) throw new Error('the parallel path accepted a different number of trades');
      parallel ??= { inflows, accepted: parallelRound.value.accepted };
    }
  }
  if (fast === undefined) throw new Error('no round ran');
  const table: Array<Record<string, string | number>> = [];
  const rate = (n: number, ms: number): number => n / (ms / 1000);
  const bareRate = rate(rows, median(bareMs));
  const fastRate = rate(rows, median(fastMs));
  const spread = (samples: readonly number[]): string => samples.map((ms) => fmt(ms / 1000, 2)).join(' / ');
  table.push({ path: 'bare byte-level parse (split + numbers)', seconds: fmt(median(bareMs) / 1000, 2), rounds: spread(bareMs), 'rows/s': fmt(bareRate), 'vs DuckDB': '', 'vs bare parse': '1.00' });
  let duckRate = Number.NaN;
  if (flags['skip-duckdb'] !== 'true') {
    collectGarbage();
    const duck = await timed(() => duckdbLines(path, BENCH_DATE, duckThreads));
    duckRate = rate(rows, duck.ms);
    const theirs = new Map([...duck.value.lines].map(([symbol, inflows]) => [symbol, inflows.join('\n')]));
    const problem = compareLines(fast.inflows, theirs, 'DuckDB');
    console.log(problem ? `LINES DIFFER from DuckDB: ${problem}` : `lines identical to DuckDB's: ${fmt(duck.value.rows)} lines of ${fmt(duck.value.lines.size)} symbols`);
    table.push({ path: `DuckDB SQL (${duckThreads} threads, once)`, seconds: fmt(duck.ms / 1000, 2), rounds: '', 'rows/s': fmt(duckRate), 'vs DuckDB': '1.00', 'vs bare parse': fmt(duckRate / bareRate, 2) });
    if (problem) process.exitCode = 1;
  }
  const versusDuckDb = (pathRate: number): string => (Number.isNaN(duckRate) ? '—' : fmt(pathRate / duckRate, 2));
  table.push({
    path: 'capflow CSV → lines (in memory, 1 thread)',
    seconds: fmt(median(fastMs) / 1000, 2),
    rounds: spread(fastMs),
    'rows/s': fmt(fastRate),
    'vs DuckDB': versusDuckDb(fastRate),
    'vs bare parse': fmt(fastRate / bareRate, 2),
  });
  if (parallel) {
    const parallelRate = rate(rows, median(parallelMs));
    table.push({
      path: `capflow CSV → lines (in memory, ${workerThreads} threads${workerThreads === 2 ? ': reader + applier' : ''})`,
      seconds: fmt(median(parallelMs) / 1000, 2),
      rounds: spread(parallelMs),
      'rows/s': fmt(parallelRate),
      'vs DuckDB': versusDuckDb(parallelRate),
      'vs bare parse': fmt(parallelRate / bareRate, 2),
    });
  }
  console.log(`fast path: ${fmt(fast.accepted)} trades accepted, ${fmt(fast.generalRows ?? 0)} rows through the general parser`);

  printTable('Engine: CSV → lines (rows/s are input rows per second of wall time)', table);
}

await main();
