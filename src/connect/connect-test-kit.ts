/**
 * Shared by the connector's tests: capflow servers over data directories that can be stopped
 * and started again on the same ports, a seeded stream of trades, and the comparison of two
 * servers' lines and trade tapes.
 */
import { calendarFor } from '../calendar/trading-calendar.js';
import { Config } from '../client/index.js';
import { parseSymbol } from '../model/symbol.js';
import { parseDecimal } from '../model/decimal.js';
import { Direction, type Trade } from '../model/trade.js';
import type { Credential } from '../server/auth/credential.js';
import { startCapflowServer, type RunningServer } from '../server/capflow-server.js';
import { storeTrades, testCredential } from '../server/server-test-kit.js';
import { FlowService } from '../service/flow-service.js';
import { MarketClock } from '../service/market-clock.js';
import type { TapeTrade } from '../service/tape-day.js';
import { SqliteFlowStore } from '../store/sqlite-flow-store.js';

export const RELAY_CREDENTIAL: Credential = testCredential({ appKey: 'relay-key', appSecret: 'relay-secret', accessToken: 'relay-token' });

export interface TestNode {
  readonly dir: string;
  readonly store: SqliteFlowStore;
  readonly flows: FlowService;
  readonly server: RunningServer;
  readonly ports: { http: number; tcp: number };
  ingest(trades: readonly Trade[]): Promise<void>;
  stop(): Promise<void>;
}

/** A capflow server on `dir` (feed clock), on the given ports or free ones. */
export async function nodeOn(dir: string, ports?: { http: number; tcp: number }, securities: readonly string[] = []): Promise<TestNode> {
  const store = await SqliteFlowStore.open(dir);
  const clock = new MarketClock({ kind: 'feed' });
  const flows = await FlowService.open({ store, clock, securities, pollIntervalMs: 20 });
  const server = await startCapflowServer({ store, flows, clock, credentials: [RELAY_CREDENTIAL], port: ports?.http ?? 0, tcpPort: ports?.tcp ?? 0 });
  return {
    dir,
    store,
    flows,
    server,
    ports: { http: server.httpPort, tcp: server.tcpPort! },
    ingest: async (trades) => {
      await storeTrades(store, trades);
      await flows.poll();
    },
    stop: async () => {
      await server.stop();
      await store.close();
    },
  };
}

/** The client configuration of a node (reconnecting quickly, for tests). */
export function configOf(port: number): Config {
  return new Config({
    appKey: RELAY_CREDENTIAL.appKey,
    appSecret: RELAY_CREDENTIAL.appSecret,
    accessToken: RELAY_CREDENTIAL.accessToken,
    httpUrl: `http://127.0.0.1:${port}`,
    quoteWsUrl: `ws://127.0.0.1:${port}/v2`,
    reconnectDelayMs: 20,
    maxReconnectDelayMs: 200,
    requestTimeoutMs: 5_000,
  });
}

/** A seeded generator (mulberry32). */
export function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A stream of trades of `symbols` on one day, in time order from the first session start: prices
 * on a 0.01 grid around 100, a third without a side (the tick rule decides), some with quotes,
 * a few auction (`U`) and off-exchange (`M`, HK) prints, some identical trades in a row. Times
 * carry milliseconds (the wire drops them).
 */
export function tradeStream(symbols: readonly string[], date: string, count: number, seed = 1): Trade[] {
  const random = seeded(seed);
  const starts = new Map(symbols.map((symbol) => [symbol, calendarFor(parseSymbol(symbol)!.market).schedule(date)!.firstSessionStartMs]));
  const prices = new Map(symbols.map((symbol) => [symbol, 10_000]));
  const trades: Trade[] = [];
  let previous: Trade | undefined;
  for (let i = 0; i < count; i++) {
    const symbol = symbols[Math.floor(random() * symbols.length)]!;
    if (previous && previous.symbol === symbol && random() < 0.05) {
      trades.push({ ...previous }); // the same trade again (a real feed has these)
      continue;
    }
    const at = starts.get(symbol)! + Math.floor(i * (3_600_000 / count)) + Math.floor(random() * 1000);
    const cents = Math.max(100, prices.get(symbol)! + Math.floor(random() * 7) - 3);
    prices.set(symbol, cents);
    const price = parseDecimal(`${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`)!;
    const roll = random();
    const trade: { -readonly [K in keyof Trade]: Trade[K] } = { symbol, timestamp: at, price, volume: 100 * (1 + Math.floor(random() * 20)) };
    if (roll < 0.3) trade.direction = Direction.Up;
    else if (roll < 0.6) trade.direction = Direction.Down;
    else if (roll < 0.65) trade.direction = Direction.Neutral;
    if (random() < 0.2) {
      trade.bid = { units: price.units - 1n, scale: 2 };
      trade.ask = { units: price.units + 1n + BigInt(Math.floor(random() * 2)), scale: 2 };
    }
    const kind = random();
    if (kind < 0.02) trade.tradeType = 'U';
    else if (kind < 0.03 && symbol.endsWith('.HK')) trade.tradeType = 'M';
    trades.push(trade);
    previous = trade;
  }
  return trades;
}

/** Every trade of a symbol's served day on a node's tape, in sequence order. */
export async function tapeOf(node: TestNode, symbol: string): Promise<TapeTrade[]> {
  const parsed = parseSymbol(symbol)!;
  const date = node.flows.servedSchedule(parsed.market).date;
  const all: TapeTrade[] = [];
  for (;;) {
    const page = await node.server.trades.tape.tradesAfter(parsed, date, all.length, 5000);
    all.push(...page.trades);
    if (page.trades.length === 0 || all.length >= page.dayTrades) return all;
  }
}

/** The served day's lines of a symbol on a node (command 24's content). */
export async function linesOf(node: TestNode, symbol: string): Promise<{ date: string; lines: readonly { timestamp: number; inflow: string }[] }> {
  const flow = await node.flows.capitalFlow(parseSymbol(symbol)!);
  return { date: flow.date, lines: flow.lines };
}

/** Waits until `condition` holds (polling), or fails after `timeoutMs` with `what`. */
export async function eventually(condition: () => Promise<boolean> | boolean, what: string, timeoutMs = 20_000, everyMs = 25): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
