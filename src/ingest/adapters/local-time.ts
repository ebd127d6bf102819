import { dayNumberToDate, zoneOffsetMs } from '../../calendar/time-zone.js';
import { daysFromCivil } from '../timestamp.js';

/**
 * Local wall-clock times of feeds (exchange-local date-times, times of day, seconds after
 * midnight) turned into instants in a named IANA time zone. Parsed by hand with integers;
 * fractions finer than a millisecond are truncated, as for canonical timestamps.
 */
export type LocalTimeResult = { readonly ok: true; readonly ms: number } | { readonly ok: false; readonly reason: string };

const MS_PER_DAY = 86_400_000;

/** Whether `timeZone` is an IANA zone name the platform knows. */
export function isKnownTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return true;
  } catch {
    return false;
  }
}

/**
 * The instant at which local wall time `wallMs` (ms since 1970-01-01T00:00 local) occurs in
 * `timeZone`. In a daylight-saving gap the later offset applies; in an overlap, the first.
 */
export function wallToEpochMs(timeZone: string, wallMs: number): number {
  const first = wallMs - zoneOffsetMs(timeZone, wallMs);
  return wallMs - zoneOffsetMs(timeZone, first);
}

/** Day number (days since 1970-01-01) of `YYYY-MM-DD`, `YYYY.MM.DD`, `YYYY/MM/DD` or `YYYYMMDD`. */
export function parseLocalDate(text: string): number | undefined {
  const match = /^(\d{4})[-./]?(\d{2})[-./]?(\d{2})$/.exec(text.trim());
  if (!match) return undefined;
  const [, y, m, d] = match;
  const dayNumber = daysFromCivil(Number(y), Number(m), Number(d));
  // Rejects 2023-02-30 and the like: the day number must give back the same date.
  if (Number(m) < 1 || Number(m) > 12 || dayNumberToDate(dayNumber) !== `${y}-${m}-${d}`) return undefined;
  return dayNumber;
}

/**
 * Milliseconds after local midnight of a time of day: `HH:MM`, `HH:MM:SS`, `HH:MM:SS.fff…`, or the
 * compact exchange form `HHMMSSmmm` (8 or 9 digits, e.g. `93000120` is 09:30:00.120).
 */
export function parseTimeOfDay(text: string): LocalTimeResult {
  const trimmed = text.trim();
  let hour: number;
  let minute: number;
  let second = 0;
  let millis = 0;
  const colon = /^(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?$/.exec(trimmed);
  if (colon) {
    hour = Number(colon[1]);
    minute = Number(colon[2]);
    if (colon[3] !== undefined) second = Number(colon[3]);
    if (colon[4] !== undefined) millis = Number(colon[4].slice(0, 3).padEnd(3, '0'));
  } else if (/^\d{8,9}$/.test(trimmed)) {
    const padded = trimmed.padStart(9, '0');
    hour = Number(padded.slice(0, 2));
    minute = Number(padded.slice(2, 4));
    second = Number(padded.slice(4, 6));
    millis = Number(padded.slice(6, 9));
  } else {
    return { ok: false, reason: 'not a time of day (HH:MM:SS.fff or HHMMSSfff)' };
  }
  if (hour > 23 || minute > 59 || second > 59) return { ok: false, reason: 'time of day out of range' };
  return { ok: true, ms: hour * 3_600_000 + minute * 60_000 + second * 1000 + millis };
}

/** A local date-time without offset (`2023-02-01T09:30:00.120`, `2023.02.01 09:30:00`, …) as wall ms. */
export function parseLocalDateTime(text: string): LocalTimeResult {
  const match = /^(\d{4}[-./]?\d{2}[-./]?\d{2})[Tt ](.+)$/.exec(text.trim());
  if (!match) return { ok: false, reason: 'not a local date and time (e.g. 2023-02-01T09:30:00.120)' };
  const day = parseLocalDate(match[1] as string);
  if (day === undefined) return { ok: false, reason: 'no such calendar date' };
  const time = parseTimeOfDay(match[2] as string);
  if (!time.ok) return time;
  return { ok: true, ms: day * MS_PER_DAY + time.ms };
}

/**
 * Seconds after midnight with up to 9 decimals (LOBSTER's `34200.015105074`) as whole ms after
 * midnight, truncating below the millisecond; read from the text, never through a float.
 */
export function parseSecondsAfterMidnight(text: string): LocalTimeResult {
  const match = /^(\d{1,5})(?:\.(\d{1,9}))?$/.exec(text.trim());
  if (!match) return { ok: false, reason: 'not seconds after midnight (e.g. 34200.015105074)' };
  const ms = Number(match[1]) * 1000 + Number((match[2] ?? '').slice(0, 3).padEnd(3, '0'));
  if (ms >= 2 * MS_PER_DAY) return { ok: false, reason: 'more than 48 hours after midnight' };
  return { ok: true, ms };
}
