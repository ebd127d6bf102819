import { MARKET_TIME_ZONE, type Market } from '../model/market.js';

/**
 * Conversions between instants (epoch ms) and market-local wall time. Offsets come from the
 * platform's time-zone database (Intl), so US daylight saving follows the real rules of each
 * year; they are cached per UTC hour because an offset never changes inside an hour here.
 */

const MS_PER_MINUTE = 60_000;
const MS_PER_HOUR = 3_600_000;
export const MS_PER_DAY = 86_400_000;

const formatters = new Map<string, Intl.DateTimeFormat>();
const offsetCache = new Map<string, Map<number, number>>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

function computeOffset(timeZone: string, epochMs: number): number {
  const parts = formatterFor(timeZone).formatToParts(new Date(epochMs));
  const field = (type: string): number => Number(parts.find((p) => p.type === type)?.value ?? 0);
  const wall = Date.UTC(field('year'), field('month') - 1, field('day'), field('hour'), field('minute'), field('second'));
  const truncated = epochMs - (((epochMs % 1000) + 1000) % 1000);
  return wall - truncated;
}

/** Offset of the zone from UTC at an instant, in ms (local = utc + offset). */
export function zoneOffsetMs(timeZone: string, epochMs: number): number {
  let byHour = offsetCache.get(timeZone);
  if (!byHour) {
    byHour = new Map();
    offsetCache.set(timeZone, byHour);
  }
  const hour = Math.floor(epochMs / MS_PER_HOUR);
  let offset = byHour.get(hour);
  if (offset === undefined) {
    offset = computeOffset(timeZone, hour * MS_PER_HOUR);
    byHour.set(hour, offset);
  }
  return offset;
}

export function marketOffsetMs(market: Market, epochMs: number): number {
  return zoneOffsetMs(MARKET_TIME_ZONE[market], epochMs);
}

/** Local wall-clock time of an instant, as ms since the local epoch (1970-01-01T00:00 local). */
export function localWallMs(market: Market, epochMs: number): number {
  return epochMs + marketOffsetMs(market, epochMs);
}

/** Local calendar day of an instant as a day number (days since 1970-01-01). */
export function localDayNumber(market: Market, epochMs: number): number {
  return Math.floor(localWallMs(market, epochMs) / MS_PER_DAY);
}

/** Local calendar date of an instant as `YYYY-MM-DD` (the trade's trading day). */
export function localDate(market: Market, epochMs: number): string {
  return dayNumberToDate(localDayNumber(market, epochMs));
}

/** Minutes after local midnight of an instant (fractional part dropped). */
export function localMinuteOfDay(market: Market, epochMs: number): number {
  const wall = localWallMs(market, epochMs);
  return Math.floor((wall - Math.floor(wall / MS_PER_DAY) * MS_PER_DAY) / MS_PER_MINUTE);
}

/** The instant at which local wall time `date` + `minuteOfDay` occurs. */
export function zonedEpochMs(market: Market, date: string, minuteOfDay: number): number {
  const wall = dateToDayNumber(date) * MS_PER_DAY + minuteOfDay * MS_PER_MINUTE;
  const first = wall - marketOffsetMs(market, wall);
  const second = wall - marketOffsetMs(market, first);
  return second;
}

export function dayNumberToDate(dayNumber: number): string {
  return new Date(dayNumber * MS_PER_DAY).toISOString().slice(0, 10);
}

const DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Day number of `YYYY-MM-DD` (throws RangeError when malformed). */
export function dateToDayNumber(date: string): number {
  const match = DATE_PATTERN.exec(date);
  if (!match) throw new RangeError(`not a date: ${date}`);
  const ms = Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
  if (dayNumberToDate(ms / MS_PER_DAY) !== date) throw new RangeError(`not a date: ${date}`);
  return ms / MS_PER_DAY;
}

/** Day of week of a day number: 0 Sunday … 6 Saturday. */
export function weekdayOf(dayNumber: number): number {
  return (((dayNumber + 4) % 7) + 7) % 7;
}

/** `YYYYMMDD` (the wire form of cmd 9) ↔ `YYYY-MM-DD`. */
export function compactDate(date: string): string {
  return date.replaceAll('-', '');
}
export function expandCompactDate(compact: string): string | undefined {
  if (!/^\d{8}$/.test(compact)) return undefined;
  const date = `${compact.slice(0, 4)}-${compact.slice(4, 6)}-${compact.slice(6, 8)}`;
  try {
    dateToDayNumber(date);
    return date;
  } catch {
    return undefined;
  }
}

/**
 * An instant as exchange-local ISO 8601 with its offset, e.g. `2024-06-14T09:30:00+08:00`; with
 * `milliseconds`, `2024-06-14T09:30:05.120+08:00`. capflow writes times this way everywhere a
 * person or a script reads them (REST, CLI, exports).
 */
export function exchangeTime(market: Market, epochMs: number, milliseconds = false): string {
  // Every answer of a market's day writes the same few hundred minute starts: they are kept.
  if (epochMs % MS_PER_MINUTE !== 0) return formatExchangeTime(market, epochMs, milliseconds);
  const texts = (minuteTexts[market] ??= new Map<number, string>());
  let text = texts.get(epochMs);
  if (text === undefined) {
    if (texts.size >= MINUTE_TEXTS_KEPT) texts.clear();
    text = formatExchangeTime(market, epochMs, false);
    texts.set(epochMs, text);
  }
  return milliseconds ? `${text.slice(0, 19)}.000${text.slice(19)}` : text;
}

/** Exchange-local text of minute starts, per market (a bounded cache: cleared when full). */
const minuteTexts: Partial<Record<Market, Map<number, string>>> = {};
const MINUTE_TEXTS_KEPT = 100_000;

function formatExchangeTime(market: Market, epochMs: number, milliseconds: boolean): string {
  const offsetMs = marketOffsetMs(market, epochMs);
  const wall = new Date(epochMs + offsetMs).toISOString().slice(0, milliseconds ? 23 : 19);
  const offsetMinutes = Math.round(Math.abs(offsetMs) / MS_PER_MINUTE);
  const sign = offsetMs < 0 ? '-' : '+';
  const hours = String(Math.floor(offsetMinutes / 60)).padStart(2, '0');
  const minutes = String(offsetMinutes % 60).padStart(2, '0');
  return `${wall}${sign}${hours}:${minutes}`;
}
