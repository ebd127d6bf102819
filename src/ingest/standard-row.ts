/**
 * The fields after the symbol of a row in the canonical column order
 * (symbol,timestamp,price,volume,direction,trade_id,bid,ask,trade_type), read in one pass of
 * straight-line code. Shared by the in-memory reader (`CsvLinesBuilder`) and the reader thread
 * of the pipelined one (`CsvRowReader`), so both take exactly the same rows the same way.
 */
import { MAX_FAST_DIGITS, readDirection } from './csv-bytes.js';
import { isTradeTime } from '../model/trade-time.js';
import { MAX_TRADE_ID_CHARS } from './trade-parser.js';
import type { TradeFields } from '../engine/trade-fields.js';

const LF = 10;
const CR = 13;
const COMMA = 44;
const DOT = 46;
const ZERO = 48;

/**
 * Reads the fields after the symbol, from `i`, the position just after the symbol (its comma),
 * into `out`: its numbers, direction and id (`idBytes` is `buf`, with where the id's trailing
 * digits start and their value: `CounterTradeIds.checkScanned`); its method and trade type are
 * left as they are. Any doubt answers -1, leaving `out` unchanged: a field not plainly valid for the fast path (the
 * general parser decides then), a trade type (DayFlow.add applies the market's trade-type policy
 * to it), a missing or extra field.
 *
 * With `lineKnown`, `buf[..end)` ends the line (without its line break) and a taken line answers
 * `end`. Otherwise `end` is the end of the bytes read so far, the line's end is found here (its LF,
 * after an optional CR) and a taken line answers its LF's position; a line whose content goes
 * beyond `guard` (the next quote or CR) or whose LF is not in the buffer yet answers -1, so that
 * the caller decides about it as usual.
 */
export function readStandardFields(buf: Uint8Array, i: number, end: number, guard: number, lineKnown: boolean, out: TradeFields): number {
  if (i >= end || buf[i] !== COMMA) return -1;
  // timestamp: epoch ms digits.
  let start = ++i;
  let timestamp = 0;
  for (; i < end; i++) {
    const d = (buf[i] as number) - ZERO;
    if (d < 0 || d > 9) break;
    timestamp = timestamp * 10 + d;
  }
  if (i === start || i - start > MAX_FAST_DIGITS || !isTradeTime(timestamp) || i >= end || buf[i] !== COMMA) return -1;
  // price: digits with at most one inner dot (readUnits).
  start = ++i;
  let price = 0;
  let dot = -1;
  for (; i < end; i++) {
    const c = buf[i] as number;
    const d = c - ZERO;
    if (d >= 0 && d <= 9) price = price * 10 + d;
    else if (c === DOT && dot === -1 && i > start) dot = i;
    else break;
  }
  let digits = dot === -1 ? i - start : i - start - 1;
  if (dot === i - 1 || digits === 0 || digits > MAX_FAST_DIGITS || price <= 0 || i >= end || buf[i] !== COMMA) return -1;
  const priceScale = dot === -1 ? 0 : i - dot - 1;
  // volume: digits.
  start = ++i;
  let volume = 0;
  for (; i < end; i++) {
    const d = (buf[i] as number) - ZERO;
    if (d < 0 || d > 9) break;
    volume = volume * 10 + d;
  }
  if (i === start || i - start > MAX_FAST_DIGITS || volume <= 0 || i >= end || buf[i] !== COMMA) return -1;
  // direction: empty, or a word readDirection knows.
  start = ++i;
  while (i < end && buf[i] !== COMMA && buf[i] !== LF) i++;
  let direction = -1;
  if (i > start) {
    direction = readDirection(buf as Buffer, start, i);
    if (direction === -2) return -1;
  }
  if (i >= end || buf[i] !== COMMA) return -1;
  // trade_id: printable ASCII, not starting or ending with a space. Its trailing digits and
  // their value are noted on the way (CounterTradeIds.checkScanned), sparing a second scan.
  start = ++i;
  let idDigitsStart = start;
  let idCounter = 0;
  for (; i < end; i++) {
    const c = buf[i] as number;
    if (c === COMMA) break;
    const d = c - ZERO;
    if (d >= 0 && d <= 9) idCounter = idCounter * 10 + d;
    else {
      if (c < 32 || c > 126) return -1;
      idCounter = 0;
      idDigitsStart = i + 1;
    }
  }
  let idStart = 0;
  let idEnd = 0;
  if (i > start) {
    if (i - start > MAX_TRADE_ID_CHARS || (buf[start] as number) <= 32 || (buf[i - 1] as number) <= 32) return -1;
    idStart = start;
    idEnd = i;
  } else {
    idDigitsStart = 0;
    idCounter = 0;
  }
  if (i >= end) return -1;
  // bid and ask: empty (no quote) or units like the price.
  let bid = -1;
  let bidScale = 0;
  start = ++i;
  if (i < end && buf[i] !== COMMA) {
    bid = 0;
    dot = -1;
    for (; i < end; i++) {
      const c = buf[i] as number;
      const d = c - ZERO;
      if (d >= 0 && d <= 9) bid = bid * 10 + d;
      else if (c === DOT && dot === -1 && i > start) dot = i;
      else break;
    }
    digits = dot === -1 ? i - start : i - start - 1;
    if (dot === i - 1 || digits === 0 || digits > MAX_FAST_DIGITS || bid <= 0) return -1;
    bidScale = dot === -1 ? 0 : i - dot - 1;
  }
  if (i >= end || buf[i] !== COMMA) return -1;
  let ask = -1;
  let askScale = 0;
  start = ++i;
  if (i < end && buf[i] !== COMMA) {
    ask = 0;
    dot = -1;
    for (; i < end; i++) {
      const c = buf[i] as number;
      const d = c - ZERO;
      if (d >= 0 && d <= 9) ask = ask * 10 + d;
      else if (c === DOT && dot === -1 && i > start) dot = i;
      else break;
    }
    digits = dot === -1 ? i - start : i - start - 1;
    if (dot === i - 1 || digits === 0 || digits > MAX_FAST_DIGITS || ask <= 0) return -1;
    askScale = dot === -1 ? 0 : i - dot - 1;
  }
  // trade_type: must be empty, and the last field.
  if (i >= end || buf[i] !== COMMA) return -1;
  const lineEnd = i + 1;
  let lf: number;
  if (lineKnown) {
    if (lineEnd !== end) return -1;
    lf = end;
  } else if (lineEnd < end && buf[lineEnd] === LF) lf = lineEnd;
  else if (lineEnd + 1 < end && buf[lineEnd] === CR && buf[lineEnd + 1] === LF) lf = lineEnd + 1;
  else return -1;
  if (lineEnd > guard) return -1;
  out.timestampMs = timestamp;
  out.priceUnits = price;
  out.priceScale = priceScale;
  out.volume = volume;
  out.direction = direction;
  out.bidUnits = bid;
  out.bidScale = bidScale;
  out.askUnits = ask;
  out.askScale = askScale;
  out.idBytes = buf;
  out.idStart = idStart;
  out.idEnd = idEnd;
  out.idDigitsStart = idDigitsStart;
  out.idCounter = idCounter;
  return lf;
}
