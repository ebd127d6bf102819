import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { createGunzip } from 'node:zlib';
import { calendarFor } from '../calendar/trading-calendar.js';
import { dateToDayNumber, dayNumberToDate, localDayNumber, zonedEpochMs } from '../calendar/time-zone.js';
import { DayFlow, AddOutcome, DEFAULT_TIER_THRESHOLDS, TierClassifier, type CapitalFlowLine, type TierThresholds } from '../engine/index.js';
import { NEEDS_DAY_FLOW, NumberDayFlow, NumberSumsArena } from '../engine/number-day-flow.js';
import type { Market } from '../model/market.js';
import { parseSymbol } from '../model/symbol.js';
import type { ClassificationMethod, Trade } from '../model/trade.js';
import { methodCodeOf } from '../engine/classification/classify.js';
import { ByteKeyTable, FNV_OFFSET, FNV_PRIME } from './byte-key-table.js';
import { MAX_FAST_DIGITS, plainAscii, readDirection, readRowNumbers, splitFields, readTimestampField, type NumberColumns } from './csv-bytes.js';
import { CsvGeneralTail } from './csv-general-tail.js';
import { CsvRecordParser } from './csv-record-parser.js';
import { readRowRecord, RECORD_RAW, RECORD_RESET, RECORD_STRIDE, RECORD_SYMBOL } from './csv-row-reader.js';
import { fileKindOf } from './file-source.js';
import { TRADE_FIELDS, isTradeField, type RawFields, type SourceItem, type TradeField } from './raw-record.js';
import { FUTURE_TOLERANCE_MS, futureTimeProblem, isTradeTime } from '../model/trade-time.js';
import { MAX_TRADE_ID_CHARS, parseTradeRecord, type Rejection } from './trade-parser.js';
import { readStandardFields } from './standard-row.js';
import { TradeFields } from '../engine/trade-fields.js';

/**
 * CSV → exact lines without objects per trade: a byte-level reader of the canonical trade CSV,
 * for benchmarks, replays and bulk recomputation. It is an exact equivalent of the general path
 * (CsvRecordParser → parseTradeRecord → DayFlow.add).
 *
 * - A line without quote or CR is read field by field in one pass (`fastRow`): the symbol is
 *   hashed while it is scanned and found in a byte-keyed table, numbers are read as they are met,
 *   and the row goes straight to its symbol-day's NumberDayFlow (plain Numbers, see there).
 *   With the canonical column order (the usual file) `fastStandardRow` does the same in
 *   straight-line code and finds the line's end itself; a plain file is read while the previous
 *   chunk is scanned (`csvFileToLines`).
 * - Any row it is not certain about (spaces around a value, a malformed or huge number, an odd
 *   direction word, a trade type, non-ASCII text, a new symbol…) is split again by `row`, which
 *   knows the rarer shapes and hands the rest to the general parser; from the first quote
 *   character or lone CR on, the rest of the input goes through the RFC 4180 reader.
 * - A symbol-day moves from Numbers into a DayFlow at the first trade that needs one (a row
 *   from the general parser, a sum beyond 2^53, an id that is not "prefix + counter") and, at
 *   the latest, when `days` is read.
 */

const LF = 10;
const CR = 13;
const QUOTE = 34;
const COMMA = 44;
const ZERO = 48;
const DOT = 46;

/** Column roles (index into TRADE_FIELDS). */
const SYMBOL = 0;
const TIMESTAMP = 1;
const PRICE = 2;
const VOLUME = 3;
const DIRECTION = 4;
const TRADE_ID = 5;
const BID = 6;
const ASK = 7;
const TRADE_TYPE = 8;
const ROLE_COUNT = TRADE_FIELDS.length;

const SYMBOL_CACHE_LIMIT = 100_000;
/** What a symbol as written is to this reader. */
const NOT_A_SYMBOL = 0;
const A_SYMBOL = 1;

/**
 * The state of one symbol-day: Numbers while they are exact and the ids are numbered (the
 * usual case: no objects, no BigInt), moved for good into a DayFlow at the first trade that
 * needs one (a general-path row, a sum beyond 2^53, an id of another shape) and at the end.
 */
interface SymbolDay {
  numbers: NumberDayFlow | undefined;
  flow: DayFlow | undefined;
}

interface SymbolEntry {
  readonly symbol: string;
  readonly market: Market;
  /** The day the last trade fell on: [dayStartMs, dayEndMs) and its state (null: market closed). */
  dayStartMs: number;
  dayEndMs: number;
  day: SymbolDay | null;
  /** `day.numbers` when the day was made (one object less to reach per row; a moved one answers NEEDS_DAY_FLOW). */
  numbers: NumberDayFlow | undefined;
  dayKey: string;
}

export interface CsvLinesOptions {
  /** Per-market size tiers (engine defaults otherwise). */
  readonly thresholds?: Partial<Record<Market, TierThresholds>>;
  /** Rejections kept with their reasons (default 100); all are counted. */
  readonly maxRejections?: number;
  /** Name used in structural error messages. */
  readonly sourceName?: string;
  /**
   * Keep each day's replay log so that `lines(symbol, date, now)` can show a day as it stood
   * before its latest trade (default false: the batch reader answers the complete day, and a
   * caller wanting an earlier view can read the file again).
   */
  readonly replayable?: boolean;
  /**
   * How trades without a side of their own are classified (default Lee–Ready), as `ingest
   * --classify` records it with each trade.
   */
  readonly classification?: ClassificationMethod;
  /**
   * The wall clock (epoch ms) as a durable ingest reads it: a trade stamped more than
   * FUTURE_TOLERANCE_MS later is rejected with ingest's reason. None by default (any time).
   */
  readonly now?: number;
}

