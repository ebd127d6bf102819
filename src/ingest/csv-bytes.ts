/**
 * Byte-level readers of canonical CSV fields shared by the fast CSV paths (in-memory lines and
 * durable ingest). Each answers a sentinel for anything it is not certain about, so the caller
 * hands the row to the general parser, which has the final word on what is valid.
 */

import { isTradeTime } from '../model/trade-time.js';
import { parseTimestamp } from './timestamp.js';
import type { TradeFields } from '../engine/trade-fields.js';

const DOT = 46;
const ZERO = 48;
const COMMA = 44;
const QUOTE = 34;
const CR = 13;
/** Digits of a value read into a Number (10^15 < 2^53: always exact). */
export const MAX_FAST_DIGITS = 15;

/** Scale of the last successful `readUnits` (module state: no object per call). */
export let unitsScale = 0;

/**
 * Exact units of decimal text `123.45` (no sign, no exponent, at most 15 digits), setting
 * `unitsScale`; -1 when the text is anything else (the general parser decides then).
 */
export function readUnits(buf: Buffer, start: number, end: number): number {
  let units = 0;
  let dot = -1;
  let digits = 0;
  for (let i = start; i < end; i++) {
    const c = buf[i] as number;
    const d = c - ZERO;
    if (d >= 0 && d <= 9) {
      units = units * 10 + d;
      digits++;
    } else if (c === DOT && dot === -1 && i > start && i < end - 1) {
      dot = i;
    } else {
      return -1;
    }
  }
  if (digits === 0 || digits > MAX_FAST_DIGITS) return -1;
  unitsScale = dot === -1 ? 0 : end - dot - 1;
  return units;
}

/** A whole number of at most 15 digits, or -1. */
export function readInteger(buf: Buffer, start: number, end: number): number {
  if (end === start || end - start > MAX_FAST_DIGITS) return -1;
  let value = 0;
  for (let i = start; i < end; i++) {
    const d = (buf[i] as number) - ZERO;
    if (d < 0 || d > 9) return -1;
    value = value * 10 + d;
  }
  return value;
}

/** Direction words (case-insensitive): 2 up, 1 down, 0 neutral; -2 for anything else. */
export function readDirection(buf: Buffer, start: number, end: number): number {
  const length = end - start;
  if (length === 1) {
    const d = (buf[start] as number) - ZERO;
    return d >= 0 && d <= 2 ? d : -2;
  }
  switch ((buf[start] as number) | 0x20) {
    case 0x75: // u
      return isWord(buf, start, length, 'up') ? 2 : -2;
    case 0x62: // b
      return isWord(buf, start, length, 'buy') ? 2 : -2;
    case 0x64: // d
      return isWord(buf, start, length, 'down') ? 1 : -2;
    case 0x73: // s
      return isWord(buf, start, length, 'sell') ? 1 : -2;
    case 0x6e: // n
      return isWord(buf, start, length, 'neutral') ? 0 : -2;
    default:
      return -2;
  }
}

/** Whether the bytes at `at` spell the lower-case `word` (any case; first letter already checked). */
function isWord(buf: Buffer, at: number, length: number, word: string): boolean {
  if (length !== word.length) return false;
  for (let i = 1; i < length; i++) if (((buf[at + i] as number) | 0x20) !== word.charCodeAt(i)) return false;
  return true;
}

/** Printable ASCII without spaces at either end (so the general parser would read it the same). */
export function plainAscii(buf: Buffer, start: number, end: number): boolean {
  if ((buf[start] as number) <= 32 || (buf[end - 1] as number) <= 32) return false;
  for (let i = start; i < end; i++) {
    const c = buf[i] as number;
    if (c < 32 || c > 126) return false;
  }
  return true;
}

/**
 * Epoch ms of a timestamp field (epoch milliseconds, or ISO text read by `parseTimestamp`) within
 * the trade time range, or -1 when the general parser must look at the row (it says why).
 */
