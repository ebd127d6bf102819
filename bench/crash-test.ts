/**
 * Crash safety, two kinds of rounds (both by default):
 * - `ingest`: ingest a generated day with `capflow ingest`, kill it with SIGKILL at random
 *   moments, restart until it completes, then check that the lines rebuilt from the store equal
 *   an uninterrupted computation of the same file (no trade lost, none counted twice);
 * - `server`: a `capflow serve` process takes the same day over `POST /v1/ingest` (Idempotency-Key
 *   per batch) while clients query command 24 over WebSocket and TCP; it is killed with SIGKILL at
 *   random moments and restarted; its command-24 lines afterwards must equal the uninterrupted
 *   computation (see server-crash-round.ts).
 *
 *   npm run crash-test -- [--rounds 5] [--trades 200000] [--symbols 50] [--seed 1]
 *                         [--mode both|ingest|server] [--kills 6] [--batch 2000]
 *                         [--no-idempotency]  (a negative control: retries then double count, and the check must fail)
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { calendarFor } from '../src/calendar/trading-calendar.js';
import { DayFlow } from '../src/engine/index.js';
import { csvFileToLines } from '../src/ingest/fast-csv-lines.js';
import { parseSymbol } from '../src/model/symbol.js';
import { SqliteFlowStore } from '../src/store/sqlite-flow-store.js';
import { readFileSync } from 'node:fs';
import type { CapitalFlowLine } from '../src/engine/index.js';
import { numberFlag, parseFlags } from './bench-kit.js';
import { BENCH_DATE, generateDayCsv, prng } from './generate-day.js';
import { serverCrashRound } from './server-crash-round.js';

const flags = parseFlags();
const rounds = numberFlag(flags, 'rounds', 5);
const trades = numberFlag(flags, 'trades', 200_000);
const symbols = numberFlag(flags, 'symbols', 50);
const random = prng(numberFlag(flags, 'seed', 1));
const dir = flags.dir ?? '/tmp/capflow-bench';
const mode = flags.mode ?? 'both';
const kills = numberFlag(flags, 'kills', 6);
const batchSize = numberFlag(flags, 'batch', 2000);
mkdirSync(dir, { recursive: true });
const cli = new URL('../../bin/capflow.js', import.meta.url).pathname;

function ingestOnce(file: string, dataDir: string, killAfterMs: number | undefined): Promise<'done' | 'killed'> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [cli, 'ingest', file, '--data', dataDir], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    proc.stderr!.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-2000)));
    const timer = killAfterMs === undefined ? undefined : setTimeout(() => proc.kill('SIGKILL'), killAfterMs);
    proc.on('exit', (code, signal) => {
      if (timer) clearTimeout(timer);
      if (signal === 'SIGKILL') resolve('killed');
      else if (code === 0) resolve('done');
      else reject(new Error(`ingest exited with ${code}: ${stderr}`));
    });
  });
}

const file = await generateDayCsv(join(dir, `day-${trades}-${symbols}.csv`), trades, symbols, 11);
const expected = (await csvFileToLines(file)).builder;
let failures = 0;
// Kill moments are drawn within the time an uninterrupted ingest takes (process start included).
let fullMs = 1600;
if (mode === 'both' || mode === 'ingest') {
  const scratch = mkdtempSync(join(dir, 'crash-timing-'));
  const started = Date.now();
  await ingestOnce(file, scratch, undefined);
  fullMs = Date.now() - started;
  rmSync(scratch, { recursive: true, force: true });
  console.log(`an uninterrupted capflow ingest of the file takes ${fullMs} ms; kills fall between 5 % and 95 % of that`);
}
for (let round = 1; round <= rounds && (mode === 'both' || mode === 'ingest'); round++) {
  const dataDir = mkdtempSync(join(dir, 'crash-'));
  let killed = 0;
  for (;;) {
    const outcome = await ingestOnce(file, dataDir, killed < kills ? Math.floor(fullMs * (0.05 + 0.9 * random())) : undefined);
    if (outcome === 'done') break;
    killed++;
  }
  const store = await SqliteFlowStore.open(dataDir);
  let differing = 0;
  for (const [key, day] of expected.days) {
    const symbol = key.slice(0, key.indexOf(' '));
    const rebuilt = new DayFlow(calendarFor(parseSymbol(symbol)!.market).schedule(BENCH_DATE)!);
    for (const t of await store.tradesOfDay(symbol, BENCH_DATE)) rebuilt.add(t);
    if (JSON.stringify(rebuilt.lines(Number.MAX_SAFE_INTEGER)) !== JSON.stringify(day.lines(Number.MAX_SAFE_INTEGER))) differing++;
  }
  await store.close();
  rmSync(dataDir, { recursive: true, force: true });
  console.log(`ingest round ${round}: ${killed} kill -9 of capflow ingest, ${differing === 0 ? 'lines identical' : `${differing} symbol-days DIFFER`}`);
  if (differing > 0) failures++;
}

if (mode === 'both' || mode === 'server') {
  // The same day as NDJSON records (empty fields left out), in file order.
  const [header, ...rows] = readFileSync(file, 'utf8').split('\n').filter((line) => line !== '');
  const names = (header as string).split(',');
  const records = rows.map((row) => {
    const values = row.split(',');
    const record: Record<string, string | number> = {};
    names.forEach((name, i) => {
      const value = values[i] ?? '';
      if (value !== '') record[name] = name === 'timestamp' || name === 'volume' ? Number(value) : value;
    });
    return JSON.stringify(record);
  });
  const expectedLines = new Map<string, CapitalFlowLine[]>();
  for (const [key, day] of expected.days) expectedLines.set(key.slice(0, key.indexOf(' ')), day.lines(Number.MAX_SAFE_INTEGER));
  for (let round = 1; round <= rounds; round++) {
    const result = await serverCrashRound({ records, expected: expectedLines, batchSize, kills, random, dir, clockAt: `${BENCH_DATE}T23:59:00Z`, idempotency: flags['no-idempotency'] !== 'true' });
    const ok = result.differing.length === 0 && result.queryFailuresWhileUp === 0;
    console.log(
      `server round ${round}: ${result.kills} kill -9 of capflow serve during ${result.batches} ingest POSTs (${result.retries} retried) and ` +
        `${result.queries} command-24 answers (${result.queryFailuresWhileUp} invalid), ${result.snapshots} served days restored from snapshots at the last restart; ` +
        (result.differing.length === 0 ? 'lines identical' : `${result.differing.length} symbols DIFFER (${result.differing.slice(0, 5).join(', ')})`),
    );
    if (!ok) failures++;
  }
}
console.log(failures === 0 ? `crash-test passed (${mode})` : `crash-test FAILED in ${failures} rounds`);
process.exitCode = failures === 0 ? 0 : 1;