export interface CsvLinesSummary {
  /** Records read (accepted + outsideSessions + duplicates + rejected). */
  readonly records: number;
  /** Trades processed whose time falls in a line of their trading day. */
  readonly accepted: number;
  /**
   * Trades processed whose time falls in no line (before the open, in a lunch break, after the
   * closing grace period, on a day the market is closed): they feed the tick rule only.
   */
  readonly outsideSessions: number;
  readonly duplicates: number;
  readonly rejected: number;
  readonly rejections: readonly Rejection[];
  /** Rows that went through the general parser (slow path), for benchmarks and tests. */
  readonly generalRows: number;
}

/** Key of a symbol-day in `days`. */
export function symbolDayKey(symbol: string, date: string): string {
  return `${symbol} ${date}`;
}

/**
 * Incremental: push Buffers of any size (split anywhere), then `end()`. The day states are in
 * `days`, keyed by `symbolDayKey`.
 */
export class CsvLinesBuilder {
  private readonly symbolDays = new Map<string, SymbolDay>();
  /** `days` as last handed out, and the number of symbol-days still held in Numbers. */
  private readonly dayFlows = new Map<string, DayFlow>();
  private numberDays = 0;
  private readonly tierClassifiers = new Map<Market, TierClassifier>();
  private readonly sumsArena = new NumberSumsArena();
  private readonly symbols = new Map<string, SymbolEntry | null>();
  /** Symbols as written (bytes) → entry (null: not a symbol), so a row makes no string. */
  private readonly symbolBytes = new ByteKeyTable<SymbolEntry | null>();
  /** Per key of `symbolBytes` (by index): NOT_A_SYMBOL or A_SYMBOL. */
  private symbolKinds = new Uint8Array(1024);
  /**
   * Per key of `symbolBytes` (by index): the Numbers state of the symbol-day a row of that spelling
   * last went to. Always safe to use for a row within its day's bounds: it is that symbol-day's
   * state (once moved into a DayFlow it takes nothing more, and the row goes the long way).
   */
  private readonly numbersBySymbol: Array<NumberDayFlow | undefined> = [];
  /** Symbols by the index a `CsvRowReader` gave them (`applyReadRecords`). */
  private readonly readerSymbols: Array<SymbolEntry | undefined> = [];
  private readonly keepLog: boolean;
  private readonly closedDayIds = new Map<string, Set<string>>();
  private readonly thresholds: Partial<Record<Market, TierThresholds>>;
  private readonly maxRejections: number;
  private sourceName: string;
  private rejections: Rejection[] = [];
  private records = 0;
  private accepted = 0;
  private outsideSessions = 0;
  private duplicates = 0;
  private rejected = 0;
  private generalRows = 0;
  /** Classification of trades without a side (CsvLinesOptions.classification) and its engine code. */
  private readonly classification: ClassificationMethod | undefined;
  /** CsvLinesOptions.now (+Infinity without a clock). */
  private readonly nowMs: number;
  /** The latest trade time taken (`now` + FUTURE_TOLERANCE_MS; +Infinity without a clock); readers hand later rows over. */
  readonly latestTradeMs: number;

  private pending: Buffer | undefined;
  private headerDone = false;
  private headerText = '';
  /** Column index of each role (-1 when absent) and the header's column count. */
  private readonly roleColumn = new Int32Array(ROLE_COUNT).fill(-1);
  /** The role of each column (-1: none), for `fastRow`. */
  private columnRoles = new Int8Array(0);
  private columnCount = 0;
  /** Whether the header is exactly the canonical column order (TRADE_FIELDS): `fastStandardRow` reads such lines. */
  private standardOrder = false;
  private line = 1;
  private readonly fieldStart = new Int32Array(64);
  private readonly fieldEnd = new Int32Array(64);
  /** Columns of the numeric fields (set by the header). */
  private numberColumns: NumberColumns = { price: -1, volume: -1, direction: -1, bid: -1, ask: -1 };
  /**
   * The trade of the row being read: every byte-level path fills this one record and hands it on
   * by reference (its `method`, the classification of trades without a side, is set once).
   */
  private readonly trade = new TradeFields();
  /** Set once the input needs the RFC 4180 reader (a quote or a lone CR was seen). */
  private general: CsvGeneralTail | undefined;
  private firstChunk = true;

