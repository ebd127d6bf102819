import type { Market } from '../model/market.js';

/** A window of local wall time in minutes after local midnight, start inclusive, end exclusive. */
export interface SessionWindow {
  readonly start: number;
  readonly end: number;
}

/** LongPort `TradeSession`: 0 regular (intraday), 1 pre-market, 2 post-market, 3 overnight. */
export const TradeSession = {
  Intraday: 0,
  Pre: 1,
  Post: 2,
  Overnight: 3,
} as const;
export type TradeSession = (typeof TradeSession)[keyof typeof TradeSession];

/** A session of command 8 in local minutes (an overnight window has end < start: it wraps). */
export interface PeriodWindow extends SessionWindow {
  readonly session: TradeSession;
}

export interface MarketSessionRules {
  /** Regular sessions of a full day (docs/computation.md §5). */
  readonly full: readonly SessionWindow[];
  /** Regular sessions of a half day: the line-producing window, which for SG runs past the exchange's 12:00 close. */
  readonly half: readonly SessionWindow[];
  /** Closing-auction grace after the last session; its trades count in the line stamped at the session end. */
  readonly graceMinutes: number;
  /** Extended-hours windows listed by command 8 (US only), full and half day. */
  readonly extendedFull: readonly PeriodWindow[];
  readonly extendedHalf: readonly PeriodWindow[];
}

const hm = (hours: number, minutes: number): number => hours * 60 + minutes;

/**
 * Session hours per market. docs/computation.md §5 is authoritative for which minutes have lines
 * (it follows LongPort's own minute model), so a half day's windows come from here and not from
 * the `close` time in the calendar data (SG half days: lines 09:00–12:15 although the continuous
 * session closes at 12:00). CN has no half days; should the data ever list one, its morning
 * session is used.
 */
export const MARKET_SESSION_RULES: Readonly<Record<Market, MarketSessionRules>> = {
  HK: {
    full: [
      { start: hm(9, 30), end: hm(12, 0) },
      { start: hm(13, 0), end: hm(16, 0) },
    ],
    half: [{ start: hm(9, 30), end: hm(12, 0) }],
    graceMinutes: 10,
    extendedFull: [],
    extendedHalf: [],
  },
  US: {
    full: [{ start: hm(9, 30), end: hm(16, 0) }],
    half: [{ start: hm(9, 30), end: hm(13, 0) }],
    graceMinutes: 0,
    extendedFull: [
      { start: hm(4, 0), end: hm(9, 30), session: TradeSession.Pre },
      { start: hm(16, 0), end: hm(20, 0), session: TradeSession.Post },
      { start: hm(20, 0), end: hm(4, 0), session: TradeSession.Overnight },
    ],
    extendedHalf: [
      { start: hm(4, 0), end: hm(9, 30), session: TradeSession.Pre },
      { start: hm(13, 0), end: hm(17, 0), session: TradeSession.Post },
      { start: hm(20, 0), end: hm(4, 0), session: TradeSession.Overnight },
    ],
  },
  CN: {
    full: [
      { start: hm(9, 30), end: hm(11, 30) },
      { start: hm(13, 0), end: hm(15, 0) },
    ],
    half: [{ start: hm(9, 30), end: hm(11, 30) }],
    graceMinutes: 1,
    extendedFull: [],
    extendedHalf: [],
  },
  SG: {
    full: [
      { start: hm(9, 0), end: hm(12, 0) },
      { start: hm(13, 0), end: hm(17, 15) },
    ],
    half: [{ start: hm(9, 0), end: hm(12, 15) }],
    graceMinutes: 5,
    extendedFull: [],
    extendedHalf: [],
  },
};

/** Local minutes as the `hhmm` number of command 8 (e.g. 570 → 930). */
export function minutesToHhmm(minutes: number): number {
  const wrapped = ((minutes % 1440) + 1440) % 1440;
  return Math.floor(wrapped / 60) * 100 + (wrapped % 60);
}
