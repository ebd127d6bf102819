/**
 * `capflow compute` throughput: a large generated day's CSV file → every symbol's exact lines, as
 * the command runs it (a child process: `capflow compute FILE --out LINES.csv`, start-up and the
 * CSV it writes included), against DuckDB computing the same lines in SQL and a bare byte-level
 * parse of the same file, in one run (same machine, same page cache). The lines the command wrote
 * must be identical to DuckDB's for every symbol, or the run fails.
 *
 *   npm run bench:engine -- [--trades 10000000] [--symbols 2000] [--dir /tmp/capflow-bench]
 *                           [--duckdb-threads 2] [--rounds 3] [--skip-duckdb]
 *
 * The bare parse and the command run in `--rounds` interleaved rounds and each reports its median
 * (a slow spell of a shared machine then touches both alike); DuckDB, at tens of seconds, runs
 * once. Beside the command, the same computation in this process without writing lines
 * (`FileLines`, the command's engine: two threads, one parsing rows, one applying them) shows
 * what start-up and output cost.
 *
 * The durable path (`capflow ingest`, then serving every symbol) has its own benchmark
 * (bench/durable-bench.ts).
 */
import { spawn } from 'node:child_process';
import { createReadStream, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FileLines } from '../src/ingest/file-lines.js';
import { fmt, machine, numberFlag, parseFlags, printTable, timed } from './bench-kit.js';
import { duckdbLines } from './duckdb-lines.js';
import { BENCH_DATE, generateDayCsv } from './generate-day.js';
import { loadavg } from 'node:os';

const flags = parseFlags();
const trades = numberFlag(flags, 'trades', 10_000_000);
const symbolCount = numberFlag(flags, 'symbols', 2000);
const dir = flags.dir ?? '/tmp/capflow-bench';
const duckThreads = numberFlag(flags, 'duckdb-threads', 2);
/** bin/capflow.js of this checkout (the benchmark runs from dist-bench/bench/). */
const CAPFLOW_BIN = resolve(fileURLToPath(import.meta.url), '../../../bin/capflow.js');
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

/** Every symbol's inflows as one text (a line per line), cheap to keep across rounds. */
type Inflows = Map<string, string>;

/** `capflow compute FILE --out LINES.csv` as a user runs it; resolves with what it printed. */
function runCompute(path: string, out: string): Promise<string> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [CAPFLOW_BIN, 'compute', path, '--out', out], { stdio: ['ignore', 'pipe', 'pipe'] });
    let printed = '';
    child.stdout.on('data', (chunk: Buffer) => (printed += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (printed += chunk.toString()));
    child.on('close', (code) => (code === 0 ? done(printed) : fail(new Error(`capflow compute exited with ${code}: ${printed}`))));
  });
}

/** The inflows of the command's CSV (`symbol,date,timestamp,inflow`) by symbol, for BENCH_DATE. */
function inflowsOfCsv(file: string): Inflows {
  const bySymbol = new Map<string, string[]>();
  const rows = readFileSync(file, 'utf8').split('\n');
  for (let i = 1; i < rows.length; i++) {
    const row = rows[i] as string;
    if (row === '') continue;
    const [symbol = '', date, , inflow = ''] = row.split(',');
    if (date !== BENCH_DATE) continue;
    let inflows = bySymbol.get(symbol);
    if (inflows === undefined) bySymbol.set(symbol, (inflows = []));
    inflows.push(inflow);
  }
  return new Map([...bySymbol].map(([symbol, inflows]) => [symbol, inflows.join('\n')]));
}

