/** Deterministic trade streams and line comparisons for the scale-out tests. */
import { calendarFor } from '../calendar/trading-calendar.js';
import { computeDayLines } from '../engine/index.js';
import type { CapitalFlowLine } from '../engine/index.js';
import type { FlowStore, TradeToStore } from '../store/flow-store.js';

export const SCALE_TEST_DATE = '2024-06-14';
export const SCALE_TEST_SYMBOLS = ['700.HK', '5.HK', '9988.HK', '1299.HK'] as const;
/** After the HK day's end: every line is visible. */
const AFTER_CLOSE = Date.parse('2024-06-14T23:00:00+08:00');

/**
 * `count` HK trades across the test symbols, with prices walking up and down and no declared side,
 * so the tick rule classifies them: applying a symbol's trades out of order or twice changes its lines.
 */
export function generateTrades(count: number): TradeToStore[] {
  const start = Date.parse('2024-06-14T09:30:00+08:00');
  const trades: TradeToStore[] = [];
  let state = 12345;
  const prices = new Map<string, number>(SCALE_TEST_SYMBOLS.map((s, k) => [s, 30000 + 1000 * k]));
  for (let n = 0; n < count; n++) {
    state = (state * 1103515245 + 12345) % 2147483648;
    const symbol = SCALE_TEST_SYMBOLS[state % SCALE_TEST_SYMBOLS.length]!;
    const price = prices.get(symbol)! + ((state >> 8) % 5) - 2;
    prices.set(symbol, price);
    trades.push({
      trade: {
        symbol,
        timestamp: start + Math.floor((n * 2 * 3600_000) / count),
        price: { units: BigInt(price), scale: 2 },
        volume: 100 * (1 + ((state >> 4) % 20)),
      },
      date: SCALE_TEST_DATE,
    });
  }
  return trades;
}

/** Lines of each symbol when its trades are applied once, in the given order (the uninterrupted run). */
export function expectedLines(trades: readonly TradeToStore[]): Map<string, CapitalFlowLine[]> {
  const schedule = calendarFor('HK').schedule(SCALE_TEST_DATE)!;
  const lines = new Map<string, CapitalFlowLine[]>();
  for (const symbol of SCALE_TEST_SYMBOLS) {
    lines.set(symbol, computeDayLines(schedule, trades.filter((t) => t.trade.symbol === symbol).map((t) => t.trade), AFTER_CLOSE));
  }
  return lines;
}

/** Lines of each symbol rebuilt from what a store holds. */
export async function storedLines(store: FlowStore): Promise<Map<string, CapitalFlowLine[]>> {
  const schedule = calendarFor('HK').schedule(SCALE_TEST_DATE)!;
  const lines = new Map<string, CapitalFlowLine[]>();
  for (const symbol of SCALE_TEST_SYMBOLS) {
    lines.set(symbol, computeDayLines(schedule, await store.tradesOfDay(symbol, SCALE_TEST_DATE), AFTER_CLOSE));
  }
  return lines;
}
