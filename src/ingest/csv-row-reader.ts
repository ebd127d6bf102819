/**
 * The reading half of the pipelined CSV → lines path (`csvFileToLinesPipelined`): it turns
 * complete lines of a canonical trade CSV into fixed-size records of numbers, which a
 * `CsvLinesBuilder` in another thread applies (`applyReadRecords`) while this one reads on.
 *
 * It takes only what the builder's own one-pass reader would take (the same `readStandardFields`,
 * symbols the builder would accept); every other line — the header, an odd or bad row, a new
 * symbol's first row, and everything from a quote or a lone CR on — is handed over as raw bytes
 * for the builder to read itself, in place and in order. So the builder sees exactly the rows, in
 * exactly the order, of reading the file alone, and the lines, counts and rejections are the same.
 *
 * Record layout (RECORD_STRIDE numbers; a record is one of):
 *   row:    timestamp, price units, volume, bid units (-1 none), ask units (-1 none), id counter,
 *           id start + symbol index × SYMBOL_FACTOR, packed small figures (`packSmall`)
 *   RAW:    RECORD_RAW, start, end — bytes buf[start..end) for the builder to read (whole lines, or
 *           the rest of the input)
 *   SYMBOL: RECORD_SYMBOL, index, start, end — the reader's index for the symbol spelled buf[start..end)
 *   RESET:  RECORD_RESET — the reader's symbol indexes start again
 */
import { ByteKeyTable, FNV_OFFSET, FNV_PRIME } from './byte-key-table.js';
import { plainAscii } from './csv-bytes.js';
import { TRADE_FIELDS } from './raw-record.js';
import { readStandardFields } from './standard-row.js';
import { TradeFields } from '../engine/trade-fields.js';
import { parseSymbol } from '../model/symbol.js';

export const RECORD_STRIDE = 8;
export const RECORD_RAW = -1;
export const RECORD_SYMBOL = -2;
export const RECORD_RESET = -3;
/** Id starts are below this (a chunk is smaller), so one number holds both an id start and a symbol index. */
export const SYMBOL_FACTOR = 1 << 24;
/** Spellings the reader remembers before it starts its table again (as the builder does). */
const SYMBOL_LIMIT = 100_000;

const LF = 10;
const CR = 13;
const QUOTE = 34;
const COMMA = 44;

/**
 * A trade's small figures in one number: price, bid and ask scales (4 bits each, at most 15),
 * direction + 1 (2 bits), id length and where its digits start in it (8 bits each).
 */
function packSmall(trade: TradeFields): number {
  const { idStart, idEnd } = trade;
  const idDigitsOffset = idEnd > idStart ? trade.idDigitsStart - idStart : 0;
  return trade.priceScale | (trade.bidScale << 4) | (trade.askScale << 8) | ((trade.direction + 1) << 12) | ((idEnd - idStart) << 14) | (idDigitsOffset << 22);
}

/**
 * The trade of the row record at `at` (its bytes, the id's among them, in `buf`) into `into`,
 * but its method and trade type; answers the reader's index of its symbol.
 */
export function readRowRecord(records: Float64Array, at: number, buf: Uint8Array, into: TradeFields): number {
  const key = records[at + 6] as number;
  const symbolIndex = Math.floor(key / SYMBOL_FACTOR);
  const idStart = key - symbolIndex * SYMBOL_FACTOR;
  const small = records[at + 7] as number;
  into.timestampMs = records[at] as number;
  into.priceUnits = records[at + 1] as number;
  into.priceScale = small & 15;
  into.volume = records[at + 2] as number;
  into.direction = ((small >> 12) & 3) - 1;
  into.bidUnits = records[at + 3] as number;
  into.bidScale = (small >> 4) & 15;
  into.askUnits = records[at + 4] as number;
  into.askScale = (small >> 8) & 15;
  into.idBytes = buf;
  into.idStart = idStart;
  into.idEnd = idStart + ((small >> 14) & 255);
  into.idDigitsStart = idStart + ((small >> 22) & 255);
  into.idCounter = records[at + 5] as number;
  return symbolIndex;
}

/** Position of the first `byte` in buf[from..to), or `to`. */
function indexBefore(buf: Buffer, byte: number, from: number, to: number): number {
  const at = buf.indexOf(byte, from);
  return at === -1 || at > to ? to : at;
}

export class CsvRowReader {
  private readonly symbols = new ByteKeyTable<boolean>();
  /** The row being read (reused). */
  private readonly trade = new TradeFields();
  private headerSeen = false;
  /** Whether rows are read here; once false (not the canonical header, or a quote or lone CR was met), every byte goes over raw. */
  private reading = true;
  /** Set when a chunk ended inside a line: the bytes up to its LF go over raw. */
  private midLine = false;
  private count = 0;
  private records: Float64Array = new Float64Array(0);
  private capacity = 0;

  /**
   * @param latestTimestamp rows stamped later go over raw (a durable ingest rejects them as too
   *   far in the future, with the general parser's reason); none by default
   */
  constructor(private readonly latestTimestamp = Number.POSITIVE_INFINITY) {}

  /** Whether rows are still read here (a caller may hand whole chunks over raw when not). */
  get readsRows(): boolean {
    return this.reading && this.headerSeen;
  }

