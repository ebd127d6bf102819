import { dateToDayNumber, dayNumberToDate } from '../../calendar/time-zone.js';
import { calendarFor } from '../../calendar/trading-calendar.js';
import type { Market } from '../../model/market.js';

/** Window lengths a ranking may span, in trading days. */
export const RANKING_WINDOWS = [1, 3, 5, 10] as const;
export type RankingWindow = (typeof RANKING_WINDOWS)[number];

/**
 * The `count` trading days (full and half days, as the market's calendar has them) ending at
 * `end`, oldest first. `end` must itself be a trading day.
 */
export function tradingWindow(market: Market, end: string, count: number): string[] {
  const calendar = calendarFor(market);
  const endDay = dateToDayNumber(end);
  // Long holidays (Lunar New Year, National Day) close at most ~9 calendar days in a row.
  let span = count * 2 + 14;
  for (;;) {
    const { full, half } = calendar.tradingDays(dayNumberToDate(endDay - span + 1), end);
    const days = [...full, ...half].sort();
    if (days.length >= count || span > 3000) return days.slice(-count);
    span *= 2;
  }
}
