/**
 * Freshness: how long after a trade is ingested does a subscribed client see the updated line?
 * A real server (child process, empty SQLite store, fixed clock after the close of 2024-06-14)
 * takes signed `POST /v1/ingest` NDJSON batches at a target sustained rate; one capflow SDK client
 * (same process as the sender, so both instants come from one clock) subscribes to every symbol
 * with the live push (command 200). Every trade is an up trade of 1 share at 1.000, so a symbol's
 * last line equals the number of its trades the server has counted: a push showing count C
 * settles every batch of that symbol whose cumulative count is <= C.
 *
 * One POST is in flight at a time; each carries every trade due since the previous one (so a slow
 * commit makes batches larger, never drops the rate silently). The achieved rate is reported.
 *
 * A POST carries at most --max-batch trades: when the server cannot keep up, the backlog is not
 * sent (the achieved rate falls below the target) rather than growing batches without bound.
 *
 *   npm run bench:freshness -- [--rate 100000] [--seconds 10] [--symbols 20] [--max-batch 20000] [--server-prof /tmp/server-v8.log]
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { performance } from 'node:perf_hooks';
import { Config, QuoteContext } from '../src/client/index.js';
import { signedHeaders, testCredential } from '../src/server/server-test-kit.js';
import { fmt, machine, numberFlag, parseFlags, percentile, printTable } from './bench-kit.js';

const flags = parseFlags();
const rate = numberFlag(flags, 'rate', 100_000);
const seconds = numberFlag(flags, 'seconds', 10);
const symbolCount = numberFlag(flags, 'symbols', 20);
const maxBatch = numberFlag(flags, 'max-batch', 20_000);
const credential = testCredential({ connections: 5000 });
/** `--server-prof FILE`: the server runs with V8's sampling profiler, its log in FILE (`node --prof-process FILE`). */
const serverNodeArgs = flags['server-prof'] === undefined ? [] : ['--prof', '--no-logfile-per-isolate', `--logfile=${flags['server-prof']}`];
const symbols = Array.from({ length: symbolCount }, (_, i) => `${i + 1}.HK`);
const OPEN_MS = Date.parse('2024-06-14T09:30:00+08:00');
const MORNING_MS = 150 * 60_000;

interface Pending {
  readonly target: number;
  readonly sentAt: number;
  ackAt: number;
}

