import { invalidRequest } from '../model/errors.js';
import { MARKETS, type Market } from '../model/market.js';
import { CALENDAR_DATA, type CalendarData } from './calendar-data.js';
import { DaySchedule } from './day-schedule.js';
import { MARKET_SESSION_RULES, minutesToHhmm, TradeSession, type PeriodWindow } from './session-rules.js';
import { dateToDayNumber, dayNumberToDate, localDayNumber, weekdayOf } from './time-zone.js';

export type DayStatus = 'full' | 'half' | 'closed';

/** A session of command 8: local `hhmm` bounds (overnight wraps: 2000 → 400) and its TradeSession. */
export interface TradePeriod {
  readonly begTime: number;
  readonly endTime: number;
  readonly session: TradeSession;
}

export interface CalendarCoverage {
  /** Years the bundled data covers; dates outside them are guessed (every weekday a full day). */
  readonly firstYear: number;
  readonly lastYear: number;
  /** Dates of this market in the data that are not yet officially published (projections, rule-derived). */
  readonly projected: readonly string[];
}

export interface TradingCalendar {
  readonly market: Market;
  dayKind(date: string): DayStatus;
  isGuessed(date: string): boolean;
  /** The day's sessions and lines; undefined when the market is closed that date. */
  schedule(date: string): DaySchedule | undefined;
  /** Trading days in [from, to] (inclusive): full days in `full`, half days only in `half`. */
  tradingDays(from: string, to: string): { full: string[]; half: string[] };
  /** The latest trading day strictly before `date`. */
  previousTradingDay(date: string): string;
  /** The earliest trading day strictly after `date`. */
  nextTradingDay(date: string): string;
  /** The latest trading day whose first session has started at `nowMs` (docs/computation.md §5). */
  servedDay(nowMs: number): DaySchedule;
  /** Command 8 periods of a date; for a closed date, those of a full day. */
  tradePeriods(date: string): TradePeriod[];
  coverage(): CalendarCoverage;
}

/** Weekend: Saturday (6) or Sunday (0). */
function isWeekend(dayNumber: number): boolean {
  const weekday = weekdayOf(dayNumber);
  return weekday === 0 || weekday === 6;
}

/** Parses `YYYY-MM-DD`; malformed input becomes the protocol's invalid-request error. */
function dayNumberOf(date: string): number {
  try {
    return dateToDayNumber(date);
  } catch {
    throw invalidRequest(`not a date (YYYY-MM-DD): ${date}`);
  }
}

/** Schedules are tiny but built from Intl look-ups; keep the recently asked ones. */
const SCHEDULE_CACHE_LIMIT = 1024;
/** Longest range tradingDays walks (about ten years), so a bad request cannot keep a server busy. */
export const MAX_TRADING_DAYS_SPAN = 3660;

class MarketCalendar implements TradingCalendar {
  readonly market: Market;
  private readonly holidays = new Set<string>();
  private readonly halfDays = new Set<string>();
  private readonly firstYear: number;
  private readonly lastYear: number;
  private readonly projected: readonly string[];
  private readonly schedules = new Map<string, DaySchedule>();

  constructor(market: Market, data: CalendarData) {
    this.market = market;
    const years = Object.keys(data[market]).map(Number);
    for (const [year, entry] of Object.entries(data[market])) {
      for (const date of entry.holidays) {
        if (!date.startsWith(year)) throw new RangeError(`calendar ${market} ${year}: stray date ${date}`);
        this.holidays.add(date);
      }
      for (const half of entry.half_days) this.halfDays.add(half.date);
    }
    this.firstYear = Math.min(...years);
    this.lastYear = Math.max(...years);
    this.projected = data.projected.filter((entry) => entry.market === market).map((entry) => entry.date);
  }

  private yearCovered(dayNumber: number): boolean {
    const year = Number(dayNumberToDate(dayNumber).slice(0, 4));
    return year >= this.firstYear && year <= this.lastYear;
  }

