import type { DaySchedule } from '../../calendar/day-schedule.js';
import { minutesToHhmm } from '../../calendar/session-rules.js';
import { exchangeTime } from '../../calendar/time-zone.js';
import type { CapitalDistribution, CapitalFlowDetailLine, CapitalFlowLine } from '../../engine/day-flow.js';
import type { Distribution, Intraday, Line } from '../../contract/schemas.js';
import { MARKET_CURRENCY, MARKET_TIME_ZONE, type Market } from '../../model/market.js';
import type { ParsedSymbol } from '../../model/symbol.js';

/** Builders of the REST API's and the live stream's payloads; their types are the contract's (src/contract/schemas.ts). */

/** What every answer about one symbol starts with. */
export type SymbolDay = Pick<Intraday, 'symbol' | 'market' | 'currency' | 'timeZone'>;

export function symbolDay(symbol: ParsedSymbol): SymbolDay {
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
): Intraday {
  return {
    ...symbolDay(symbol),
    date: schedule.date,
    totalLines: schedule.lineCount,
    sessions: schedule.sessions.map((session) => ({ start: hhmm(session.start), end: hhmm(session.end) })),
    lines: lines.map((line) => lineJson(symbol.market, line)),
  };
}

/** `time` right after `timestamp`, so the JSON reads naturally; detail fields kept when present. */
export function lineJson(market: Market, line: CapitalFlowLine | CapitalFlowDetailLine): Line {
  const time = exchangeTime(market, line.timestamp * 1000);
  if ('in' in line) return { timestamp: line.timestamp, time, inflow: line.inflow, in: line.in, out: line.out };
  return { timestamp: line.timestamp, time, inflow: line.inflow };
}

export function distributionJson(symbol: ParsedSymbol, date: string, distribution: CapitalDistribution): Distribution {
  return {
    ...symbolDay(symbol),
    date,
    timestamp: distribution.timestamp,
    time: exchangeTime(symbol.market, distribution.timestamp * 1000),
    capitalIn: distribution.capitalIn,
    capitalOut: distribution.capitalOut,
  };
}
