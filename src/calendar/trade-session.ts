import type { DaySchedule } from './day-schedule.js';
import { MARKET_SESSION_RULES, TradeSession, type SessionWindow } from './session-rules.js';
import { localMinuteOfDay } from './time-zone.js';

function contains(window: SessionWindow, minute: number): boolean {
  // An overnight window wraps midnight (end < start).
  return window.start < window.end ? minute >= window.start && minute < window.end : minute >= window.start || minute < window.end;
}

/**
 * LongPort's `TradeSession` of a trade at `epochMs` on a trading day: regular hours are
 * `Intraday`; US pre-market, post-market and overnight trades get their extended session (the
 * windows command 8 lists, half-day aware). Markets without extended hours are always Intraday.
 */
export function tradeSessionAt(schedule: DaySchedule, epochMs: number): TradeSession {
  const rules = MARKET_SESSION_RULES[schedule.market];
  const extended = schedule.kind === 'half' ? rules.extendedHalf : rules.extendedFull;
  if (extended.length === 0) return TradeSession.Intraday;
  const minute = localMinuteOfDay(schedule.market, epochMs);
  if (schedule.sessions.some((session) => contains(session, minute))) return TradeSession.Intraday;
  const window = extended.find((one) => contains(one, minute));
  if (window) return window.session;
  // Between listed windows (a half day's 17:00–20:00): before the open is pre-, after the close post-market.
  return minute < (schedule.sessions[0]?.start ?? 0) ? TradeSession.Pre : TradeSession.Post;
}