export function readTimestampField(buf: Buffer, start: number, end: number): number {
  if (end === start || end - start > 40) return -1;
  const value = readInteger(buf, start, end);
  if (value >= 0) return isTradeTime(value) ? value : -1;
  const first = buf[start] as number;
  if (first - ZERO > 9 || first < ZERO || (buf[end - 1] as number) <= 32) return -1;
  const parsed = parseTimestamp(buf.toString('latin1', start, end));
  return parsed.ok ? parsed.epochMs : -1;
}

/** Column of each numeric field in a file (-1: the file has no such column). */
export interface NumberColumns {
  readonly price: number;
  readonly volume: number;
  readonly direction: number;
  readonly bid: number;
  readonly ask: number;
}

/**
 * Reads price, volume, direction, bid and ask of a row split into `fields` fields
 * (`buf[fieldStart[i]..fieldEnd[i])`) into those fields of `out` (the others are left as they
 * are); false when any of them needs the general parser (a missing price or volume, a value not
 * plainly positive, an odd direction word).
 */
export function readRowNumbers(
  buf: Buffer,
  fieldStart: Int32Array,
  fieldEnd: Int32Array,
  fields: number,
  columns: NumberColumns,
  out: TradeFields,
): boolean {
  let column = columns.price;
  if (column < 0 || column >= fields) return false;
  const priceUnits = readUnits(buf, fieldStart[column] as number, fieldEnd[column] as number);
  if (priceUnits <= 0) return false;
  out.priceUnits = priceUnits;
  out.priceScale = unitsScale;
  column = columns.volume;
  if (column < 0 || column >= fields) return false;
  const volume = readInteger(buf, fieldStart[column] as number, fieldEnd[column] as number);
  if (volume <= 0) return false;
  out.volume = volume;
  out.direction = -1;
  column = columns.direction;
  if (column >= 0 && column < fields && (fieldEnd[column] as number) > (fieldStart[column] as number)) {
    const direction = readDirection(buf, fieldStart[column] as number, fieldEnd[column] as number);
    if (direction === -2) return false;
    out.direction = direction;
  }
  out.bidUnits = -1;
  out.bidScale = 0;
  column = columns.bid;
  if (column >= 0 && column < fields && (fieldEnd[column] as number) > (fieldStart[column] as number)) {
    const bid = readUnits(buf, fieldStart[column] as number, fieldEnd[column] as number);
    if (bid <= 0) return false;
    out.bidUnits = bid;
    out.bidScale = unitsScale;
  }
  out.askUnits = -1;
  out.askScale = 0;
  column = columns.ask;
  if (column >= 0 && column < fields && (fieldEnd[column] as number) > (fieldStart[column] as number)) {
    const ask = readUnits(buf, fieldStart[column] as number, fieldEnd[column] as number);
    if (ask <= 0) return false;
    out.askUnits = ask;
    out.askScale = unitsScale;
  }
  return true;
}

/**
 * Splits the line `buf[lineStart..lineEnd)` at its commas into `fieldStart`/`fieldEnd` (the
 * first `fieldStart.length` fields; the count goes on beyond) and answers the field count, or -1
 * when the line holds a quote or a CR (then only the RFC 4180 reader may read it).
 */
export function splitFields(buf: Buffer, lineStart: number, lineEnd: number, fieldStart: Int32Array, fieldEnd: Int32Array): number {
  const room = fieldStart.length;
  let fields = 0;
  let from = lineStart;
  for (let i = lineStart; i < lineEnd; i++) {
    const c = buf[i] as number;
    if (c < 45) {
      if (c === COMMA) {
        if (fields < room) {
          fieldStart[fields] = from;
          fieldEnd[fields] = i;
        }
        fields++;
        from = i + 1;
      } else if (c === QUOTE || c === CR) {
        return -1;
      }
    }
  }
  if (fields < room) {
    fieldStart[fields] = from;
    fieldEnd[fields] = lineEnd;
  }
  return fields + 1;
}
