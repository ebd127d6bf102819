import { parseSymbol } from '../model/symbol.js';
import { dayNumberToDate, localDayNumber } from '../calendar/time-zone.js';
import type { Market } from '../model/market.js';
import { YIELD_CHECK_BYTES, type BatchIngester } from './batch-ingester.js';
import { plainAscii, readRowNumbers, readTimestampField, type NumberColumns } from './csv-bytes.js';
import { TradeFields } from '../engine/trade-fields.js';
import { blankNdjsonLine, ndjsonLineItem } from './ndjson-record-parser.js';
import { TRADE_FIELDS } from './raw-record.js';
import { MAX_TRADE_ID_CHARS } from './trade-parser.js';

const LF = 10;
const CR = 13;
const QUOTE = 34;
const COMMA = 44;
const COLON = 58;
const BACKSLASH = 92;
const OPEN = 123;
const CLOSE = 125;
const ZERO = 48;
const FIELD_COUNT = TRADE_FIELDS.length;
const [SYMBOL, TIMESTAMP, PRICE, VOLUME, DIRECTION, TRADE_ID, BID, ASK, TRADE_TYPE] = [0, 1, 2, 3, 4, 5, 6, 7, 8] as const;
/** Values are kept per field, so a field's column is the field itself. */
const NUMBER_FIELDS: NumberColumns = { price: PRICE, volume: VOLUME, direction: DIRECTION, bid: BID, ask: ASK };
const KEY_BYTES = TRADE_FIELDS.map((name) => Buffer.from(name, 'latin1'));
/** Longest line read from the bytes; a body with a longer one is read by the general reader. */
export const MAX_FAST_NDJSON_LINE = 65_536;

const STRING = 1;
const NUMBER = 2;

/**
 * The byte-level reader of an NDJSON body in the canonical keys (`POST /v1/ingest`): a line of
 * the plain form `{"symbol":"700.HK","timestamp":…,"price":"35.07",…}` — no spaces, no escapes,
 * canonical keys at most once, strings of printable ASCII, plain numbers — goes from the bytes
 * into the ingester's column batch. Any other line (spaces, escapes, unknown keys, nested values,
 * non-ASCII text, a value the byte readers are not sure of, a trade type) is read by the general
 * reader's own line reading (`ndjsonLineItem`, then `parseTradeRecord`), and so are blank lines
 * decided, so records, line numbers, rejections and their reasons are unchanged.
 */
export class NdjsonColumnsReader {
  private readonly valueKind = new Uint8Array(FIELD_COUNT);
  private readonly valueStart = new Int32Array(FIELD_COUNT);
  private readonly valueEnd = new Int32Array(FIELD_COUNT);
  /** The trade of the line being read (reused). */
  private readonly trade = new TradeFields();
  private readonly symbols = new Map<string, { symbol: string; market: Market } | null>();
  private readonly defaultMethod: number;
  private readonly dates = new Map<number, string>();
  private readonly decoder = new TextDecoder('utf-8', { ignoreBOM: true });

  constructor(private readonly ingester: BatchIngester) {
    this.defaultMethod = ingester.defaultMethod;
  }

  /** Whether the fast reader can take the body: every line short enough (see MAX_FAST_NDJSON_LINE). */
  static accepts(body: Uint8Array): boolean {
    const buf = Buffer.from(body.buffer, body.byteOffset, body.length);
    // Window by window rather than line by line (a body of short lines has millions): the last
    // LF within MAX_FAST_NDJSON_LINE bytes of `pos` ends every line before it short enough.
    let pos = 0;
    while (buf.length - pos > MAX_FAST_NDJSON_LINE) {
      const lf = buf.lastIndexOf(LF, pos + MAX_FAST_NDJSON_LINE);
      if (lf < pos) return false;
      pos = lf + 1;
    }
    return true;
  }

  async read(body: Uint8Array): Promise<void> {
    const buf = Buffer.from(body.buffer, body.byteOffset, body.length);
    let pos = buf.length >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf ? 3 : 0;
    let line = 0;
    const ingester = this.ingester;
    const checkEvery = ingester.yields ? YIELD_CHECK_BYTES : Number.POSITIVE_INFINITY;
    let nextCheck = pos + checkEvery;
    while (pos < buf.length) {
      if (pos >= nextCheck) {
        nextCheck = pos + checkEvery;
        await ingester.yieldIfDue();
      }
      let lf = buf.indexOf(LF, pos);
      if (lf === -1) lf = buf.length;
      line++;
      const end = lf > pos && buf[lf - 1] === CR ? lf - 1 : lf;
      if (!this.blank(buf, pos, end) && ingester.beginRecord()) {
        if (!this.fastLine(buf, pos, end)) this.generalLine(buf, pos, end, line);
        if (ingester.commitDue()) await ingester.commitIfDue();
      }
      pos = lf + 1;
    }
  }

  /** A (non-blank) line as the general reader takes it (after `beginRecord`). */
  private generalLine(buf: Buffer, start: number, end: number, line: number): void {
    const item = ndjsonLineItem(this.decoder.decode(buf.subarray(start, end)), line);
    if (item === undefined) return;
    if ('error' in item) this.ingester.takeRejection(line, item.error);
    else this.ingester.takeFields(line, item.fields);
  }

