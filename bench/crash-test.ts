/**
 * Crash safety: ingest a generated day with `capflow ingest`, kill it with SIGKILL at random
 * moments, restart until it completes, then check that the lines rebuilt from the store equal an
 * uninterrupted computation of the same file (no trade lost, none counted twice). Repeats.
 *
 *   npm run crash-test -- [--rounds 5] [--trades 200000] [--symbols 50] [--seed 1]
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { calendarFor } from '../src/calendar/trading-calendar.js';
import { DayFlow } from '../src/engine/index.js';
import { csvFileToLines } from '../src/ingest/fast-csv-lines.js';
import { parseSymbol } from '../src/model/symbol.js';
import { SqliteFlowStore } from '../src/store/sqlite-flow-store.js';
import { numberFlag, parseFlags } from './bench-kit.js';
import { BENCH_DATE, generateDayCsv, prng } from './generate-day.js';

const flags = parseFlags();
const rounds = numberFlag(flags, 'rounds', 5);
const trades = numberFlag(flags, 'trades', 200_000);
const symbols = numberFlag(flags, 'symbols', 50);
const random = prng(numberFlag(flags, 'seed', 1));
const dir = flags.dir ?? '/tmp/capflow-bench';
mkdirSync(dir, { recursive: true });
const cli = new URL('../../bin/capflow.js', import.meta.url).pathname;

function ingestOnce(file: string, dataDir: string, killAfterMs: number | undefined): Promise<'done' | 'killed'> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [cli, 'ingest', file, '--data', dataDir], { stdio: 'ignore' });
    const timer = killAfterMs === undefined ? undefined : setTimeout(() => proc.kill('SIGKILL'), killAfterMs);
    proc.on('exit', (code, signal) => {
      if (timer) clearTimeout(timer);
      if (signal === 'SIGKILL') resolve('killed');
      else if (code === 0) resolve('done');
      else reject(new Error(`ingest exited with ${code}`));
    });
  });
}

const file = await generateDayCsv(join(dir, `day-${trades}-${symbols}.csv`), trades, symbols, 11);
const expected = (await csvFileToLines(file)).builder;
let failures = 0;
for (let round = 1; round <= rounds; round++) {
  const dataDir = mkdtempSync(join(dir, 'crash-'));
  let kills = 0;
  for (;;) {
    const outcome = await ingestOnce(file, dataDir, kills < 6 ? 100 + Math.floor(random() * 1500) : undefined);
    if (outcome === 'done') break;
    kills++;
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
  console.log(`round ${round}: ${kills} kill -9 during ingestion, ${differing === 0 ? 'lines identical' : `${differing} symbol-days DIFFER`}`);
  if (differing > 0) failures++;
}
console.log(failures === 0 ? `crash-test passed: ${rounds} rounds` : `crash-test FAILED in ${failures} rounds`);
process.exitCode = failures === 0 ? 0 : 1;