  constructor(options: CsvLinesOptions = {}) {
    this.thresholds = options.thresholds ?? {};
    this.maxRejections = Math.max(0, Math.floor(options.maxRejections ?? 100));
    this.sourceName = options.sourceName ?? 'input';
    this.keepLog = options.replayable === true;
    this.classification = options.classification;
    this.trade.method = methodCodeOf(options.classification);
    this.nowMs = options.now ?? Number.POSITIVE_INFINITY;
    this.latestTradeMs = options.now === undefined ? Number.POSITIVE_INFINITY : options.now + FUTURE_TOLERANCE_MS;
  }

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    if (this.firstChunk) {
      this.firstChunk = false;
      if (chunk.length >= 3 && chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) chunk = chunk.subarray(3);
    }
    if (this.general) {
      this.takeGeneral(this.general.push(chunk));
      return;
    }
    const buf = this.pending ? Buffer.concat([this.pending, chunk]) : chunk;
    this.pending = undefined;
    const consumed = this.scan(buf, false);
    if (consumed < buf.length) {
      if (this.general) this.pushGeneralBytes(buf.subarray(consumed));
      else this.pending = Buffer.from(buf.subarray(consumed));
    }
  }

  /**
   * Like `push`, for a caller that reuses one buffer: reads the complete lines of
   * `buf[0..length)` and returns the bytes consumed; the caller keeps the rest at the start of its
   * buffer and passes it again with more data (or to `push` before `end`). Nothing refers to `buf`
   * afterwards, and no buffer is allocated per chunk.
   */
  pushLines(buf: Buffer, length: number): number {
    if (length === 0) return 0;
    let skip = 0;
    if (this.firstChunk) {
      if (length < 3) return 0; // too short to tell a BOM: wait for more
      this.firstChunk = false;
      if (buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) skip = 3;
    }
    if (this.pending || this.general) {
      this.push(Buffer.from(buf.subarray(skip, length)));
      return length;
    }
    const view = buf.subarray(skip, length);
    const consumed = this.scan(view, false);
    if (consumed < view.length && this.general) {
      this.pushGeneralBytes(view.subarray(consumed));
      return length;
    }
    return skip + consumed;
  }

  /**
   * Reads another input into the same day states (`capflow compute FILE...`: trades of several
   * files, in order, deduplicated across them): after `end()`, starts afresh on a new header,
   * line numbers and counts, so that the next `end()` summarises that input alone. An input of
   * `records` (NDJSON, a feed adapter) is given with `takeItems` and has no header.
   */
  startInput(sourceName: string, kind: 'csv' | 'records' = 'csv'): void {
    this.sourceName = sourceName;
    this.pending = undefined;
    this.general = undefined;
    this.firstChunk = true;
    this.headerDone = kind === 'records';
    this.headerText = '';
    this.roleColumn.fill(-1);
    this.columnRoles = new Int8Array(0);
    this.columnCount = 0;
    this.standardOrder = false;
    this.line = 1;
    this.readerSymbols.length = 0;
    this.rejections = [];
    this.records = 0;
    this.accepted = 0;
    this.outsideSessions = 0;
    this.duplicates = 0;
    this.rejected = 0;
    this.generalRows = 0;
  }

  /**
   * Records a format adapter or the NDJSON reader read (`SourceItem`s, in order): each validated
   * by the general parser and applied, a rejection reported. For inputs that are not canonical CSV.
   */
  takeItems(items: readonly SourceItem[]): void {
    for (const item of items) {
      this.records++;
      this.generalRows++;
      if ('error' in item) this.reject({ line: item.line, reason: item.error });
      else this.applyRecord(item.line, item.fields, item.classification);
    }
  }

  end(): CsvLinesSummary {
    if (!this.general && this.pending) {
      const buf = this.pending;
      this.pending = undefined;
      const consumed = this.scan(buf, true);
      if (consumed < buf.length && this.general) this.pushGeneralBytes(buf.subarray(consumed));
    }
    if (this.general) {
      this.takeGeneral(this.general.end());
    } else if (!this.headerDone) {
      // An empty input (or a header alone without a line break) is checked like the general reader does.
      new CsvRecordParser(this.sourceName).end();
    }
    return {
      records: this.records,
      accepted: this.accepted,
      outsideSessions: this.outsideSessions,
      duplicates: this.duplicates,
      rejected: this.rejected,
      rejections: this.rejections,
      generalRows: this.generalRows,
    };
  }

  /**
   * The day states by `symbolDayKey`, in the order the symbol-days first appeared. Reading it
   * moves every symbol-day into its DayFlow (reading goes on correctly afterwards, on DayFlows).
   */
  get days(): Map<string, DayFlow> {
    if (this.numberDays > 0 || this.dayFlows.size !== this.symbolDays.size) {
      this.dayFlows.clear();
      for (const [key, day] of this.symbolDays) this.dayFlows.set(key, this.dayFlowOf(day));
    }
    return this.dayFlows;
  }

  /**
   * Every symbol-day's complete lines (as `lines(symbol, date)`), by `symbolDayKey` in the order
   * the days first appeared. Unlike `days` it leaves Numbers states where they are: formatting
   * straight from them spares a whole file's days the move into DayFlows.
   */
  completeLines(): Map<string, CapitalFlowLine[]> {
    const result = new Map<string, CapitalFlowLine[]>();
    for (const [key, day] of this.symbolDays) {
      result.set(key, day.flow !== undefined ? day.flow.lines(Number.MAX_SAFE_INTEGER) : (day.numbers as NumberDayFlow).completeLines());
    }
    return result;
  }

  /** All lines of a symbol-day (every minute, as after the close), or undefined when it has no trades. */
  lines(symbol: string, date: string, nowMs = Number.MAX_SAFE_INTEGER): CapitalFlowLine[] | undefined {
    const day = this.symbolDays.get(symbolDayKey(symbol, date));
    return day === undefined ? undefined : this.dayFlowOf(day).lines(nowMs);
  }

  /** The DayFlow of a symbol-day, made from its Numbers state the first time. */
  private dayFlowOf(day: SymbolDay): DayFlow {
    if (day.flow !== undefined) return day.flow;
    const numbers = day.numbers as NumberDayFlow;
    day.flow = DayFlow.fromNumberDayFlow(numbers, this.thresholds[numbers.schedule.market]);
    day.numbers = undefined;
    this.numberDays--;
    return day.flow;
  }

  /** A tier classifier per market, shared by its Numbers day states. */
  private tierClassifier(market: Market): TierClassifier {
    let tiers = this.tierClassifiers.get(market);
    if (tiers === undefined) {
      tiers = new TierClassifier(this.thresholds[market] ?? DEFAULT_TIER_THRESHOLDS[market]);
      this.tierClassifiers.set(market, tiers);
    }
    return tiers;
  }

  /**
   * Reads complete lines of `buf` from the start; returns the bytes consumed. At the end of the
   * input (`final`) a last line without a line break is read too. Switches to the general reader
   * (setting `this.general`) at the first line holding a quote or a lone CR.
   */
  private scan(buf: Buffer, final: boolean): number {
    let pos = 0;
    const length = buf.length;
    if (!this.headerDone) {
      let lf = buf.indexOf(LF, 0);
      if (lf === -1) {
        if (!final) return 0;
        lf = length;
      }
      const headerEnd = lf > 0 && buf[lf - 1] === CR ? lf - 1 : lf;
      const header = buf.toString('utf8', 0, headerEnd);
      if (header.includes('"') || header.includes('\r')) {
        this.startGeneral('');
        return 0;
      }
      this.readHeader(header);
      pos = lf + 1;
      this.line = 2;
      if (pos > length) return length;
      if (this.columnCount > this.fieldStart.length) {
        this.startGeneral(header);
        return pos;
      }
    }
    const fieldStart = this.fieldStart;
    const fieldEnd = this.fieldEnd;
    // Where the next quote and CR are: a line before both is read by `fastStandardRow`/`fastRow` in one pass.
    let nextQuote = indexOrLength(buf, QUOTE, pos);
    let nextCr = indexOrLength(buf, CR, pos);
    const standard = this.standardOrder;
    while (pos < length) {
      if (nextCr < pos) nextCr = indexOrLength(buf, CR, pos);
      if (nextQuote < pos) nextQuote = indexOrLength(buf, QUOTE, pos);
      if (standard) {
        // The line's end is found while reading it (no separate search for the LF).
        const taken = this.fastStandardRow(buf, pos, length, nextQuote < nextCr ? nextQuote : nextCr, false);
        if (taken >= 0) {
          this.line++;
          pos = taken + 1;
          continue;
        }
      }
      let lf = buf.indexOf(LF, pos);
      if (lf === -1) {
        if (!final) return pos;
        lf = length;
      }
      const end = lf > pos && buf[lf - 1] === CR ? lf - 1 : lf;
      if (end <= nextQuote && end <= nextCr && (standard ? this.fastStandardRow(buf, pos, end, end, true) >= 0 : this.fastRow(buf, pos, end))) {
        this.line++;
        pos = lf + 1;
        continue;
      }
      // Split into fields; a quote or CR inside the line needs the RFC 4180 reader from here on.
      const fields = splitFields(buf, pos, end, fieldStart, fieldEnd);
      if (fields < 0) {
        this.startGeneral(this.headerText);
        return pos;
      }
      if (!(fields === 1 && end === pos)) this.row(buf, fields, pos, end);
      this.line++;
      pos = lf + 1;
    }
    return length;
  }

  private readHeader(header: string): void {
    // The general reader validates the header and throws its errors (missing or repeated columns).
    new CsvRecordParser(this.sourceName).push(`${header}\n`);
    this.headerText = header;
    this.headerDone = true;
    const names = header.split(',');
    this.columnCount = names.length;
    this.columnRoles = new Int8Array(names.length).fill(-1);
    names.forEach((raw, column) => {
      const name = raw.trim().toLowerCase();
      if (isTradeField(name)) {
        this.roleColumn[TRADE_FIELDS.indexOf(name)] = column;
        this.columnRoles[column] = TRADE_FIELDS.indexOf(name);
      }
    });
    const roles = this.roleColumn;
    this.numberColumns = {
      price: roles[PRICE] as number,
      volume: roles[VOLUME] as number,
      direction: roles[DIRECTION] as number,
      bid: roles[BID] as number,
      ask: roles[ASK] as number,
    };
    this.standardOrder = this.columnRoles.length === ROLE_COUNT && this.columnRoles.every((role, column) => role === column);
  }

  /**
   * One line without quote or CR, read field by field in a single pass: true when it was taken
   * (applied, or skipped as another part's symbol); false, having changed nothing, when `row`
   * must look at it (any doubt at all: an odd field, a missing or extra column, a new symbol).
   */
  private fastRow(buf: Buffer, pos: number, end: number): boolean {
    const roles = this.columnRoles;
    const columns = roles.length;
    let entry: SymbolEntry | null | undefined;
    let symbolIndex = -1;
    let numbers: NumberDayFlow | undefined;
    let dayStartMs = 0;
    let dayEndMs = 0;
    let timestamp = -1;
    let price = -1;
    let priceScale = 0;
    let volume = -1;
    let direction = -1;
    let bid = -1;
    let bidScale = 0;
    let ask = -1;
    let askScale = 0;
    let idStart = 0;
    let idEnd = 0;
    let i = pos;
    for (let column = 0; column < columns; column++) {
      if (column > 0) {
        if (i >= end) return false; // fewer fields than the header
        i++; // the comma
      }
      const start = i;
      switch (roles[column]) {
        case SYMBOL: {
          let hash = FNV_OFFSET;
          for (; i < end; i++) {
            const c = buf[i] as number;
            if (c === COMMA) break;
            if (c <= 32 || c > 126) return false;
            hash = Math.imul(hash ^ c, FNV_PRIME);
          }
          if (i === start || i - start > 64) return false;
          const index = this.symbolBytes.indexWithHash(buf, start, i, hash);
          if (index < 0) return false;
          // The kind kept beside the table spares reading the entry of another part's symbol.
          const kind = this.symbolKinds[index] as number;
          if (kind === NOT_A_SYMBOL) return false;
          entry = this.symbolBytes.valueAt(index);
          symbolIndex = index;
          // Read the symbol-day's state now: the memory reads overlap with parsing the other fields.
          numbers = this.numbersBySymbol[index];
          if (numbers !== undefined) {
            dayStartMs = numbers.dayStartMs;
            dayEndMs = numbers.dayEndMs;
          }
          break;
        }
        case TIMESTAMP: {
          let value = 0;
          for (; i < end; i++) {
            const d = (buf[i] as number) - ZERO;
            if (d < 0 || d > 9) break;
            value = value * 10 + d;
          }
          if (i === start || i - start > MAX_FAST_DIGITS || !isTradeTime(value) || value > this.latestTradeMs) return false;
          timestamp = value;
          break;
        }
        case PRICE:
        case BID:
        case ASK: {
          // readUnits: digits with at most one inner dot, 1 to 15 digits; empty only for a quote.
          let units = 0;
          let dot = -1;
          for (; i < end; i++) {
            const c = buf[i] as number;
            const d = c - ZERO;
            if (d >= 0 && d <= 9) units = units * 10 + d;
            else if (c === DOT && dot === -1 && i > start) dot = i;
            else break;
          }
          const role = roles[column];
          if (i === start && role !== PRICE) break; // no quote
          const digits = dot === -1 ? i - start : i - start - 1;
          if (dot === i - 1 || digits === 0 || digits > MAX_FAST_DIGITS || units <= 0) return false;
          const scale = dot === -1 ? 0 : i - dot - 1;
          if (role === PRICE) {
            price = units;
            priceScale = scale;
          } else if (role === BID) {
            bid = units;
            bidScale = scale;
          } else {
            ask = units;
            askScale = scale;
          }
          break;
        }
        case VOLUME: {
          let value = 0;
          for (; i < end; i++) {
            const d = (buf[i] as number) - ZERO;
            if (d < 0 || d > 9) break;
            value = value * 10 + d;
          }
          if (i === start || i - start > MAX_FAST_DIGITS || value <= 0) return false;
          volume = value;
          break;
        }
        case DIRECTION: {
          while (i < end && buf[i] !== COMMA) i++;
          if (i > start) {
            direction = readDirection(buf, start, i);
            if (direction === -2) return false;
          }
          break;
        }
        case TRADE_ID: {
          for (; i < end; i++) {
            const c = buf[i] as number;
            if (c === COMMA) break;
            if (c < 32 || c > 126) return false;
          }
          if (i > start) {
            if (i - start > MAX_TRADE_ID_CHARS || (buf[start] as number) <= 32 || (buf[i - 1] as number) <= 32) return false;
            idStart = start;
            idEnd = i;
          }
          break;
        }
        case TRADE_TYPE:
          // A trade type takes the general path (DayFlow.add applies the market's trade-type
          // policy to it): a non-empty one fails the comma check below.
          break;
        default:
          while (i < end && buf[i] !== COMMA) i++;
      }
      if (i < end && buf[i] !== COMMA) return false; // the field went on with something unexpected
    }
    if (i !== end || entry === undefined || entry === null || timestamp < 0 || price <= 0 || volume <= 0) return false;
    const trade = this.trade;
    trade.timestampMs = timestamp;
    trade.priceUnits = price;
    trade.priceScale = priceScale;
    trade.volume = volume;
    trade.direction = direction;
    trade.bidUnits = bid;
    trade.bidScale = bidScale;
    trade.askUnits = ask;
    trade.askScale = askScale;
    trade.setId(buf, idStart, idEnd);
    this.takeFastRow(entry, symbolIndex, numbers, dayStartMs, dayEndMs, trade);
    return true;
  }

  /**
   * `fastRow` for the canonical column order (symbol,timestamp,price,volume,direction,trade_id,
   * bid,ask,trade_type), the usual file: the same checks field by field in straight-line code,
   * without looking up each column's role. Any doubt answers -1, having changed nothing.
   *
   * With `lineKnown`, `buf[pos..end)` is the line (without its line break) and a taken line
   * answers `end`. Otherwise `end` is the end of the bytes read so far, the line's end is found
   * here (its LF, after an optional CR) and a taken line answers its LF's position; a line whose
   * content goes beyond `guard` (the next quote or CR) or whose LF is not in the buffer yet is
   * not taken, so that `scan` decides about it as usual.
   */
  private fastStandardRow(buf: Buffer, pos: number, end: number, guard: number, lineKnown: boolean): number {
    // symbol: hashed while scanned; another part's row is done once the symbol is known.
    let i = pos;
    let hash = FNV_OFFSET;
    for (; i < end; i++) {
      const c = buf[i] as number;
      if (c === COMMA) break;
      if (c <= 32 || c > 126) return -1;
      hash = Math.imul(hash ^ c, FNV_PRIME);
    }
    if (i === pos || i - pos > 64) return -1;
    const symbolIndex = this.symbolBytes.indexWithHash(buf, pos, i, hash);
    if (symbolIndex < 0) return -1;
    const kind = this.symbolKinds[symbolIndex] as number;
    if (kind === NOT_A_SYMBOL) return -1;
    const entry = this.symbolBytes.valueAt(symbolIndex) as SymbolEntry;
    // Read the symbol-day's state now: the memory reads overlap with parsing the other fields.
    const numbers = this.numbersBySymbol[symbolIndex];
    let dayStartMs = 0;
    let dayEndMs = 0;
    if (numbers !== undefined) {
      dayStartMs = numbers.dayStartMs;
      dayEndMs = numbers.dayEndMs;
    }
    const trade = this.trade;
    const lf = readStandardFields(buf, i, end, guard, lineKnown, trade);
    if (lf < 0 || trade.timestampMs > this.latestTradeMs) return -1;
    this.takeFastRow(entry, symbolIndex, numbers, dayStartMs, dayEndMs, trade);
    return lf;
  }

  /**
   * Applies records of a `CsvRowReader` that read the lines of `buf` (in another thread), in
   * order: rows it read go straight to their symbol-day, raw bytes are read here as `push` would
   * read them. Fed every byte of the input this way, the builder ends in exactly the state of
   * being pushed the input itself.
   */
  applyReadRecords(buf: Buffer, records: Float64Array, count: number): void {
    for (let r = 0; r < count; r++) {
      const at = r * RECORD_STRIDE;
      const kind = records[at] as number;
      if (kind >= 0) {
        if (this.general !== undefined || this.pending !== undefined || !this.headerDone) {
          throw new Error(`${this.sourceName}: a row read by the reader thread arrived in the middle of a line`);
        }
        const trade = this.trade;
        const entry = this.readerSymbols[readRowRecord(records, at, buf, trade)];
        if (entry === undefined) throw new Error(`${this.sourceName}: the reader thread used a symbol it did not name`);
        this.line++;
        this.takeRow(entry, entry.numbers, entry.dayStartMs, entry.dayEndMs, trade);
      } else if (kind === RECORD_RAW) {
        this.push(buf.subarray(records[at + 1] as number, records[at + 2] as number));
      } else if (kind === RECORD_SYMBOL) {
        const entry = this.symbolEntry(buf, records[at + 2] as number, records[at + 3] as number);
        if (entry === null) throw new Error(`${this.sourceName}: the reader thread took a symbol this reader does not`);
        this.readerSymbols[records[at + 1] as number] = entry;
      } else if (kind === RECORD_RESET) {
        this.readerSymbols.length = 0;
      } else {
        throw new Error(`${this.sourceName}: unknown record from the reader thread`);
      }
    }
  }

  /** Applies a row `fastRow` or `fastStandardRow` read in full, keeping the spelling's Numbers state at hand. */
  private takeFastRow(entry: SymbolEntry, symbolIndex: number, numbers: NumberDayFlow | undefined, dayStartMs: number, dayEndMs: number, trade: TradeFields): void {
    const straight = this.takeRow(entry, numbers, dayStartMs, dayEndMs, trade);
    if (!straight) {
      const current = entry.numbers;
      this.numbersBySymbol[symbolIndex] = current !== undefined && !current.moved ? current : undefined;
    }
  }

  /**
   * A row read in full (counted here in `records`): the usual one goes straight to the Numbers
   * state of its symbol-day (`numbers`, when the row falls in [dayStartMs, dayEndMs)), answering
   * true; any other goes the long way (`applyParsed`), answering false.
   */
  private takeRow(entry: SymbolEntry, numbers: NumberDayFlow | undefined, dayStartMs: number, dayEndMs: number, trade: TradeFields): boolean {
    this.records++;
    const timestamp = trade.timestampMs;
    if (numbers !== undefined && timestamp >= dayStartMs && timestamp < dayEndMs) {
      const outcome = numbers.addTrade(trade);
      if (outcome === AddOutcome.Counted) {
        this.accepted++;
        return true;
      }
      if (outcome === AddOutcome.Outside) {
        this.outsideSessions++;
        return true;
      }
      if (outcome === AddOutcome.Duplicate) {
        this.duplicates++;
        return true;
      }
    }
    this.applyParsed(entry, trade);
    return false;
  }

  /** One record without quotes: the fast path, or the general parser when in doubt. */
  private row(buf: Buffer, fields: number, lineStart: number, lineEnd: number): void {
    this.records++;
    if (fields > this.columnCount) {
      this.reject({ line: this.line, reason: `has ${fields} fields but the header has ${this.columnCount}` });
      return;
    }
    const roles = this.roleColumn;
    const fs = this.fieldStart;
    const fe = this.fieldEnd;
    const symbolColumn = roles[SYMBOL] as number;
    if (symbolColumn >= fields) return this.slowRow(buf, fields, lineStart, lineEnd);
    const entry = this.symbolEntry(buf, fs[symbolColumn] as number, fe[symbolColumn] as number);
    if (entry === null) return this.slowRow(buf, fields, lineStart, lineEnd);

    const timestamp = this.readTimestamp(buf, roles[TIMESTAMP] as number, fields);
    if (timestamp < 0 || timestamp > this.latestTradeMs) return this.slowRow(buf, fields, lineStart, lineEnd);

    const trade = this.trade;
    if (!readRowNumbers(buf, fs, fe, fields, this.numberColumns, trade)) return this.slowRow(buf, fields, lineStart, lineEnd);
    trade.timestampMs = timestamp;

    let column = roles[TRADE_TYPE] as number;
    if (column >= 0 && column < fields) {
      const s = fs[column] as number;
      const e = fe[column] as number;
      // A trade type takes the general path: DayFlow.add applies the market's trade-type policy to it.
      if (e > s) return this.slowRow(buf, fields, lineStart, lineEnd);
    }

    let idStart = 0;
    let idEnd = 0;
    column = roles[TRADE_ID] as number;
    if (column >= 0 && column < fields) {
      idStart = fs[column] as number;
      idEnd = fe[column] as number;
      if (idEnd > idStart && (idEnd - idStart > MAX_TRADE_ID_CHARS || !plainAscii(buf, idStart, idEnd))) {
        return this.slowRow(buf, fields, lineStart, lineEnd);
      }
    }

    const day = timestamp >= entry.dayStartMs && timestamp < entry.dayEndMs ? entry.day : this.dayOf(entry, timestamp);
    if (day === null) {
      this.countClosedDay(entry, idEnd > idStart ? buf.toString('latin1', idStart, idEnd) : undefined);
      return;
    }
    trade.setId(buf, idStart, idEnd);
    this.applyParsed(entry, trade);
  }

  /** Applies one row read by the byte-level path to its symbol-day. */
  private applyParsed(entry: SymbolEntry, trade: TradeFields): void {
    const timestamp = trade.timestampMs;
    let outcome: number = NEEDS_DAY_FLOW;
    const numbers = entry.numbers;
    if (numbers !== undefined && timestamp >= entry.dayStartMs && timestamp < entry.dayEndMs) {
      outcome = numbers.addTrade(trade);
      if (outcome === AddOutcome.Counted) {
        this.accepted++;
        return;
      }
      if (outcome === AddOutcome.Outside) {
        this.outsideSessions++;
        return;
      }
    }
    const day = timestamp >= entry.dayStartMs && timestamp < entry.dayEndMs ? entry.day : this.dayOf(entry, timestamp);
    if (day === null) {
      this.countClosedDay(entry, trade.idText());
      return;
    }
    if (outcome === NEEDS_DAY_FLOW && day.numbers !== undefined) outcome = day.numbers.addTrade(trade);
    if (outcome === NEEDS_DAY_FLOW) outcome = this.dayFlowOf(day).addTrade(trade);
    if (outcome === AddOutcome.Duplicate) this.duplicates++;
    else if (outcome === AddOutcome.Outside) this.outsideSessions++;
    else this.accepted++;
  }

  /** The general parser for one unquoted record (already counted in `records`). */
  private slowRow(buf: Buffer, fields: number, lineStart: number, lineEnd: number): void {
    this.generalRows++;
    const values = buf.toString('utf8', lineStart, lineEnd).split(',');
    const record: RawFields = {};
    for (let role = 0; role < ROLE_COUNT; role++) {
      const column = this.roleColumn[role] as number;
      if (column >= 0 && column < fields) record[TRADE_FIELDS[role] as TradeField] = values[column] as string;
    }
    this.applyRecord(this.line, record);
  }

  /** Parses and applies a record (or reports its rejection). */
  private applyRecord(line: number, record: RawFields, classification?: ClassificationMethod): void {
    const result = parseTradeRecord(line, record);
    if (!result.ok) {
      this.reject(result.field === undefined ? { line, reason: result.reason } : { line, field: result.field, reason: result.reason });
      return;
    }
    if (result.trade.timestamp > this.latestTradeMs) {
      this.reject({ line, field: 'timestamp', reason: futureTimeProblem(result.trade.timestamp, this.nowMs) as string });
      return;
    }
    this.applyTrade(classification === undefined ? result.trade : { ...result.trade, classification });
  }

  private applyTrade(given: Trade): void {
    const trade =
      given.direction === undefined && given.classification === undefined && this.classification !== undefined ? { ...given, classification: this.classification } : given;
    const entry = this.symbols.get(trade.symbol) ?? this.entryFor(trade.symbol);
    if (!entry) return; // unreachable: the trade parser accepted the symbol
    const day = this.dayOf(entry, trade.timestamp);
    if (day === null) {
      this.countClosedDay(entry, trade.tradeId);
      return;
    }
    const flow = this.dayFlowOf(day);
    if (flow.add(trade) === AddOutcome.Duplicate) this.duplicates++;
    // By its time alone, as the ingest summary counts it (a trade left out by its trade type included).
    else if (flow.schedule.lineIndexAt(trade.timestamp) < 0) this.outsideSessions++;
    else this.accepted++;
  }

  /** A trade on a day its market is closed: stored by ingestion (deduplicated), counted in no line. */
  private countClosedDay(entry: SymbolEntry, tradeId: string | undefined): void {
    if (tradeId !== undefined && tradeId !== '') {
      let ids = this.closedDayIds.get(entry.dayKey);
      if (!ids) this.closedDayIds.set(entry.dayKey, (ids = new Set()));
      if (ids.has(tradeId)) {
        this.duplicates++;
        return;
      }
      ids.add(tradeId);
    }
    this.outsideSessions++;
  }

  private reject(rejection: Rejection): void {
    this.rejected++;
    if (this.rejections.length < this.maxRejections) this.rejections.push(rejection);
  }

  private symbolEntry(buf: Buffer, start: number, end: number): SymbolEntry | null {
    if (end === start || end - start > 64) return null;
    const known = this.symbolBytes.get(buf, start, end);
    if (known !== undefined) return known;
    const text = buf.toString('latin1', start, end);
    const cached = this.symbols.get(text);
    const first = buf[start] as number;
    const last = buf[end - 1] as number;
    const entry = cached !== undefined ? cached : first <= 32 || last <= 32 || !plainAscii(buf, start, end) ? null : this.entryFor(text);
    if (this.symbols.size >= SYMBOL_CACHE_LIMIT) this.symbols.clear();
    if (this.symbolBytes.size >= SYMBOL_CACHE_LIMIT) this.symbolBytes.clear();
    this.symbols.set(text, entry);
    const index = this.symbolBytes.set(buf, start, end, entry);
    if (index >= this.symbolKinds.length) {
      const grown = new Uint8Array(Math.max(1024, this.symbolKinds.length * 2));
      grown.set(this.symbolKinds);
      this.symbolKinds = grown;
    }
    this.symbolKinds[index] = entry === null ? NOT_A_SYMBOL : A_SYMBOL;
    if (index === 0) this.numbersBySymbol.length = 0; // the table was cleared: indexes start again
    this.numbersBySymbol[index] = undefined;
    return entry;
  }

  /** The entry of a symbol as written (normalised spellings share the day states). */
  private entryFor(text: string): SymbolEntry | null {
    const parsed = parseSymbol(text);
    if (!parsed) return null;
    const canonical = this.symbols.get(parsed.symbol);
    if (canonical) return canonical;
    const entry: SymbolEntry = {
      symbol: parsed.symbol,
      market: parsed.market,
      dayStartMs: 0,
      dayEndMs: 0,
      day: null,
      numbers: undefined,
      dayKey: '',
    };
    this.symbols.set(parsed.symbol, entry);
    return entry;
  }

  /** The flow of the trade's trading day (market-local date), or null when the market is closed that day. */
  private dayOf(entry: SymbolEntry, timestampMs: number): SymbolDay | null {
    if (timestampMs >= entry.dayStartMs && timestampMs < entry.dayEndMs) return entry.day;
    const date = dayNumberToDate(localDayNumber(entry.market, timestampMs));
    const key = symbolDayKey(entry.symbol, date);
    const schedule = calendarFor(entry.market).schedule(date);
    let day = this.symbolDays.get(key) ?? null;
    if (!day && schedule) {
      // A replayable day keeps DayFlow's log from its first trade; a batch day starts in Numbers.
      if (this.keepLog) day = { numbers: undefined, flow: new DayFlow(schedule, this.thresholds[entry.market], { keepLog: true }) };
      else {
        day = { numbers: new NumberDayFlow(schedule, this.tierClassifier(entry.market), this.sumsArena), flow: undefined };
        this.numberDays++;
      }
      this.symbolDays.set(key, day);
    }
    entry.dayKey = key;
    entry.day = day;
    entry.numbers = day?.numbers;
    entry.dayStartMs = schedule ? schedule.dayStartMs : zonedEpochMs(entry.market, date, 0);
    entry.dayEndMs = schedule ? schedule.dayEndMs : zonedEpochMs(entry.market, dayNumberToDate(dateToDayNumber(date) + 1), 0);
    return day;
  }

  /** Epoch ms of the timestamp field, or -1 when the general parser must look at the row. */
  private readTimestamp(buf: Buffer, column: number, fields: number): number {
    if (column >= fields) return -1;
    return readTimestampField(buf, this.fieldStart[column] as number, this.fieldEnd[column] as number);
  }

  /** The RFC 4180 reader from here on: from the start (`header` empty), or from line `this.line`. */
  private startGeneral(header: string): void {
    this.general = new CsvGeneralTail(this.sourceName, header, this.line);
  }

  private pushGeneralBytes(bytes: Buffer): void {
    this.takeGeneral((this.general as CsvGeneralTail).push(bytes));
  }

  private takeGeneral(items: readonly SourceItem[]): void {
    for (const item of items) {
      this.records++;
      this.generalRows++;
      const line = item.line;
      if ('error' in item) this.reject({ line, reason: item.error });
      else this.applyRecord(line, item.fields);
    }
  }
}

