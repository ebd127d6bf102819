import { calendarFor } from '../../../calendar/trading-calendar.js';
import type { Market } from '../../../model/market.js';

const MS_PER_MINUTE = 60_000;

interface MinuteOfMarket {
  readonly minute: number;
  /** The served date of every instant of the minute, or undefined when it changes inside it. */
  readonly date: string | undefined;
}

/**
 * The date of the day served at an instant (TradingCalendar.servedDay, as FlowService.servedSchedule
 * computes it), remembered per market for one UTC minute, so a request costs no calendar and
 * time-zone work. Exact, not an approximation: the served day never moves backwards as time
 * moves forward, so when the first and the last millisecond of a minute are served the same day,
 * every instant between is too. A minute in which it changes (a session opening, a local
 * midnight off the minute grid) is answered instant by instant.
 */
export class ServedDateCache {
  private readonly minutes = new Map<Market, MinuteOfMarket>();

  servedDate(market: Market, nowMs: number): string {
    const minute = Math.floor(nowMs / MS_PER_MINUTE);
    let known = this.minutes.get(market);
    if (known === undefined || known.minute !== minute) {
      if (!Number.isFinite(nowMs)) return calendarFor(market).servedDay(nowMs).date; // throws the calendar's own error
      known = { minute, date: uniformServedDate(market, minute) };
      this.minutes.set(market, known);
    }
    return known.date ?? calendarFor(market).servedDay(nowMs).date;
  }
}

function uniformServedDate(market: Market, minute: number): string | undefined {
  const calendar = calendarFor(market);
  const first = calendar.servedDay(minute * MS_PER_MINUTE).date;
  const last = calendar.servedDay((minute + 1) * MS_PER_MINUTE - 1).date;
  return first === last ? first : undefined;
}
