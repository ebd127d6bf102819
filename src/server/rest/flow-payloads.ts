import type { DaySchedule } from '../../calendar/day-schedule.js';
import { minutesToHhmm } from '../../calendar/session-rules.js';
import { exchangeTime } from '../../calendar/time-zone.js';
import type { CapitalDistribution, CapitalFlowDetailLine, CapitalFlowLine, DayTotals } from '../../engine/day-flow.js';
import { MARKET_CURRENCY, MARKET_TIME_ZONE, type Market } from '../../model/market.js';
import type { ParsedSymbol } from '../../model/symbol.js';

/** The JSON shapes of the REST API and the SSE stream (documented in openapi-document.ts). */

/** One line: minute start (Unix s and exchange-local time), cumulative net inflow, optional detail. */
export type IntradayLineJson = CapitalFlowLine & { readonly time: string } & Partial<Pick<CapitalFlowDetailLine, 'in' | 'out'>>;

export interface SymbolDayJson {
  readonly symbol: string;
  readonly market: Market;
  readonly currency: string;
  readonly timeZone: string;
}

export interface IntradayJson extends SymbolDayJson {
  readonly date: string;
  /** Lines of the whole day (331 on a full HK day); `lines.length < totalLines` while the day runs. */
  readonly totalLines: number;
  /** Regular sessions of the day, exchange-local `HH:MM` (start inclusive, end exclusive). */
  readonly sessions: readonly { readonly start: string; readonly end: string }[];
  readonly lines: IntradayLineJson[];
}

export interface DistributionJson extends SymbolDayJson {
  readonly date: string;
  readonly timestamp: number;
  readonly time: string;
  readonly capitalIn: CapitalDistribution['capitalIn'];
  readonly capitalOut: CapitalDistribution['capitalOut'];
}

export interface DailyDayJson extends DayTotals {
  readonly date: string;
  /** False for the served day while it may still change (its totals are up to now). */
  readonly complete: boolean;
}

export interface DailyJson extends SymbolDayJson {
  readonly from: string;
  readonly to: string;
  readonly days: DailyDayJson[];
}

export function symbolDay(symbol: ParsedSymbol): SymbolDayJson {
  return {
    symbol: symbol.symbol,
    market: symbol.market,
    currency: MARKET_CURRENCY[symbol.market],
    timeZone: MARKET_TIME_ZONE[symbol.market],
  };
}

function hhmm(minutes: number): string {
  const value = minutesToHhmm(minutes);
  return `${String(Math.floor(value / 100)).padStart(2, '0')}:${String(value % 100).padStart(2, '0')}`;
}

export function intradayJson(
  symbol: ParsedSymbol,
  schedule: DaySchedule,
  lines: readonly (CapitalFlowLine | CapitalFlowDetailLine)[],
): IntradayJson {
  return {
    ...symbolDay(symbol),
    date: schedule.date,
    totalLines: schedule.lineCount,
    sessions: schedule.sessions.map((session) => ({ start: hhmm(session.start), end: hhmm(session.end) })),
    lines: lines.map((line) => lineJson(symbol.market, line)),
  };
}

/** `time` right after `timestamp`, so the JSON reads naturally; detail fields kept when present. */
export function lineJson(market: Market, line: CapitalFlowLine | CapitalFlowDetailLine): IntradayLineJson {
  const time = exchangeTime(market, line.timestamp * 1000);
  if ('in' in line) return { timestamp: line.timestamp, time, inflow: line.inflow, in: line.in, out: line.out };
  return { timestamp: line.timestamp, time, inflow: line.inflow };
}

export function distributionJson(symbol: ParsedSymbol, date: string, distribution: CapitalDistribution): DistributionJson {
  return {
    ...symbolDay(symbol),
    date,
    timestamp: distribution.timestamp,
    time: exchangeTime(symbol.market, distribution.timestamp * 1000),
    capitalIn: distribution.capitalIn,
    capitalOut: distribution.capitalOut,
  };
}