/** The command's engine in this process, lines made but not written. */
async function computeInProcess(path: string): Promise<Inflows> {
  const lines = new FileLines();
  await lines.addFile(path);
  return new Map(lines.days().filter((day) => day.date === BENCH_DATE).map((day) => [day.symbol, day.lines.map((line) => line.inflow).join('\n')]));
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
  console.log(`# capflow compute benchmark — ${machine()}, load ${loadavg()[0]!.toFixed(2)}; ${fmt(trades)} trades, ${fmt(symbolCount)} symbols, ${BENCH_DATE}; median of ${rounds} interleaved rounds`);
  const path = join(dir, `day-${trades}-${symbolCount}.csv`);
  const out = join(dir, `lines-${trades}-${symbolCount}.csv`);
  const gen = await timed(() => generateDayCsv(path, trades, symbolCount));
  console.log(`data: ${path} (${fmt(statSync(path).size / 1e6, 1)} MB; generated or reused in ${fmt(gen.ms / 1000, 1)} s)`);

  // Rounds interleave the paths so that a slow spell of the machine touches all of them alike;
  // each path's figure is its median. Every round's lines must equal the first round's.
  const bareMs: number[] = [];
  const commandMs: number[] = [];
  const inProcessMs: number[] = [];
  let rows = 0;
  let computed: Inflows | undefined;
  let printed = '';
  for (let round = 0; round < rounds; round++) {
    collectGarbage();
    const bare = await timed(() => bareParse(path));
    bareMs.push(bare.ms);
    rows = bare.value;
    rmSync(out, { force: true });
    const command = await timed(() => runCompute(path, out));
    commandMs.push(command.ms);
    printed = command.value;
    const inflows = inflowsOfCsv(out);
    const problem = computed ? compareLines(inflows, computed, 'the first round') : undefined;
    if (problem) throw new Error(`capflow compute wrote other lines in round ${round + 1}: ${problem}`);
    computed ??= inflows;
    collectGarbage();
    const inProcess = await timed(() => computeInProcess(path));
    inProcessMs.push(inProcess.ms);
    const differs = compareLines(inProcess.value, computed, 'the command');
    if (differs) throw new Error(`FileLines in this process gave other lines than the command in round ${round + 1}: ${differs}`);
  }
  if (computed === undefined) throw new Error('no round ran');
  console.log(`capflow compute printed: ${printed.trim()}`);
  const table: Array<Record<string, string | number>> = [];
  const rate = (n: number, ms: number): number => n / (ms / 1000);
  const bareRate = rate(rows, median(bareMs));
  const spread = (samples: readonly number[]): string => samples.map((ms) => fmt(ms / 1000, 2)).join(' / ');
  table.push({ path: 'bare byte-level parse (split + numbers)', seconds: fmt(median(bareMs) / 1000, 2), rounds: spread(bareMs), 'rows/s': fmt(bareRate), 'vs DuckDB': '', 'vs bare parse': '1.00' });
  let duckRate = Number.NaN;
  if (flags['skip-duckdb'] !== 'true') {
    collectGarbage();
    const duck = await timed(() => duckdbLines(path, BENCH_DATE, duckThreads));
    duckRate = rate(rows, duck.ms);
    const theirs = new Map([...duck.value.lines].map(([symbol, inflows]) => [symbol, inflows.join('\n')]));
    const problem = compareLines(computed, theirs, 'DuckDB');
    console.log(problem ? `LINES DIFFER from DuckDB: ${problem}` : `lines identical to DuckDB's: ${fmt(duck.value.rows)} lines of ${fmt(duck.value.lines.size)} symbols`);
    table.push({ path: `DuckDB SQL (${duckThreads} threads, once)`, seconds: fmt(duck.ms / 1000, 2), rounds: '', 'rows/s': fmt(duckRate), 'vs DuckDB': '1.00', 'vs bare parse': fmt(duckRate / bareRate, 2) });
    if (problem) process.exitCode = 1;
  }
  const versusDuckDb = (pathRate: number): string => (Number.isNaN(duckRate) ? '—' : fmt(pathRate / duckRate, 2));
  for (const [name, samples] of [
    ['capflow compute FILE --out LINES.csv (the command)', commandMs],
    ['  its engine in-process, lines not written (FileLines)', inProcessMs],
  ] as const) {
    const pathRate = rate(rows, median(samples));
    table.push({ path: name, seconds: fmt(median(samples) / 1000, 2), rounds: spread(samples), 'rows/s': fmt(pathRate), 'vs DuckDB': versusDuckDb(pathRate), 'vs bare parse': fmt(pathRate / bareRate, 2) });
  }
  printTable('capflow compute: CSV → lines (rows/s are input rows per second of wall time)', table);
}

await main();
