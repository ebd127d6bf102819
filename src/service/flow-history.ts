import { dateToDayNumber, dayNumberToDate, weekdayOf } from '../calendar/time-zone.js';

/** History periods, as Futu and Tiger offer them (docs/figures.md). */
export const HISTORY_PERIODS = ['day', 'week', 'month', 'quarter', 'year'] as const;
export type HistoryPeriod = (typeof HISTORY_PERIODS)[number];

export function isHistoryPeriod(text: string): text is HistoryPeriod {
  return (HISTORY_PERIODS as readonly string[]).includes(text);
}

/** Range of a history request without `from`: this many calendar days ending at `to` (then snapped to its period's start). */
export const DEFAULT_HISTORY_SPAN_DAYS: Readonly<Record<HistoryPeriod, number>> = {
  day: 30,
  week: 182,
  month: 365,
  quarter: 730,
  year: 1826,
};
/** Longest history range, in calendar days (inclusive): ten years. */
export const MAX_HISTORY_RANGE_DAYS = 3660;

/**
 * First date of the period holding `date` (`YYYY-MM-DD`, a date of the exchange's local
 * calendar): the day itself; the ISO week's Monday; the month's, quarter's or year's first day.
 */
export function periodStart(date: string, period: HistoryPeriod): string {
  switch (period) {
    case 'day':
      return date;
    case 'week': {
      const day = dateToDayNumber(date);
      // weekdayOf: 0 = Sunday … 6 = Saturday; ISO weeks start on Monday.
      return dayNumberToDate(day - ((weekdayOf(day) + 6) % 7));
    }
    case 'month':
      return `${date.slice(0, 7)}-01`;
    case 'quarter': {
      const month = Number(date.slice(5, 7));
      const first = month - ((month - 1) % 3);
      return `${date.slice(0, 4)}-${String(first).padStart(2, '0')}-01`;
    }
    case 'year':
      return `${date.slice(0, 4)}-01-01`;
  }
}

/** Last calendar date of the period that starts at `start`. */
export function periodEnd(start: string, period: HistoryPeriod): string {
  switch (period) {
    case 'day':
      return start;
    case 'week':
      return dayNumberToDate(dateToDayNumber(start) + 6);
    case 'month':
    case 'quarter':
    case 'year': {
      const year = Number(start.slice(0, 4));
      const month = Number(start.slice(5, 7));
      const months = period === 'month' ? 1 : period === 'quarter' ? 3 : 12;
      const next = month - 1 + months;
      const nextStart = `${year + Math.floor(next / 12)}-${String((next % 12) + 1).padStart(2, '0')}-01`;
      return dayNumberToDate(dateToDayNumber(nextStart) - 1);
    }
  }
}

/** Trading days grouped by period, in date order: [period start, its days]. */
export function groupByPeriod(dates: readonly string[], period: HistoryPeriod): Array<[string, string[]]> {
  const groups = new Map<string, string[]>();
  for (const date of [...dates].sort()) {
    const start = periodStart(date, period);
    const group = groups.get(start);
    if (group) group.push(date);
    else groups.set(start, [date]);
  }
  return [...groups];
}
