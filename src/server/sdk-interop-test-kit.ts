/**
 * What the official-SDK interop tests share: the fixture day, the expected answers computed by the
 * engine, and the parsing of the SDKs' error text.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { calendarFor } from '../calendar/trading-calendar.js';
import { computeDayLines, DayFlow } from '../engine/index.js';
import { parseSymbol } from '../model/symbol.js';
import type { Trade } from '../model/trade.js';
import { storeTrades, trade, type TestServer } from './server-test-kit.js';

/** The bundled sample day `serve --demo` ingests (the CLI's SAMPLE_FILE), found from the compiled tree. */
const SAMPLE_FILE = resolve(dirname(fileURLToPath(import.meta.url)), '../../samples/sse-600000-2023-02-01.csv.gz');

export const HK_DAY = [
  trade('700.HK', '2024-06-14T09:30:00.000+08:00', '320.0', 1000), // first trade of the day: neutral
  trade('700.HK', '2024-06-14T09:30:30+08:00', '320.2', 500), // up-tick: +160,100
  trade('700.HK', '2024-06-14T09:31:00+08:00', '320.2', 100), // zero tick after an up move: +32,020
  trade('700.HK', '2024-06-14T09:45:00+08:00', '319.8', 300, '', { bid: '319.8', ask: '320.0' }), // at the bid: -95,940
  trade('700.HK', '2024-06-14T10:00:00+08:00', '320.1', 200, '', { bid: '320.0', ask: '320.2' }), // midpoint → tick up: +64,020
  trade('700.HK', '2024-06-14T16:08:00+08:00', '322.0', 1000), // closing auction without a side: neutral
  trade('700.HK', '2024-06-14T16:09:00+08:00', '322.0', 100, 'down'), // auction with a side: -32,200 in 16:00
  trade('700.HK', '2024-06-14T16:11:00+08:00', '330.0', 100, 'up'), // after the grace period: no line
];
export const US_DAY = [
  trade('AAPL.US', '2024-06-14T09:29:59-04:00', '212.00', 100), // pre-market: feeds the tick rule only
  trade('AAPL.US', '2024-06-14T09:30:00.000-04:00', '212.05', 100), // up-tick: +21,205
  trade('AAPL.US', '2024-06-14T12:00:00-04:00', '211.9999', 3, 'sell'), // -635.9997
  trade('AAPL.US', '2024-06-14T15:59:59.999-04:00', '212.10', 10), // up-tick: +2,121
  trade('AAPL.US', '2024-06-14T16:00:00.000-04:00', '212.20', 100, 'up'), // post-market: no line
];
export const SG_DAY = [
  trade('D05.SG', '2024-06-14T09:00:00+08:00', '35.07', 100, 'up'), // +3,507
  trade('D05.SG', '2024-06-14T12:30:00+08:00', '35.20', 100, 'up'), // lunch: no line
  trade('D05.SG', '2024-06-14T17:16:00+08:00', '35.10', 1000), // closing routine without a side: neutral
  trade('D05.SG', '2024-06-14T17:17:00+08:00', '35.10', 200, 'up'), // +7,020 in the 17:15 line
];

/** Each market's fixture day (600000.SH: the bundled sample file), its line count and last line. */
export const FLOW_CASES: readonly { symbol: string; trades: readonly Trade[] | undefined; lines: number; last: string }[] = [
  { symbol: '700.HK', trades: HK_DAY, lines: 331, last: '128000.000' },
  { symbol: 'AAPL.US', trades: US_DAY, lines: 390, last: '22690.000' },
  { symbol: '600000.SH', trades: undefined, lines: 241, last: '-24384680.860' },
  { symbol: 'D05.SG', trades: SG_DAY, lines: 436, last: '10527.000' },
];

/** What the engine computes for a symbol's served day at the server clock's now (stored trades unless given). */
export async function engineLines(t: TestServer, symbol: string, trades?: readonly Trade[]) {
  const parsed = parseSymbol(symbol)!;
  const now = t.clock.now(parsed.market);
  const schedule = calendarFor(parsed.market).servedDay(now);
  const dayTrades = trades ?? (await t.store.tradesOfDay(parsed.symbol, schedule.date));
  return computeDayLines(schedule, dayTrades, now);
}

/** The engine's capital distribution of a symbol's served day at the server clock's now (stored trades unless given). */
export async function engineDistribution(t: TestServer, symbol: string, trades?: readonly Trade[]) {
  const parsed = parseSymbol(symbol)!;
  const now = t.clock.now(parsed.market);
  const day = new DayFlow(calendarFor(parsed.market).servedDay(now));
  for (const one of trades ?? (await t.store.tradesOfDay(parsed.symbol, day.schedule.date))) day.add(one);
  return day.distribution(now);
}

/** Parses the official Node SDKs' `response error: {status}: detail:…{ code: N, …}` message. */
export function wireError(error: unknown): { status: number; code: number } {
  const message = error instanceof Error ? error.message : String(error);
  const match = /response error: (\d+): detail:.*code: (\d+)/.exec(message);
  assert.ok(match, `not a response error: ${message}`);
  return { status: Number(match[1]), code: Number(match[2]) };
}

/** A trade as the official Node SDKs show it (price text, ms of whole seconds, enums as numbers). */
export interface SdkTrade {
  price: string;
  volume: number;
  timestamp: number;
  tradeType: string;
  direction: number;
  tradeSession: number;
}

/** The expected SDK trade: `time` is an ISO instant (sub-second digits are dropped on the wire). */
export function sdkTrade(price: string, volume: number, time: string, direction: number, tradeType = '', tradeSession = 0): SdkTrade {
  return { price, volume, timestamp: Math.floor(Date.parse(time) / 1000) * 1000, tradeType, direction, tradeSession };
}

/** HK_DAY as the trade tape shows it: the sides of the comments above (0 neutral, 1 down, 2 up). */
export const HK_TAPE: readonly SdkTrade[] = [
  sdkTrade('320.0', 1000, '2024-06-14T09:30:00+08:00', 0),
  sdkTrade('320.2', 500, '2024-06-14T09:30:30+08:00', 2),
  sdkTrade('320.2', 100, '2024-06-14T09:31:00+08:00', 2),
  sdkTrade('319.8', 300, '2024-06-14T09:45:00+08:00', 1),
  sdkTrade('320.1', 200, '2024-06-14T10:00:00+08:00', 2),
  sdkTrade('322.0', 1000, '2024-06-14T16:08:00+08:00', 0),
  sdkTrade('322.0', 100, '2024-06-14T16:09:00+08:00', 1),
  sdkTrade('330.0', 100, '2024-06-14T16:11:00+08:00', 2),
];

/** The bundled sample day read straight from its CSV text: every row as an SDK trade (the feed gives each side). */
export const SAMPLE_TAIL: readonly SdkTrade[] = (() => {
  const sides: Record<string, number> = { neutral: 0, down: 1, up: 2 };
  const rows = gunzipSync(readFileSync(SAMPLE_FILE)).toString('utf8').trim().split('\n').slice(1);
  return rows.map((row) => {
    const [, time, price, volume, side] = row.split(',');
    return sdkTrade(price!, Number(volume), time!, sides[side!]!);
  });
})();

/** Stores each group of trades and applies it before the next (so they are accepted in this order). */
export async function ingestInTurn(t: TestServer, groups: readonly (readonly Trade[])[]): Promise<void> {
  for (const group of groups) {
    await storeTrades(t.store, group);
    await t.flows.poll();
  }
}
