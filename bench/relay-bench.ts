/**
 * Relay latency: a trade posted to capflow A reaches a subscriber of capflow B's live capital
 * flow (command 200), B being fed by `capflow connect` from A's trade pushes. Real processes:
 * `capflow serve` A and B (fixed clock after the close of 2024-06-14, so every line is visible)
 * and `capflow connect --data B`; this process sends signed `POST /v1/ingest` NDJSON batches at a
 * sustained rate and subscribes to B with the capflow client, so both instants come from one clock.
 *
 * Every trade is an up trade of 1 share at 1.000, so a symbol's last line equals the number of its
 * trades counted: a push showing count C settles every batch of that symbol whose running count is
 * <= C (as in the freshness benchmark). One POST is in flight at a time and carries every trade due
 * since the previous one.
 *
 * Baseline, measured in the same run on other symbols: the same trades posted to B itself (no
 * relay). The relay's figures are printed with their ratio to it.
 *
 *   npm run bench:relay -- [--rate 10000] [--seconds 20] [--symbols 10] [--poll-ms MS (B's --poll-ms; default: serve's)]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { Config, QuoteContext } from '../src/client/index.js';
import { signedHeaders, testCredential } from '../src/server/server-test-kit.js';
import { fmt, machine, numberFlag, parseFlags, percentile, printTable } from './bench-kit.js';

const flags = parseFlags();
const rate = numberFlag(flags, 'rate', 10_000);
const seconds = numberFlag(flags, 'seconds', 20);
const symbolCount = numberFlag(flags, 'symbols', 10);
const pollMs = flags['poll-ms'] === undefined ? undefined : numberFlag(flags, 'poll-ms', 200);
const BIN = fileURLToPath(new URL('../../bin/capflow.js', import.meta.url));
const credential = testCredential({ appKey: 'relay-bench', appSecret: 'relay-bench-secret', accessToken: 'relay-bench-token' });
const CLOCK = '2024-06-14T16:30:00+08:00';
const OPEN_MS = Date.parse('2024-06-14T09:30:00+08:00');
const MORNING_MS = 150 * 60_000;

interface Proc {
  readonly child: ChildProcess;
  output: string;
}

function start(args: string[], env: NodeJS.ProcessEnv = {}): Proc {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  const proc = { child, output: '' };
  child.stdout!.on('data', (chunk: Buffer) => (proc.output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (proc.output = (proc.output + chunk.toString()).slice(-20_000)));
  return proc;
}

async function until(condition: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function serve(data: string, config: string, extra: string[] = []): Promise<{ proc: Proc; http: string }> {
  const proc = start(['serve', '--data', data, '--config', config, '--clock', CLOCK, '--port', '0', '--tcp-port', '0', '--log-level', 'warn', ...extra]);
  await until(() => /serving on http:\/\/127\.0\.0\.1:\d+/.test(proc.output), 'a server to start');
  return { proc, http: `http://127.0.0.1:${/serving on http:\/\/127\.0\.0\.1:(\d+)/.exec(proc.output)![1]}` };
}

interface Pending {
  readonly target: number;
  readonly sentAt: number;
}

/** Sends `rate` trades/s of `symbols` to `postUrl` for `seconds`, measuring until `subscriber` shows them. */
async function measure(postUrl: string, subscriber: QuoteContext, symbols: readonly string[]): Promise<{ latencies: number[]; sent: number; achieved: number; unsettled: number; posts: number }> {
  const pending = symbols.map((): Pending[] => []);
  const latencies: number[] = [];
  await Promise.all(
    symbols.map((symbol, index) =>
      subscriber.subscribeCapitalFlow(symbol, ({ lines }) => {
        const now = performance.now();
        const last = lines.at(-1);
        if (!last) return;
        const counted = Number(last.inflow.toString().split('.')[0]);
        const queue = pending[index]!;
        while (queue.length > 0 && queue[0]!.target <= counted) latencies.push(now - queue.shift()!.sentAt);
      }),
    ),
  );
  const sentCount = new Array<number>(symbols.length).fill(0);
  let sequence = 0;
  let posts = 0;
  const started = performance.now();
  const deadline = started + seconds * 1000;
  let due = 0;
  while (performance.now() < deadline) {
    const total = Math.floor(((performance.now() - started) / 1000) * rate);
    const count = total - due;
    if (count <= 0) {
      await new Promise((resolve) => setTimeout(resolve, 1));
      continue;
    }
    due += count;
    const lines: string[] = [];
    const perSymbol = new Array<number>(symbols.length).fill(0);
    for (let k = 0; k < count; k++) {
      const index = sequence % symbols.length;
      const timestamp = OPEN_MS + (Math.floor(sequence / symbols.length) % MORNING_MS);
      lines.push(`{"symbol":"${symbols[index]}","timestamp":${timestamp},"price":"1.000","volume":1,"direction":"up"}`);
      perSymbol[index]!++;
      sequence++;
    }
    const sentAt = performance.now();
    perSymbol.forEach((n, index) => {
      if (n === 0) return;
      sentCount[index]! += n;
      pending[index]!.push({ target: sentCount[index]!, sentAt });
    });
    const body = Buffer.from(`${lines.join('\n')}\n`);
    const response = await fetch(`${postUrl}/v1/ingest`, {
      method: 'POST',
      headers: { ...signedHeaders(credential, 'POST', '/v1/ingest', '', body), 'Content-Type': 'application/x-ndjson' },
      body,
    });
    const json = (await response.json()) as { code: number; data?: { accepted: number } };
    if (json.code !== 0 || json.data?.accepted !== count) throw new Error(`ingest answered ${JSON.stringify(json).slice(0, 300)}`);
    posts++;
  }
  const achieved = sequence / ((performance.now() - started) / 1000);
  await until(() => pending.every((queue) => queue.length === 0), 'every trade to reach the subscriber', 20_000).catch(() => undefined);
  return { latencies, sent: sequence, achieved, unsettled: pending.reduce((sum, queue) => sum + queue.length, 0), posts };
}