  /**
   * Whether a line is blank as the general reader sees it: ASCII whitespace decided on the bytes;
   * a line with other bytes before any non-space ASCII is decoded and asked.
   */
  private blank(buf: Buffer, start: number, end: number): boolean {
    for (let i = start; i < end; i++) {
      const c = buf[i] as number;
      if (c >= 0x80) return blankNdjsonLine(this.decoder.decode(buf.subarray(start, end)));
      if (!(c === 32 || (c >= 9 && c <= 13))) return false;
    }
    return true;
  }

  /** Reads a plain line into the batch; false (nothing done) when the general reader must decide. */
  private fastLine(buf: Buffer, start: number, end: number): boolean {
    const kind = this.valueKind;
    const vs = this.valueStart;
    const ve = this.valueEnd;
    kind.fill(0);
    vs.fill(0);
    ve.fill(0);
    if (buf[start] !== OPEN || buf[end - 1] !== CLOSE || end - start < 3) return false;
    let i = start + 1;
    for (;;) {
      if (buf[i] !== QUOTE) return false;
      const keyStart = i + 1;
      const keyEnd = buf.indexOf(QUOTE, keyStart);
      if (keyEnd === -1 || keyEnd >= end) return false;
      const field = fieldOfKey(buf, keyStart, keyEnd);
      if (field < 0 || kind[field] !== 0 || buf[keyEnd + 1] !== COLON) return false;
      i = keyEnd + 2;
      const c = buf[i] as number;
      if (c === QUOTE) {
        const valueStart = i + 1;
        let j = valueStart;
        for (; j < end; j++) {
          const b = buf[j] as number;
          if (b === QUOTE) break;
          if (b < 32 || b > 126 || b === BACKSLASH) return false;
        }
        if (j >= end) return false;
        kind[field] = STRING;
        vs[field] = valueStart;
        ve[field] = j;
        i = j + 1;
      } else if (c >= ZERO && c <= ZERO + 9) {
        // A plain JSON number: digits, at most one dot between digits, no leading zero.
        let j = i;
        while (j < end && (((buf[j] as number) >= ZERO && (buf[j] as number) <= ZERO + 9) || buf[j] === 46)) j++;
        if (c === ZERO && j > i + 1 && buf[i + 1] !== 46) return false;
        kind[field] = NUMBER;
        vs[field] = i;
        ve[field] = j;
        i = j;
      } else {
        return false; // null, booleans, nested values, signs: the general reader
      }
      const next = buf[i];
      if (next === COMMA) {
        i++;
        continue;
      }
      if (next === CLOSE && i === end - 1) break;
      return false;
    }
    return this.takeValues(buf);
  }

  private takeValues(buf: Buffer): boolean {
    const kind = this.valueKind;
    const vs = this.valueStart;
    const ve = this.valueEnd;
    if (kind[SYMBOL] !== STRING || kind[TRADE_TYPE] !== 0) return false;
    if (kind[TRADE_ID] === NUMBER) return false;
    const entry = this.symbolEntry(buf, vs[SYMBOL] as number, ve[SYMBOL] as number);
    if (!entry) return false;
    if (kind[TIMESTAMP] === 0) return false;
    const timestamp = readTimestampField(buf, vs[TIMESTAMP] as number, ve[TIMESTAMP] as number);
    if (timestamp < 0 || timestamp > this.ingester.latestTradeMs) return false;
    // Absent keys have empty value ranges (fastLine clears them), which readRowNumbers reads as
    // "not given" for direction, bid and ask and as invalid for price and volume.
    const trade = this.trade;
    if (!readRowNumbers(buf, vs, ve, FIELD_COUNT, NUMBER_FIELDS, trade)) return false;
    trade.timestampMs = timestamp;
    let idStart = 0;
    let idEnd = 0;
    if (kind[TRADE_ID] === STRING) {
      idStart = vs[TRADE_ID] as number;
      idEnd = ve[TRADE_ID] as number;
      if (idEnd > idStart && (idEnd - idStart > MAX_TRADE_ID_CHARS || !plainAscii(buf, idStart, idEnd))) return false;
    }
    trade.setId(buf, idStart, idEnd);
    const columns = this.ingester.columnBatch;
    const date = this.dateOf(localDayNumber(entry.market, timestamp));
    columns.addRow(columns.dayOf(entry.symbol, date), trade, trade.direction === -1 ? this.defaultMethod : -1);
    return true;
  }

  /** `YYYY-MM-DD` of a day number, remembered (a body holds few days and many trades). */
  private dateOf(dayNumber: number): string {
    let date = this.dates.get(dayNumber);
    if (date === undefined) {
      if (this.dates.size >= 4096) this.dates.clear();
      date = dayNumberToDate(dayNumber);
      this.dates.set(dayNumber, date);
    }
    return date;
  }

  private symbolEntry(buf: Buffer, start: number, end: number): { symbol: string; market: Market } | null {
    if (end === start || end - start > 64 || !plainAscii(buf, start, end)) return null;
    const text = buf.toString('latin1', start, end);
    let entry = this.symbols.get(text);
    if (entry === undefined) {
      const parsed = parseSymbol(text);
      entry = parsed ? { symbol: parsed.symbol, market: parsed.market } : null;
      if (this.symbols.size >= 65_536) this.symbols.clear();
      this.symbols.set(text, entry);
    }
    return entry;
  }
}

function fieldOfKey(buf: Buffer, start: number, end: number): number {
  const length = end - start;
  for (let field = 0; field < FIELD_COUNT; field++) {
    const key = KEY_BYTES[field] as Buffer;
    if (key.length !== length) continue;
    let same = true;
    for (let k = 0; k < length && same; k++) same = key[k] === buf[start + k];
    if (same) return field;
  }
  return -1;
}