/** Bytes read at a time from a plain file, and room kept before them for the line left unfinished by the previous read. */
const READ_CHUNK = 1 << 22;
const READ_HEADROOM = 1 << 16;

/** Position of the first `byte` at or after `from`, or the buffer's length when there is none. */
function indexOrLength(buf: Buffer, byte: number, from: number): number {
  const at = buf.indexOf(byte, from);
  return at === -1 ? buf.length : at;
}

/**
 * Reads a CSV file (optionally `.gz`) straight into day flows; resolves with the builder (its
 * `days` and `lines`) and the summary. Structural problems throw like `ingestFile`. Given a
 * builder `into` (which ended its previous input), the file's trades join its day states.
 */
export async function csvFileToLines(
  path: string,
  options: CsvLinesOptions = {},
  into?: CsvLinesBuilder,
): Promise<{ builder: CsvLinesBuilder; summary: CsvLinesSummary }> {
  const kind = fileKindOf(path);
  if (kind.format !== 'csv') throw new TypeError(`${path}: not a CSV file`);
  const builder = into ?? new CsvLinesBuilder({ sourceName: path, ...options });
  if (into) into.startInput(path);
  if (kind.gzip) {
    const source = createReadStream(path, { highWaterMark: 1 << 20 }).pipe(createGunzip({ chunkSize: 1 << 20 }));
    for await (const chunk of source) builder.push(chunk as Buffer);
    return { builder, summary: builder.end() };
  }
  // A plain file is read into two reused buffers, taking turns: no Buffer per chunk (whose
  // external memory would otherwise trigger full garbage collections every few tens of MB), and
  // the next chunk is read (by the thread pool) while this thread scans the current one, instead
  // of this thread waiting for every read.
  const file = await open(path, 'r');
  try {
    let current = Buffer.allocUnsafe(READ_HEADROOM + READ_CHUNK);
    let spare = Buffer.allocUnsafe(READ_HEADROOM + READ_CHUNK);
    // current[from .. filled) holds the bytes not yet consumed.
    let from = READ_HEADROOM;
    let filled = from + (await file.read(current, READ_HEADROOM, READ_CHUNK, null)).bytesRead;
    let more = filled > from;
    while (more) {
      const next = file.read(spare, READ_HEADROOM, READ_CHUNK, null);
      const view = current.subarray(from, filled);
      const consumed = builder.pushLines(view, view.length);
      const kept = view.length - consumed;
      const { bytesRead } = await next;
      more = bytesRead > 0;
      if (!more) {
        if (kept > 0) builder.push(Buffer.from(view.subarray(consumed)));
        break;
      }
      if (kept <= READ_HEADROOM) {
        // The unfinished line goes just before the new bytes, in the headroom left for it.
        view.copy(spare, READ_HEADROOM - kept, consumed);
        from = READ_HEADROOM - kept;
        filled = READ_HEADROOM + bytesRead;
        [current, spare] = [spare, current];
      } else {
        // A line longer than the headroom (or input the builder would not yet take): join the bytes into a larger buffer.
        const joined = Buffer.allocUnsafe(READ_HEADROOM + kept + bytesRead);
        view.copy(joined, READ_HEADROOM, consumed);
        spare.copy(joined, READ_HEADROOM + kept, READ_HEADROOM, READ_HEADROOM + bytesRead);
        from = READ_HEADROOM;
        filled = READ_HEADROOM + kept + bytesRead;
        current = joined;
      }
    }
  } finally {
    await file.close();
  }
  return { builder, summary: builder.end() };
}
