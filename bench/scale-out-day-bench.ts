/**
 * A market day through the scale-out path (issue #16): `capflow publish FILE` onto NATS JetStream
 * and W `capflow worker` processes (default 2) storing it into PostgreSQL — the CLI commands
 * themselves, as child processes. Reports the publish time, the time until every partition's
 * stored position reached the stream's last message (both workers stored everything), the
 * trades/s of each, and checks that what the workers stored plus the repeated trade ids they
 * dropped is exactly the file's accepted count, and that the table holds what they stored.
 *
 *   npm run bench:scale-out -- --file DAY.csv [--workers 2] [--partitions 16] [--mode concurrent|sequential]
 *                              [--pg postgres://postgres@127.0.0.1:5432/test] [--nats nats://127.0.0.1:4222]
 *   npm run bench:scale-out -- --trades 2000000 [--symbols 12000] [--dir /tmp/capflow-bench]   (generated day)
 *
 * `concurrent` (default) starts the workers with the publisher (the end-to-end time);
 * `sequential` publishes first and starts the workers after (each side's own rate). A throw-away
 * schema and stream are used and removed after.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { AckPolicy, connect, DeliverPolicy } from 'nats';
import pg from 'pg';
import { NatsTradeBus } from '../src/bus/nats-trade-bus.js';
import { quoteIdentifier } from '../src/store/postgres-schema.js';
import { fmt, machine, numberFlag, parseFlags } from './bench-kit.js';
import { generateDayCsv } from './generate-day.js';

const flags = parseFlags();
const workers = numberFlag(flags, 'workers', 2);
const partitions = numberFlag(flags, 'partitions', 16);
const mode = flags.mode ?? 'concurrent';
if (mode !== 'concurrent' && mode !== 'sequential') throw new Error('--mode is concurrent or sequential');
const pgUrl = flags.pg ?? 'postgres://postgres@127.0.0.1:5432/test';
const natsUrl = flags.nats ?? 'nats://127.0.0.1:4222';
const CLI = fileURLToPath(new URL('../../bin/capflow.js', import.meta.url));

let file = flags.file;
if (file === undefined) {
  const trades = numberFlag(flags, 'trades', 2_000_000);
  const symbols = numberFlag(flags, 'symbols', 12_000);
  const dir = flags.dir ?? '/tmp/capflow-bench';
  file = await generateDayCsv(join(dir, `day-market-${trades}-${symbols}.csv`), trades, symbols, 7, 'market');
}

const tag = `${process.pid}_${Date.now().toString(36)}`;
const schema = `capflow_bench_scaleout_${tag}`;
const stream = `CAPFLOW_BENCH_${tag}`.toUpperCase();
const storeUrl = (() => {
  const url = new URL(pgUrl);
  url.searchParams.set('schema', schema);
  return url.toString();
})();
const busUrl = `${natsUrl}?stream=${stream}&prefix=${stream.toLowerCase()}&partitions=${partitions}`;

/** A CLI child whose output is kept (and echoed to stderr with a prefix). */
function child(name: string, args: string[]): { process: ChildProcess; output: () => string } {
  const proc = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  for (const stream of [proc.stdout!, proc.stderr!]) {
    stream.setEncoding('utf8');
    stream.on('data', (text: string) => {
      output += text;
      for (const line of text.split('\n')) if (line.trim() !== '') process.stderr.write(`  [${name}] ${line}\n`);
    });
  }
  return { process: proc, output: () => output };
}

const startWorkers = (): Array<ReturnType<typeof child>> =>
  Array.from({ length: workers }, (_, id) =>
    child(`worker ${id}`, ['worker', '--store', storeUrl, '--bus', busUrl, '--workers', String(workers), '--worker-id', String(id)]),
  );

/** The stream sequence of each partition's last message (0: none). */
async function lastSequences(): Promise<number[]> {
  const nc = await connect({ servers: new URL(natsUrl).host });
  try {
    const js = nc.jetstream();
    const jsm = await nc.jetstreamManager();
    const prefix = stream.toLowerCase();
    const result: number[] = [];
    for (let p = 0; p < partitions; p++) {
      const info = await jsm.consumers.add(stream, {
        filter_subject: `${prefix}.trades.${p}.>`,
        deliver_policy: DeliverPolicy.Last,
        ack_policy: AckPolicy.None,
      });
      const consumer = await js.consumers.get(stream, info.name);
      const message = info.num_pending > 0 ? await consumer.next({ expires: 2000 }) : null;
      result.push(message?.seq ?? 0);
      await jsm.consumers.delete(stream, info.name).catch(() => undefined);
    }
    return result;
  } finally {
    await nc.close();
  }
}

