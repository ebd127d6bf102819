/**
 * Trade timestamps (docs/computation.md §1): integer epoch milliseconds, or ISO 8601 with
 * an offset or Z. Parsed by hand with integer arithmetic, so nothing depends on Date parsing
 * quirks; fractions finer than a millisecond are truncated.
 */
import { tradeTimeProblem } from '../model/trade-time.js';

export type TimestampResult =
  | { readonly ok: true; readonly epochMs: number }
  | { readonly ok: false; readonly reason: string; /** Well-formed, but outside the accepted range. */ readonly outOfRange?: true };

const EPOCH_DIGITS = /^[0-9]+$/;
const ISO =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?(?:([Zz])|([+-])(\d{2})(?::?(\d{2}))?)?$/;
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

export function parseTimestamp(text: string): TimestampResult {
  if (EPOCH_DIGITS.test(text)) {
    // At most 16 digits: exact, and never mistaken for a value in range.
    const epochMs = text.length > 16 ? Number.POSITIVE_INFINITY : Number(text);
    return inRange(epochMs);
  }
  const match = ISO.exec(text);
  if (!match) {
    if (DATE_ONLY.test(text)) return { ok: false, reason: 'a date without a time of day is not an instant' };
    if (/^-?[0-9.]+([eE][+-]?[0-9]+)?$/.test(text)) {
      return { ok: false, reason: 'epoch milliseconds must be a non-negative integer (no sign, fraction or exponent)' };
    }
    return { ok: false, reason: 'not epoch milliseconds or ISO 8601 (e.g. 2024-03-01T09:30:00.250+08:00)' };
  }
  const [, y, mo, d, h, mi, s, fraction, zulu, sign, oh, om] = match;
  if (zulu === undefined && sign === undefined) {
    return { ok: false, reason: 'no UTC offset: ambiguous (add Z or an offset such as +08:00)' };
  }
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = s === undefined ? 0 : Number(s);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) {
    return { ok: false, reason: 'no such calendar date' };
  }
  if (hour > 23 || minute > 59 || second > 59) return { ok: false, reason: 'time of day out of range' };
  const millis = fraction === undefined ? 0 : Number(fraction.slice(0, 3).padEnd(3, '0'));
  let offsetMs = 0;
  if (sign !== undefined) {
    const offsetHours = Number(oh);
    const offsetMinutes = om === undefined ? 0 : Number(om);
    if (offsetHours > 23 || offsetMinutes > 59) return { ok: false, reason: 'UTC offset out of range' };
    offsetMs = (sign === '-' ? -1 : 1) * (offsetHours * 3_600_000 + offsetMinutes * 60_000);
  }
  const epochMs =
    daysFromCivil(year, month, day) * 86_400_000 + hour * 3_600_000 + minute * 60_000 + second * 1000 + millis - offsetMs;
  return inRange(epochMs);
}

function inRange(epochMs: number): TimestampResult {
  const problem = tradeTimeProblem(epochMs);
  return problem === undefined ? { ok: true, epochMs } : { ok: false, reason: problem, outOfRange: true };
}

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}