async function main(): Promise<void> {
  console.log(`# Freshness benchmark — ${machine()}; target ${fmt(rate)} trades/s for ${seconds} s over ${symbolCount} symbols`);
  const proc = spawn(process.execPath, [...serverNodeArgs, new URL('./serving-server.js', import.meta.url).pathname, 'empty', symbols.join(',')], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const [line] = (await once(createInterface({ input: proc.stdout! }), 'line')) as [string];
  const info = JSON.parse(line) as { http: string; ws: string };
  const ctx = await QuoteContext.new(new Config({ appKey: credential.appKey, appSecret: credential.appSecret, accessToken: credential.accessToken, httpUrl: info.http, quoteWsUrl: info.ws }));

  const pending = symbols.map((): Pending[] => []);
  const sentCount = new Array<number>(symbolCount).fill(0);
  const pushToSend: number[] = [];
  const pushToAck: number[] = [];
  let pushesBeforeAck = 0;
  let settled = 0;
  await Promise.all(
    symbols.map((symbol, index) =>
      ctx.subscribeCapitalFlow(symbol, ({ lines }) => {
        const now = performance.now();
        const last = lines.at(-1);
        if (!last) return;
        const counted = Number(last.inflow.toString().split('.')[0]);
        const queue = pending[index] as Pending[];
        while (queue.length > 0 && (queue[0] as Pending).target <= counted) {
          const entry = queue.shift() as Pending;
          pushToSend.push(now - entry.sentAt);
          if (entry.ackAt === 0) pushesBeforeAck++;
          else pushToAck.push(now - entry.ackAt);
          settled++;
        }
      }),
    ),
  );

  const commitMs: number[] = [];
  const batchSizes: number[] = [];
  let sequence = 0;
  let batches = 0;
  const started = performance.now();
  const deadline = started + seconds * 1000;
  let due = 0;
  while (performance.now() < deadline) {
    const now = performance.now();
    const total = Math.floor(((now - started) / 1000) * rate);
    const count = Math.min(maxBatch, total - due);
    if (count <= 0) {
      await new Promise((resolve) => setTimeout(resolve, 2));
      continue;
    }
    due += count;
    const lines: string[] = [];
    const entries: Array<[number, Pending]> = [];
    const perSymbol = new Array<number>(symbolCount).fill(0);
    for (let k = 0; k < count; k++) {
      const index = sequence % symbolCount;
      const timestamp = OPEN_MS + Math.floor(sequence / symbolCount) % MORNING_MS;
      lines.push(`{"symbol":"${symbols[index]}","timestamp":${timestamp},"price":"1.000","volume":1,"direction":"up"}`);
      perSymbol[index] = (perSymbol[index] as number) + 1;
      sequence++;
    }
    const sentAt = performance.now();
    perSymbol.forEach((n, index) => {
      if (n === 0) return;
      sentCount[index] = (sentCount[index] as number) + n;
      const entry: Pending = { target: sentCount[index] as number, sentAt, ackAt: 0 };
      (pending[index] as Pending[]).push(entry);
      entries.push([index, entry]);
    });
    const body = Buffer.from(lines.join('\n') + '\n');
    const response = await fetch(`${info.http}/v1/ingest`, {
      method: 'POST',
      headers: { ...signedHeaders(credential, 'POST', '/v1/ingest', '', body), 'Content-Type': 'application/x-ndjson' },
      body,
    });
    const json = (await response.json()) as { code: number; data?: { accepted: number } };
    const ackAt = performance.now();
    if (json.code !== 0 || json.data?.accepted !== count) throw new Error(`ingest answered ${JSON.stringify(json).slice(0, 300)}`);
    for (const [, entry] of entries) entry.ackAt = ackAt;
    commitMs.push(ackAt - sentAt);
    batchSizes.push(count);
    batches++;
  }
  const sendingSeconds = (performance.now() - started) / 1000;
  const waitUntil = performance.now() + 10_000;
  while (pending.some((queue) => queue.length > 0) && performance.now() < waitUntil) await new Promise((resolve) => setTimeout(resolve, 10));
  const unsettled = pending.reduce((sum, queue) => sum + queue.length, 0);
  await ctx.close();
  proc.kill('SIGKILL');

  const achieved = sequence / sendingSeconds;
  console.log(
    `sent ${fmt(sequence)} trades in ${fmt(batches)} POSTs over ${fmt(sendingSeconds, 1)} s: achieved ${fmt(achieved)} trades/s ` +
      `(${fmt((achieved / rate) * 100, 0)} % of the target); mean batch ${fmt(sequence / Math.max(1, batches))} trades; ` +
      `${fmt(settled)} symbol-batches settled, ${fmt(unsettled)} unsettled; ${fmt(pushesBeforeAck)} seen by the client before the HTTP answer`,
  );
  printTable('Freshness (ms)', [
    { measure: 'POST sent → line pushed to the subscriber', p50: fmt(percentile(pushToSend, 50), 1), p99: fmt(percentile(pushToSend, 99), 1), max: fmt(Math.max(...pushToSend), 1) },
    { measure: 'commit acknowledged (HTTP answer) → line pushed', p50: fmt(percentile(pushToAck, 50), 1), p99: fmt(percentile(pushToAck, 99), 1), max: fmt(Math.max(...pushToAck, 0), 1) },
    { measure: 'POST sent → commit acknowledged', p50: fmt(percentile(commitMs, 50), 1), p99: fmt(percentile(commitMs, 99), 1), max: fmt(Math.max(...commitMs), 1) },
  ]);
  process.exit(unsettled === 0 ? 0 : 1);
}

await main();