const db = new pg.Client({ connectionString: pgUrl });
await db.connect();
const setup = await NatsTradeBus.connect(busUrl); // creates the stream before any child looks for it
const bytes = statSync(file).size;
console.log(`${machine()}; ${file} (${fmt(bytes / 1e6)} MB), ${workers} workers, ${partitions} partitions, ${mode}`);

let workerProcesses: Array<ReturnType<typeof child>> = [];
try {
  const t0 = performance.now();
  if (mode === 'concurrent') workerProcesses = startWorkers();
  const publisher = child('publish', ['publish', file, '--bus', busUrl]);
  const [code] = (await once(publisher.process, 'exit')) as [number | null];
  const publishMs = performance.now() - t0;
  if (code !== 0) throw new Error(`capflow publish exited with ${code}`);
  const summary = /: (\d+) trades published \(\d+ outside the sessions\), (\d+) rejected/.exec(publisher.output());
  if (!summary) throw new Error('capflow publish did not report its counts');
  const accepted = Number(summary[1]);
  console.log(`publish: ${fmt(accepted)} trades accepted (${summary[2]} rejected) in ${(publishMs / 1000).toFixed(1)} s = ${fmt(accepted / (publishMs / 1000))} trades/s`);

  const targets = await lastSequences();
  const drainStart = performance.now();
  if (mode === 'sequential') workerProcesses = startWorkers();
  let lastReport = performance.now();
  for (;;) {
    const { rows } = await db.query<{ source_id: string; position: string }>(
      `SELECT source_id, position FROM ${quoteIdentifier(schema)}.sources WHERE source_id LIKE $1`,
      [`nats:${stream}:p%`],
    ).catch(() => ({ rows: [] as Array<{ source_id: string; position: string }> }));
    const positions = new Map(rows.map((r) => [r.source_id, Number(r.position)]));
    if (targets.every((target, p) => target === 0 || (positions.get(`nats:${stream}:p${p}`) ?? 0) >= target)) break;
    for (const w of workerProcesses) if (w.process.exitCode !== null) throw new Error('a worker exited early');
    if (performance.now() - lastReport > 10_000) {
      lastReport = performance.now();
      const { rows: count } = await db.query<{ n: string | null }>(`SELECT sum(trades) AS n FROM ${quoteIdentifier(schema)}.symbol_days`);
      console.log(`  ${((performance.now() - t0) / 1000).toFixed(0)} s: ${fmt(Number(count[0]?.n ?? 0))} trades stored`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  const doneMs = performance.now();
  const totalMs = doneMs - t0;
  const drainMs = doneMs - (mode === 'sequential' ? drainStart : t0);

  // Stop the workers and read what each stored and dropped.
  let applied = 0;
  let duplicates = 0;
  for (const w of workerProcesses) w.process.kill('SIGTERM');
  for (const w of workerProcesses) {
    if (w.process.exitCode === null) await once(w.process, 'exit');
    const stopped = /after storing (\d+) trades \((\d+) duplicates/.exec(w.output());
    if (!stopped) throw new Error('a worker did not report what it stored');
    applied += Number(stopped[1]);
    duplicates += Number(stopped[2]);
  }
  workerProcesses = [];
  const { rows: table } = await db.query<{ n: string }>(`SELECT count(*) AS n FROM ${quoteIdentifier(schema)}.trades`);
  const { rows: days } = await db.query<{ n: string }>(`SELECT coalesce(sum(trades), 0) AS n FROM ${quoteIdentifier(schema)}.symbol_days`);
  const stored = Number(table[0]!.n);
  console.log(
    mode === 'sequential'
      ? `workers: ${fmt(applied)} stored in ${(drainMs / 1000).toFixed(1)} s after the publish = ${fmt(applied / (drainMs / 1000))} trades/s`
      : `publish + workers: everything stored ${(totalMs / 1000).toFixed(1)} s after the start = ${fmt(accepted / (totalMs / 1000))} trades/s end to end`,
  );
  console.log(`check: workers stored ${fmt(applied)} + dropped ${fmt(duplicates)} repeated trade ids = ${fmt(applied + duplicates)} (accepted ${fmt(accepted)}); table holds ${fmt(stored)}, day counts ${fmt(Number(days[0]!.n))}`);
  const ok = applied + duplicates === accepted && stored === applied && Number(days[0]!.n) === applied;
  console.log(ok ? 'check: OK' : 'check: FAILED');
  console.log(`extrapolated to 150,000,000 trades at this rate: ${(150_000_000 / (accepted / (totalMs / 1000)) / 60).toFixed(0)} min`);
  if (!ok) process.exitCode = 1;
} finally {
  for (const w of workerProcesses) w.process.kill('SIGTERM');
  await setup.deleteStream();
  await setup.close();
  await db.query(`DROP SCHEMA IF EXISTS ${quoteIdentifier(schema)} CASCADE`);
  await db.end();
}
