import type { DaySchedule } from '../calendar/day-schedule.js';
import { calendarFor } from '../calendar/trading-calendar.js';
import { parseSymbol } from '../model/symbol.js';

/**
 * Whether a stored trade falls outside the lines of its trading day (before the open, in a
 * lunch break, after the closing grace period, or on a day its market is closed): such a trade
 * is kept and feeds the tick rule, but counts in no line, so an ingest summary names it apart
 * from the accepted ones. Schedules are kept per symbol-day asked.
 */
export class SessionCheck {
  private readonly schedules = new Map<string, DaySchedule | null>();

  outside(symbol: string, date: string, timestampMs: number): boolean {
    const schedule = this.scheduleOf(symbol, date);
    return schedule === null || schedule.lineIndexAt(timestampMs) < 0;
  }

  /** The day's schedule (null: the market is closed that date, or the symbol names no market). */
  scheduleOf(symbol: string, date: string): DaySchedule | null {
    const key = `${symbol} ${date}`;
    let schedule = this.schedules.get(key);
    if (schedule === undefined) {
      const market = parseSymbol(symbol)?.market;
      schedule = market === undefined ? null : (calendarFor(market).schedule(date) ?? null);
      if (this.schedules.size >= 100_000) this.schedules.clear();
      this.schedules.set(key, schedule);
    }
    return schedule;
  }
}
