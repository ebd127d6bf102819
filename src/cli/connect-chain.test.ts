/**
 * Acceptance of `capflow connect` with real processes: capflow A takes trades over signed
 * `POST /v1/ingest` while `capflow connect` feeds capflow B (B's data directory) from A, and a
 * second `capflow connect` feeds capflow C from B. Connectors are killed with SIGKILL and started
 * again mid-stream, A (during a POST) and B are killed and started again on the same data and
 * ports; every POST is retried under its Idempotency-Key until A answers. At the end B's and C's
 * trades (fields, sides and sequences) and lines equal A's for every symbol.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { Config, QuoteContext, type CapitalFlowLine, type Trade } from '../client/index.js';
import { eventually, RELAY_CREDENTIAL, tradeStream } from '../connect/connect-test-kit.js';
import { decimalToString } from '../model/decimal.js';
import type { Trade as ModelTrade } from '../model/trade.js';
import { signedHeaders } from '../server/server-test-kit.js';
import { CAPFLOW_BIN } from './cli-test-kit.js';

const SYMBOLS = ['700.HK', '9988.HK', '600000.SH', 'D05.SG'];
const DAY = '2024-06-14';

interface Proc {
  child: ChildProcess;
  output: () => string;
}

function spawnCapflow(args: string[], env: NodeJS.ProcessEnv = {}): Proc {
  const child = spawn(process.execPath, [CAPFLOW_BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return { child, output: () => output };
}

/** `capflow serve` on a data directory; resolves with its ports once it serves. */
async function serve(data: string, config: string, ports?: { http: number; tcp: number }) {
  const proc = spawnCapflow(['serve', '--data', data, '--config', config, '--clock', 'feed', '--port', String(ports?.http ?? 0), '--tcp-port', String(ports?.tcp ?? 0)]);
  await eventually(() => /serving on http:\/\/127\.0\.0\.1:\d+/.test(proc.output()) || proc.child.exitCode !== null, 'serve to start');
  const match = /serving on http:\/\/127\.0\.0\.1:(\d+) \(WebSocket [^,]+, TCP 127\.0\.0\.1:(\d+)\)/.exec(proc.output());
  assert.ok(match, `serve did not start: ${proc.output()}`);
  return { ...proc, ports: { http: Number(match[1]), tcp: Number(match[2]) } };
}

function killed(proc: Proc | undefined): Promise<void> {
  if (!proc || proc.child.exitCode !== null || proc.child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    proc.child.once('exit', () => resolve());
    proc.child.kill('SIGKILL');
  });
}

/** The trade as an NDJSON line of the canonical input. */
function ndjson(trade: ModelTrade): string {
  return JSON.stringify({
    symbol: trade.symbol,
    timestamp: trade.timestamp,
    price: decimalToString(trade.price),
    volume: trade.volume,
    ...(trade.direction === undefined ? {} : { direction: String(trade.direction) }),
    ...(trade.bid === undefined ? {} : { bid: decimalToString(trade.bid) }),
    ...(trade.ask === undefined ? {} : { ask: decimalToString(trade.ask) }),
    ...(trade.tradeType === undefined ? {} : { trade_type: trade.tradeType }),
  });
}

