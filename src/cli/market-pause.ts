import { exchangeTime, zonedEpochMs } from '../calendar/time-zone.js';
import { calendarFor } from '../calendar/trading-calendar.js';
import type { Market } from '../model/market.js';

/** `2024-06-17 09:30 (+08:00)`: an exchange-local minute for a person to read. */
function readableMinute(market: Market, epochMs: number): string {
  const iso = exchangeTime(market, epochMs);
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} (${iso.slice(19)})`;
}

/**
 * Why a served day's lines stop where they do, when it is because trading paused: the day is
 * complete (the market is closed until its next trading day) or the last line ends a session
 * before a break. Judged from the server's view (its day and line count), so a replay clock is
 * followed too; undefined while the market trades.
 */
export function marketPauseNotice(market: Market, date: string, visibleLines: number): string | undefined {
  const calendar = calendarFor(market);
  const schedule = calendar.schedule(date);
  if (!schedule || visibleLines <= 0) return undefined;
  if (visibleLines >= schedule.lineCount) {
    const next = calendar.schedule(calendar.nextTradingDay(date));
    return next && `${market} market closed; the next session opens ${readableMinute(market, next.firstSessionStartMs)}`;
  }
  const lastMinute = schedule.lineMinutes[visibleLines - 1];
  const sessions = schedule.sessions;
  for (let index = 0; index + 1 < sessions.length; index++) {
    if (lastMinute === sessions[index]!.end - 1) {
      const resumes = zonedEpochMs(market, date, sessions[index + 1]!.start);
      return `${market} market on its break after the session ending ${readableMinute(market, zonedEpochMs(market, date, sessions[index]!.end)).slice(11, 16)}; trading resumes ${readableMinute(market, resumes)}`;
    }
  }
  return undefined;
}