async function main(): Promise<void> {
  console.log(`# Relay benchmark — ${machine()}; ${fmt(rate)} trades/s for ${seconds} s over ${symbolCount} symbols; B ${pollMs === undefined ? 'as `capflow serve` runs by default (store file watch, 200 ms poll)' : `polls its store every ${pollMs} ms`}`);
  const root = mkdtempSync(join(tmpdir(), 'capflow-relay-bench-'));
  const procs: Proc[] = [];
  try {
    const direct = Array.from({ length: symbolCount }, (_, i) => `${i + 1}.HK`);
    const relayed = Array.from({ length: symbolCount }, (_, i) => `${1001 + i}.HK`);
    const config = join(root, 'capflow.json');
    const unlimited = { limit: 100_000, burst: 100_000 };
    writeFileSync(
      config,
      JSON.stringify({
        credentials: [{ appKey: credential.appKey, appSecret: credential.appSecret, accessToken: credential.accessToken, markets: ['HK'], connections: 100, subscribeLimit: 10_000, rateLimits: { 17: unlimited, 24: unlimited } }],
        securities: [...direct, ...relayed],
      }),
    );
    const a = await serve(join(root, 'a'), config);
    const b = await serve(join(root, 'b'), config, pollMs === undefined ? [] : ['--poll-ms', String(pollMs)]);
    procs.push(a.proc, b.proc);
    const connector = start(['connect', '--symbols', relayed.join(','), '--data', join(root, 'b'), '--metrics-port', '0'], {
      LONGPORT_APP_KEY: credential.appKey,
      LONGPORT_APP_SECRET: credential.appSecret,
      LONGPORT_ACCESS_TOKEN: credential.accessToken,
      LONGPORT_HTTP_URL: a.http,
    });
    procs.push(connector);
    await until(() => connector.output.includes('subscribed to the upstream'), 'the connector to subscribe');
    const metricsUrl = /"metrics":"([^"]+)"/.exec(connector.output)?.[1];
    const subscriber = await QuoteContext.new(new Config({ appKey: credential.appKey, appSecret: credential.appSecret, accessToken: credential.accessToken, httpUrl: b.http }));

    const baseline = await measure(b.http, subscriber, direct);
    const relay = await measure(a.http, subscriber, relayed);
    await subscriber.close();
    const connectMetrics = metricsUrl ? await (await fetch(metricsUrl)).text() : '';
    const metric = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(connectMetrics)?.[1] ?? Number.NaN);

    for (const [name, run] of [
      ['direct', baseline],
      ['relay', relay],
    ] as const) {
      console.log(
        `${name}: sent ${fmt(run.sent)} trades in ${fmt(run.posts)} POSTs, achieved ${fmt(run.achieved)} trades/s (${fmt((run.achieved / rate) * 100, 0)} % of the target); ` +
          `${fmt(run.latencies.length)} batches settled, ${fmt(run.unsettled)} unsettled`,
      );
    }
    const row = (measure: string, samples: number[]) => ({
      measure,
      p50: fmt(percentile(samples, 50), 1),
      p90: fmt(percentile(samples, 90), 1),
      p99: fmt(percentile(samples, 99), 1),
      max: fmt(Math.max(...samples), 1),
    });
    printTable('Latency: POST sent → line pushed to B’s subscriber (ms)', [
      row('posted to B itself (baseline)', baseline.latencies),
      row('posted to A, relayed by capflow connect', relay.latencies),
    ]);
    console.log(
      `ratio relay/baseline: p50 ${fmt(percentile(relay.latencies, 50) / percentile(baseline.latencies, 50), 2)}×, p99 ${fmt(percentile(relay.latencies, 99) / percentile(baseline.latencies, 99), 2)}×; ` +
        `connector: ${fmt(metric('capflow_connect_trades_recorded_total'))} trades recorded, ${fmt(metric('capflow_connect_gaps_total'))} gaps, ` +
        `arrival → commit mean ${fmt((metric('capflow_connect_commit_seconds_sum') / metric('capflow_connect_commit_seconds_count')) * 1000, 1)} ms per batch`,
    );
    const p99 = percentile(relay.latencies, 99);
    console.log(`relay p99 ${fmt(p99, 1)} ms: ${p99 < 250 ? 'under' : 'OVER'} the 250 ms goal`);
    process.exitCode = relay.unsettled === 0 && p99 < 250 ? 0 : 1;
  } finally {
    for (const proc of procs) proc.child.kill('SIGKILL');
    rmSync(root, { recursive: true, force: true });
  }
}

await main();