  /**
   * Reads buf[from..to) into `records` (at most `capacity` records) and answers how many it
   * wrote. `to` is just after an LF, or the end of the input (`final`), or any point when `raw`:
   * then the bytes go over raw as they are (allowed at a line start, or inside a chunk that has
   * no LF at all: a line longer than a chunk). With too little room for records the rest of the
   * chunk goes over raw: every byte is always accounted for.
   */
  read(buf: Buffer, from: number, to: number, records: Float64Array, capacity: number, raw = false): number {
    this.records = records;
    this.capacity = capacity;
    this.count = 0;
    let pos = from;
    if (raw) {
      // A first chunk without a line break: its header is too long to be the canonical one.
      if (!this.headerSeen) this.reading = false;
      this.headerSeen = true;
      if (to > pos) this.raw(pos, to);
      return this.count;
    }
    if (this.midLine) {
      const lf = buf.indexOf(LF, pos);
      const lineEnd = lf === -1 || lf >= to ? to : lf + 1;
      this.raw(pos, lineEnd);
      pos = lineEnd;
      this.midLine = lineEnd === to && (lf === -1 || lf >= to);
    }
    if (!this.headerSeen && pos < to) {
      const lf = buf.indexOf(LF, pos);
      const lineEnd = lf === -1 || lf >= to ? to : lf + 1;
      this.headerSeen = true;
      this.reading = lf !== -1 && lf < to && canonicalHeader(buf, pos, lf);
      this.raw(pos, lineEnd);
      pos = lineEnd;
    }
    if (!this.reading) {
      if (to > pos) this.raw(pos, to);
      return this.count;
    }
    const trade = this.trade;
    let nextQuote = indexBefore(buf, QUOTE, pos, to);
    let nextCr = indexBefore(buf, CR, pos, to);
    while (pos < to) {
      if (this.count + 3 > capacity) {
        this.raw(pos, to);
        break;
      }
      if (nextQuote < pos) nextQuote = indexBefore(buf, QUOTE, pos, to);
      if (nextCr < pos) nextCr = indexBefore(buf, CR, pos, to);
      // The symbol, hashed while scanned (as the builder does).
      let i = pos;
      let hash = FNV_OFFSET;
      let clean = true;
      for (; i < to; i++) {
        const c = buf[i] as number;
        if (c === COMMA || c === LF) break;
        if (c <= 32 || c > 126) clean = false;
        hash = Math.imul(hash ^ c, FNV_PRIME);
      }
      clean = clean && i > pos && i - pos <= 64 && i < to && buf[i] === COMMA;
      const index = clean ? this.symbols.indexWithHash(buf, pos, i, hash) : -1;
      if (index >= 0 && this.symbols.valueAt(index)) {
        const lf = readStandardFields(buf, i, to, nextQuote < nextCr ? nextQuote : nextCr, false, trade);
        if (lf >= 0 && trade.timestampMs <= this.latestTimestamp) {
          this.row(index, trade);
          pos = lf + 1;
          continue;
        }
      }
      // A line the builder reads itself.
      const lf = buf.indexOf(LF, pos);
      const lineEnd = lf === -1 || lf >= to ? to : lf + 1;
      let contentEnd = lineEnd === to && (lf === -1 || lf >= to) ? to : lf;
      if (contentEnd > pos && buf[contentEnd - 1] === CR) contentEnd--;
      if (nextQuote < contentEnd || nextCr < contentEnd) {
        // From a quote or a lone CR on, the builder reads everything (RFC 4180).
        this.reading = false;
        this.raw(pos, to);
        return this.count;
      }
      this.raw(pos, lineEnd);
      if (clean && index < 0) this.learn(buf, pos, i);
      pos = lineEnd;
    }
    return this.count;
  }

  /** Notes that the chunk just read ended inside a line (no LF in it at all). */
  continuesLine(): void {
    this.midLine = true;
  }

  private row(index: number, trade: TradeFields): void {
    const records = this.records;
    const at = this.count++ * RECORD_STRIDE;
    records[at] = trade.timestampMs;
    records[at + 1] = trade.priceUnits as number; // readStandardFields gives Numbers
    records[at + 2] = trade.volume;
    records[at + 3] = trade.bidUnits as number;
    records[at + 4] = trade.askUnits as number;
    records[at + 5] = trade.idCounter;
    records[at + 6] = trade.idStart + index * SYMBOL_FACTOR;
    records[at + 7] = packSmall(trade);
  }

  /** Raw bytes [start, end), joined to the previous record when that is raw bytes ending at `start`. */
  private raw(start: number, end: number): void {
    const records = this.records;
    const last = (this.count - 1) * RECORD_STRIDE;
    if (this.count > 0 && records[last] === RECORD_RAW && records[last + 2] === start) {
      records[last + 2] = end;
      return;
    }
    const at = this.count++ * RECORD_STRIDE;
    records[at] = RECORD_RAW;
    records[at + 1] = start;
    records[at + 2] = end;
  }

  /** Remembers a new spelling (whether the builder would take it as a symbol), telling the builder its index. */
  private learn(buf: Buffer, start: number, end: number): void {
    if (this.symbols.size >= SYMBOL_LIMIT) {
      this.symbols.clear();
      const at = this.count++ * RECORD_STRIDE;
      this.records[at] = RECORD_RESET;
    }
    const valid = plainAscii(buf, start, end) && parseSymbol(buf.toString('latin1', start, end)) !== undefined;
    const index = this.symbols.set(buf, start, end, valid);
    if (!valid) return;
    const at = this.count++ * RECORD_STRIDE;
    this.records[at] = RECORD_SYMBOL;
    this.records[at + 1] = index;
    this.records[at + 2] = start;
    this.records[at + 3] = end;
  }
}

/** Whether the header line buf[start..lf) names exactly the canonical columns in their order (no quote, no CR but a final one). */
function canonicalHeader(buf: Buffer, start: number, lf: number): boolean {
  let text = buf.toString('utf8', start, lf);
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.endsWith('\r')) text = text.slice(0, -1);
  if (text.includes('"') || text.includes('\r')) return false;
  const names = text.split(',').map((name) => name.trim().toLowerCase());
  return names.length === TRADE_FIELDS.length && names.every((name, column) => name === TRADE_FIELDS[column]);
}