  private statusOf(dayNumber: number): DayStatus {
    if (isWeekend(dayNumber)) return 'closed';
    if (!this.yearCovered(dayNumber)) return 'full';
    const date = dayNumberToDate(dayNumber);
    if (this.holidays.has(date)) return 'closed';
    return this.halfDays.has(date) ? 'half' : 'full';
  }

  dayKind(date: string): DayStatus {
    return this.statusOf(dayNumberOf(date));
  }

  isGuessed(date: string): boolean {
    return !this.yearCovered(dayNumberOf(date));
  }

  schedule(date: string): DaySchedule | undefined {
    const cached = this.schedules.get(date);
    if (cached) return cached;
    const dayNumber = dayNumberOf(date);
    const status = this.statusOf(dayNumber);
    if (status === 'closed') return undefined;
    const built = new DaySchedule(this.market, date, status, !this.yearCovered(dayNumber));
    if (this.schedules.size >= SCHEDULE_CACHE_LIMIT) this.schedules.clear();
    this.schedules.set(date, built);
    return built;
  }

  tradingDays(from: string, to: string): { full: string[]; half: string[] } {
    const full: string[] = [];
    const half: string[] = [];
    const first = dayNumberOf(from);
    const last = dayNumberOf(to);
    if (last - first > MAX_TRADING_DAYS_SPAN) throw invalidRequest(`date range too long: ${from} to ${to}`);
    for (let day = first; day <= last; day++) {
      const status = this.statusOf(day);
      if (status === 'full') full.push(dayNumberToDate(day));
      else if (status === 'half') half.push(dayNumberToDate(day));
    }
    return { full, half };
  }

  private stepToTradingDay(dayNumber: number, step: 1 | -1): number {
    // Terminates: no data year closes more than a few consecutive weekdays.
    let day = dayNumber + step;
    while (this.statusOf(day) === 'closed') day += step;
    return day;
  }

  previousTradingDay(date: string): string {
    return dayNumberToDate(this.stepToTradingDay(dayNumberOf(date), -1));
  }

  nextTradingDay(date: string): string {
    return dayNumberToDate(this.stepToTradingDay(dayNumberOf(date), 1));
  }

  servedDay(nowMs: number): DaySchedule {
    if (!Number.isFinite(nowMs)) throw invalidRequest(`not an instant: ${nowMs}`);
    const today = localDayNumber(this.market, nowMs);
    const todays = this.statusOf(today) === 'closed' ? undefined : this.schedule(dayNumberToDate(today));
    if (todays && todays.firstSessionStartMs <= nowMs) return todays;
    const previous = this.schedule(dayNumberToDate(this.stepToTradingDay(today, -1)));
    if (!previous) throw new Error('unreachable: a trading day has a schedule');
    return previous;
  }

  tradePeriods(date: string): TradePeriod[] {
    const status = this.dayKind(date);
    const rules = MARKET_SESSION_RULES[this.market];
    const half = status === 'half';
    const regular: PeriodWindow[] = (half ? rules.half : rules.full).map((window) => ({
      ...window,
      session: TradeSession.Intraday,
    }));
    const windows = [...regular, ...(half ? rules.extendedHalf : rules.extendedFull)];
    return windows.map((window) => ({
      begTime: minutesToHhmm(window.start),
      endTime: minutesToHhmm(window.end),
      session: window.session,
    }));
  }

  coverage(): CalendarCoverage {
    return { firstYear: this.firstYear, lastYear: this.lastYear, projected: this.projected };
  }
}

const calendars = new Map<Market, TradingCalendar>();

/** The calendar of a market from the bundled data (one shared instance per market). */
export function calendarFor(market: Market): TradingCalendar {
  let calendar = calendars.get(market);
  if (!calendar) {
    calendar = new MarketCalendar(market, CALENDAR_DATA);
    calendars.set(market, calendar);
  }
  return calendar;
}

/** A calendar built from other data (tests, or an operator's updated file). */
export function createCalendar(market: Market, data: CalendarData): TradingCalendar {
  return new MarketCalendar(market, data);
}

/** Every market's calendar, in MARKETS order. */
export function allCalendars(): TradingCalendar[] {
  return MARKETS.map(calendarFor);
}
