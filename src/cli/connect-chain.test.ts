/**
 * Acceptance of `capflow connect` with real processes: capflow A takes trades over signed
 * `POST /v1/ingest` while `capflow connect` feeds capflow B (B's data directory) from A. The
 * connector is killed with SIGKILL and started again mid-stream, and A is killed and started
 * again on the same data and ports; every POST is retried under its Idempotency-Key until A
 * answers. At the end B's trades (fields, sides and sequences) and lines equal A's for every
 * symbol.
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

describe('capflow connect: B equals A across SIGKILLs of the connector and of A', { timeout: 180_000 }, () => {
  const root = mkdtempSync(join(tmpdir(), 'capflow-chain-'));
  const procs: (Proc | undefined)[] = [];
  after(async () => {
    await Promise.all(procs.map(killed));
    rmSync(root, { recursive: true, force: true });
  });

  it('relays every trade once, with its side, whatever was killed', async (t) => {
    const config = join(root, 'capflow.json');
    writeFileSync(
      config,
      JSON.stringify({
        credentials: [
          { appKey: RELAY_CREDENTIAL.appKey, appSecret: RELAY_CREDENTIAL.appSecret, accessToken: RELAY_CREDENTIAL.accessToken, markets: ['HK', 'US', 'CN', 'SG'] },
          // The test's own observer, so that its queries never take the connector's rate-limit tokens.
          { ...OBSERVER, markets: ['HK', 'US', 'CN', 'SG'] },
        ],
        securities: SYMBOLS,
      }),
    );
    let a = await serve(join(root, 'a'), config);
    procs.push(a);
    const b = await serve(join(root, 'b'), config);
    procs.push(b);
    const aPorts = a.ports;
    const connectArgs = ['connect', '--symbols', SYMBOLS.join(','), '--data', join(root, 'b'), '--metrics-port', '0'];
    const connectEnv = {
      LONGPORT_APP_KEY: RELAY_CREDENTIAL.appKey,
      LONGPORT_APP_SECRET: RELAY_CREDENTIAL.appSecret,
      LONGPORT_ACCESS_TOKEN: RELAY_CREDENTIAL.accessToken,
      LONGPORT_HTTP_URL: `http://127.0.0.1:${aPorts.http}`,
      LONGPORT_QUOTE_WS_URL: `ws://127.0.0.1:${aPorts.http}/v2`,
    };
    let connector: Proc | undefined = spawnCapflow(connectArgs, connectEnv);
    procs.push(connector);
    await eventually(() => connector!.output().includes('subscribed to the upstream'), 'the connector to subscribe');

    const stream = tradeStream(SYMBOLS, DAY, 12_000, 7);
    const batches = 40;
    const size = stream.length / batches;
    let retried = 0;
    for (let index = 0; index < batches; index++) {
      if (index === 8) await killed(connector); // mid-stream, with pushes in flight
      if (index === 20) {
        connector = spawnCapflow(connectArgs, connectEnv);
        procs.push(connector);
      }
      if (index === 26) {
        // A is killed while this batch is being stored, then restarts on the same data and ports.
        const inFlight = post(() => aPorts.http, stream.slice(index * size, (index + 1) * size), `batch-${index}`);
        await new Promise((resolve) => setTimeout(resolve, 5));
        await killed(a);
        a = await serve(join(root, 'a'), config, aPorts);
        procs.push(a);
        retried += (await inFlight) - 1;
        continue;
      }
      if (index === 32) {
        await killed(connector); // and once more, after A's restart
        connector = spawnCapflow(connectArgs, connectEnv);
        procs.push(connector);
      }
      retried += (await post(() => aPorts.http, stream.slice(index * size, (index + 1) * size), `batch-${index}`)) - 1;
      await new Promise((resolve) => setTimeout(resolve, 20)); // a stream, not one burst
    }
    const posted = Date.now();
    const ctxA = await QuoteContext.new(configFor(aPorts.http));
    const ctxB = await QuoteContext.new(configFor(b.ports.http));
    try {
      // Every symbol's day on A holds its share of the stream, once.
      let total = 0;
      for (const symbol of SYMBOLS) total += (await ctxA.tradesAfter(symbol, { afterSequence: 0, count: 0 })).dayTrades;
      assert.equal(total, stream.length);
      await eventually(
        async () => {
          for (const symbol of SYMBOLS) {
            const [ofA, ofB] = await Promise.all([ctxA.tradesAfter(symbol, { afterSequence: 0, count: 0 }), ctxB.tradesAfter(symbol, { afterSequence: 0, count: 0 })]);
            if (ofA.dayTrades !== ofB.dayTrades) return false;
          }
          return true;
        },
        'B to catch up with A',
        60_000,
        250,
      );
      t.diagnostic(`${stream.length} trades in ${batches} POSTs (${retried} retried), connector killed twice, A once; B caught up ${Date.now() - posted} ms after the last POST`);
      for (const symbol of SYMBOLS) {
        const [ofA, ofB] = [await snapshot(ctxA, symbol), await snapshot(ctxB, symbol)];
        assert.equal(ofB.trades.length, ofA.trades.length, symbol);
        assert.deepEqual(ofB.trades, ofA.trades, `${symbol}: B's trades equal A's`);
        assert.deepEqual(ofB.lines, ofA.lines, `${symbol}: B's lines equal A's`);
      }
    } finally {
      await ctxA.close();
      await ctxB.close();
    }
  });
});