/** POSTs a batch to A until it is answered (A may be down or restarting); the key makes retries safe. */
async function post(port: () => number, trades: readonly ModelTrade[], key: string): Promise<number> {
  const body = new TextEncoder().encode(`${trades.map(ndjson).join('\n')}\n`);
  for (let attempt = 1; ; attempt++) {
    try {
      const headers = { ...signedHeaders(RELAY_CREDENTIAL, 'POST', '/v1/ingest', '', body), 'Idempotency-Key': key, 'Content-Type': 'application/x-ndjson' };
      const response = await fetch(`http://127.0.0.1:${port()}/v1/ingest`, { method: 'POST', headers, body });
      const json = (await response.json()) as { code: number };
      if (response.status === 200 && json.code === 0) return attempt;
    } catch {
      // down or restarting: retried below
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const OBSERVER = { appKey: 'observer-key', appSecret: 'observer-secret', accessToken: 'observer-token' };

const configFor = (port: number) =>
  new Config({
    ...OBSERVER,
    httpUrl: `http://127.0.0.1:${port}`,
    quoteWsUrl: `ws://127.0.0.1:${port}/v2`,
  });

/** A symbol's served day on one server: every trade (with its sequence) and the lines. */
async function snapshot(ctx: QuoteContext, symbol: string) {
  const trades: string[] = [];
  let dayTrades = 0;
  for (;;) {
    const page = await ctx.tradesAfter(symbol, { afterSequence: trades.length, count: 5000 });
    dayTrades = page.dayTrades;
    page.trades.forEach((one: Trade, index: number) => trades.push(`${page.firstSequence + index}|${JSON.stringify(one.toJSON())}`));
    if (page.trades.length === 0 || trades.length >= dayTrades) break;
  }
  const lines = (await ctx.capitalFlow(symbol)).map((line: CapitalFlowLine) => `${line.timestamp.getTime()}|${line.inflow.toString()}`);
  return { trades, lines };
}

describe('capflow connect: A → B → C equal across SIGKILLs of connectors and servers', { timeout: 240_000 }, () => {
  const root = mkdtempSync(join(tmpdir(), 'capflow-chain-'));
  const procs: (Proc | undefined)[] = [];
  after(async () => {
    await Promise.all(procs.map(killed));
    rmSync(root, { recursive: true, force: true });
  });

  it('relays every trade once, with its side and sequence, whatever was killed', async (t) => {
    const config = join(root, 'capflow.json');
    writeFileSync(
      config,
      JSON.stringify({
        credentials: [
          { appKey: RELAY_CREDENTIAL.appKey, appSecret: RELAY_CREDENTIAL.appSecret, accessToken: RELAY_CREDENTIAL.accessToken, markets: ['HK', 'US', 'CN', 'SG'] },
          // The test's own observer, so that its queries never take the connectors' rate-limit tokens.
          { ...OBSERVER, markets: ['HK', 'US', 'CN', 'SG'] },
        ],
        securities: SYMBOLS,
      }),
    );
    let a = await serve(join(root, 'a'), config);
    let b = await serve(join(root, 'b'), config);
    const c = await serve(join(root, 'c'), config);
    procs.push(a, b, c);
    const [aPorts, bPorts] = [a.ports, b.ports];
    /** `capflow connect` from a server's ports into a data directory. */
    const connectTo = (ports: { http: number }, data: string): Proc => {
      // CAPFLOW_CHAIN_BACKFILL=query-trade: the negative control (gaps beyond QueryTrade's 1000 trades must make it fail).
      const backfill = process.env.CAPFLOW_CHAIN_BACKFILL ?? 'auto';
      const proc = spawnCapflow(['connect', '--symbols', SYMBOLS.join(','), '--data', data, '--metrics-port', '0', '--backfill', backfill], {
        LONGPORT_APP_KEY: RELAY_CREDENTIAL.appKey,
        LONGPORT_APP_SECRET: RELAY_CREDENTIAL.appSecret,
        LONGPORT_ACCESS_TOKEN: RELAY_CREDENTIAL.accessToken,
        LONGPORT_HTTP_URL: `http://127.0.0.1:${ports.http}`,
        LONGPORT_QUOTE_WS_URL: `ws://127.0.0.1:${ports.http}/v2`,
      });
      procs.push(proc);
      return proc;
    };
    let ab: Proc | undefined = connectTo(aPorts, join(root, 'b'));
    let bc = connectTo(bPorts, join(root, 'c'));
    await eventually(() => ab!.output().includes('subscribed to the upstream') && bc.output().includes('subscribed to the upstream'), 'the connectors to subscribe');

    // Longer runs (RELIABILITY.md): CAPFLOW_CHAIN_TRADES=120000 CAPFLOW_CHAIN_BATCHES=200.
    const batches = Number(process.env.CAPFLOW_CHAIN_BATCHES ?? 40);
    const stream = tradeStream(SYMBOLS, DAY, Number(process.env.CAPFLOW_CHAIN_TRADES ?? 12_000), 7);
    const size = Math.ceil(stream.length / batches);
    /** The batch at a fraction of the stream: when each kill and restart happens. */
    const at = (fraction: number) => Math.floor(batches * fraction);
    const batch = (index: number) => post(() => aPorts.http, stream.slice(index * size, (index + 1) * size), `batch-${index}`);
    let retried = 0;
    for (let index = 0; index < batches; index++) {
      if (index === at(0.2)) await killed(ab); // mid-stream, with pushes in flight
      if (index === at(0.3)) {
        await killed(b); // B (C's upstream) dies and comes back on its data and ports
        b = await serve(join(root, 'b'), config, bPorts);
        procs.push(b);
      }
      if (index === at(0.4)) await killed(bc);
      if (index === at(0.5)) ab = connectTo(aPorts, join(root, 'b'));
      if (index === at(0.6)) bc = connectTo(bPorts, join(root, 'c'));
      if (index === at(0.65)) {
        // A is killed while this batch is being stored, then restarts on the same data and ports.
        const inFlight = batch(index);
        await new Promise((resolve) => setImmediate(resolve));
        await killed(a);
        a = await serve(join(root, 'a'), config, aPorts);
        procs.push(a);
        retried += (await inFlight) - 1;
        continue;
      }
      if (index === at(0.8)) {
        await killed(ab); // and once more, after A's restart
        ab = connectTo(aPorts, join(root, 'b'));
      }
      retried += (await batch(index)) - 1;
      await new Promise((resolve) => setTimeout(resolve, 20)); // a stream, not one burst
    }
    const posted = Date.now();
    const [ctxA, ctxB, ctxC] = (await Promise.all([aPorts, bPorts, c.ports].map((ports) => QuoteContext.new(configFor(ports.http))))) as [QuoteContext, QuoteContext, QuoteContext];
    try {
      // Every symbol's day on A holds its share of the stream, once.
      let total = 0;
      for (const symbol of SYMBOLS) total += (await ctxA.tradesAfter(symbol, { afterSequence: 0, count: 0 })).dayTrades;
      assert.equal(total, stream.length);
      for (const [name, ctx] of [
        ['B', ctxB],
        ['C', ctxC],
      ] as const) {
        await eventually(
          async () => {
            for (const symbol of SYMBOLS) {
              const [ofA, ofOther] = await Promise.all([ctxA.tradesAfter(symbol, { afterSequence: 0, count: 0 }), ctx.tradesAfter(symbol, { afterSequence: 0, count: 0 })]);
              if (ofA.dayTrades !== ofOther.dayTrades) return false;
            }
            return true;
          },
          `${name} to catch up with A`,
          60_000,
          250,
        );
        t.diagnostic(`${name} caught up ${Date.now() - posted} ms after the last POST`);
      }
      for (const symbol of SYMBOLS) {
        const ofA = await snapshot(ctxA, symbol);
        for (const [name, ctx] of [
          ['B', ctxB],
          ['C', ctxC],
        ] as const) {
          const other = await snapshot(ctx, symbol);
          assert.equal(other.trades.length, ofA.trades.length, `${name} ${symbol}`);
          assert.deepEqual(other.trades, ofA.trades, `${symbol}: ${name}'s trades equal A's`);
          assert.deepEqual(other.lines, ofA.lines, `${symbol}: ${name}'s lines equal A's`);
        }
      }
      t.diagnostic(`${stream.length} trades in ${batches} POSTs (${retried} retried); killed: A→B connector twice, B→C connector once, A once (mid-POST), B once`);
    } finally {
      await Promise.all([ctxA, ctxB, ctxC].map((ctx) => ctx.close()));
    }
    // The running connectors' /metrics: nothing lost on the way.
    for (const proc of [ab, bc]) {
      const url = /"metrics":"([^"]+)"/.exec(proc!.output())?.[1];
      assert.ok(url, 'the connector serves /metrics');
      const text = await (await fetch(url)).text();
      assert.match(text, /^capflow_connect_gaps_total 0$/m);
      assert.match(text, /^capflow_connect_connected 1$/m);
    }
  });
});
