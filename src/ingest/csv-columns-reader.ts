import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { pipeline } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { dayNumberToDate, localDayNumber, localWallMs, MS_PER_DAY } from '../calendar/time-zone.js';
import type { Market } from '../model/market.js';
import { parseSymbol } from '../model/symbol.js';
import { YIELD_CHECK_BYTES, type BatchIngester } from './batch-ingester.js';
import { ByteKeyTable } from './byte-key-table.js';
import { plainAscii, readRowNumbers, splitFields, readTimestampField, type NumberColumns } from './csv-bytes.js';
import { TradeFields } from '../engine/trade-fields.js';
import { CsvGeneralTail } from './csv-general-tail.js';
import { CsvRecordParser } from './csv-record-parser.js';
import { gzipDataError } from './file-source.js';
import { isTradeField, TRADE_FIELDS, type RawFields, type SourceItem, type TradeField } from './raw-record.js';
import { MAX_TRADE_ID_CHARS } from './trade-parser.js';
import { readRowRecord, RECORD_RAW, RECORD_RESET, RECORD_STRIDE, RECORD_SYMBOL } from './csv-row-reader.js';

const LF = 10;
const CR = 13;
const ROLE_COUNT = TRADE_FIELDS.length;
const SYMBOL = 0;
const TIMESTAMP = 1;
const PRICE = 2;
const VOLUME = 3;
const DIRECTION = 4;
const TRADE_ID = 5;
const BID = 6;
const ASK = 7;
const TRADE_TYPE = 8;
const MAX_FIELDS = 64;
const CHUNK_BYTES = 4 << 20;
const SYMBOL_CACHE_LIMIT = 100_000;

/** What the reader knows of a symbol as written: its canonical name and its latest trading day. */
interface SymbolEntry {
  readonly symbol: string;
  readonly market: Market;
  /** The local day [start, end) in epoch ms of `date`; empty until a row sets it. */
  dayStartMs: number;
  dayEndMs: number;
  date: string;
  /** `date`'s index in the ingester's column batch number `batch`. */
  batch: number;
  dayIndex: number;
}

/**
 * The durable ingest's byte-level reader of a plain canonical CSV file: rows without quotes are
 * split and read straight from the bytes into the ingester's column batch (no string, object
 * or BigInt per row). Any row it is not certain about — a field the byte readers answer with
 * their sentinel, a trade type, a non-ASCII id, a short row — goes through the general
 * `parseTradeRecord` exactly as the general reader would, so rejections and their reasons are
 * unchanged. From the first line holding a quote or a lone CR on, the rest of the file goes
 * through the RFC 4180 reader (CsvRecordParser), the same way.
 */
export class CsvColumnsReader {
  private readonly symbolBytes = new ByteKeyTable<SymbolEntry | null>();
  private readonly symbols = new Map<string, SymbolEntry | null>();
  private readonly roleColumn = new Int32Array(ROLE_COUNT).fill(-1);
  private columnCount = 0;
  private headerText = '';
  private headerDone = false;
  private line = 1;
  private readonly fieldStart = new Int32Array(MAX_FIELDS);
  private readonly fieldEnd = new Int32Array(MAX_FIELDS);
  /** Columns of the numeric fields (set by the header) and the reused row of numbers. */
  private numberColumns: NumberColumns = { price: -1, volume: -1, direction: -1, bid: -1, ask: -1 };
  private readonly trade = new TradeFields();
  private general: CsvGeneralTail | undefined;
  private readonly defaultMethod: number;
  /** Bytes fed by `pushBytes` not yet read (an unfinished line), and whether the first bytes (a BOM) are still to come. */
  private carry: Buffer = Buffer.alloc(0);
  private firstBytes = true;
  /** Symbols by the index a `CsvRowReader` gave them (`applyReadRecords`). */
  private readonly readerSymbols: Array<SymbolEntry | undefined> = [];

  constructor(
    private readonly ingester: BatchIngester,
    private readonly sourceName: string,
  ) {
    this.defaultMethod = ingester.defaultMethod;
  }

  /** Reads the whole file (plain, not compressed), committing batches as they fill. */
  async readFile(path: string, onBytes?: (bytesRead: number) => void): Promise<void> {
    const handle = await open(path, 'r');
    let total = 0;
    try {
      await this.readFrom(
        async (buf, offset, length) => {
          const { bytesRead } = await handle.read(buf, offset, length, null);
          total += bytesRead;
          return bytesRead;
        },
        onBytes && (() => onBytes(total)),
      );
    } finally {
      await handle.close();
    }
  }

  /**
   * Reads a gzipped file through the same byte-level path, committing batches as they fill;
   * `onBytes` is told the compressed bytes read (the file's size is what progress is out of).
   */
  async readGzipFile(path: string, onBytes?: (bytesRead: number) => void): Promise<void> {
    const input = createReadStream(path, { highWaterMark: 1 << 20 });
    let compressed = 0;
    input.on('data', (chunk: string | Buffer) => {
      compressed += chunk.length;
    });
    const gunzip = createGunzip({ chunkSize: 1 << 20 });
    // pipeline forwards a read error of the file into the gunzip stream (pipe would not).
    pipeline(input, gunzip, () => {});
    const chunks = gunzip[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
    let pending: Buffer | undefined;
    let at = 0;
    try {
      await this.readFrom(
        async (buf, offset, length) => {
          if (pending === undefined || at >= pending.length) {
            const next = await chunks.next();
            if (next.done) return 0;
            pending = next.value;
            at = 0;
          }
          const taken = Math.min(length, pending.length - at);
          pending.copy(buf, offset, at, at + taken);
          at += taken;
          return taken;
        },
        onBytes && (() => onBytes(compressed)),
      );
    } catch (error) {
      throw gzipDataError(path, error);
    } finally {
      input.destroy();
      gunzip.destroy();
    }
  }

  /**
   * Reads CSV bytes held in memory (an HTTP request body), committing batches as they fill. An
   * ingester that yields gets them in slices of YIELD_CHECK_BYTES, checking in between.
   */
  async readBytes(body: Uint8Array): Promise<void> {
    const source = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
    const slice = this.ingester.yields ? YIELD_CHECK_BYTES : Number.POSITIVE_INFINITY;
    let at = 0;
    await this.readFrom(async (buf, offset, length) => {
      await this.ingester.yieldIfDue();
      const taken = Math.min(length, source.length - at, slice);
      source.copy(buf, offset, at, at + taken);
      at += taken;
      return taken;
    });
  }

  /**
   * Applies records of a `CsvRowReader` that read the lines of `buf` in another thread
   * (`ingestCsvFilePipelined`), in order: its rows go straight into the column batch, raw bytes
   * are read here (`pushBytes`) as `readFile` would read them. Fed every byte of a file this way,
   * the ingester ends in exactly the state of `readFile`: the same rows, line numbers, rejections
   * and commits. Nothing refers to `buf` afterwards.
   */
  async applyReadRecords(buf: Buffer, records: Float64Array, count: number): Promise<void> {
    const ingester = this.ingester;
    for (let r = 0; r < count; r++) {
      const at = r * RECORD_STRIDE;
      const kind = records[at] as number;
      if (kind >= 0) {
        if (this.general !== undefined || this.carry.length > 0 || !this.headerDone) {
          throw new Error(`${this.sourceName}: a row read by the reader thread arrived in the middle of a line`);
        }
        const trade = this.trade;
        const entry = this.readerSymbols[readRowRecord(records, at, buf, trade)];
        if (entry === undefined) throw new Error(`${this.sourceName}: the reader thread used a symbol it did not name`);
        this.line++;
        if (!ingester.beginRecord()) continue;
        this.addRow(entry, trade);
        if (ingester.commitDue()) await ingester.commitIfDue();
      } else if (kind === RECORD_RAW) {
        await this.pushBytes(buf.subarray(records[at + 1] as number, records[at + 2] as number));
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

  /**
   * Reads bytes given in pieces split anywhere (`applyReadRecords`' raw bytes): complete lines
   * now, committing batches as they fill; an unfinished line is kept for the next piece or `endBytes`.
   */
  async pushBytes(bytes: Buffer, final = false): Promise<void> {
    const buf = this.carry.length === 0 ? bytes : Buffer.concat([this.carry, bytes]);
    this.carry = Buffer.alloc(0);
    let start = 0;
    if (this.firstBytes) {
      if (buf.length < 3 && !final) {
        this.carry = Buffer.from(buf);
        return;
      }
      this.firstBytes = false;
      if (buf.length >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) start = 3;
    }
    const length = buf.length;
    while (start < length) {
      if (this.general) {
        await this.takeGeneral(this.general.push(buf.subarray(start, length)));
        start = length;
        break;
      }
      const consumed = this.scan(buf, start, length, final);
      const stalled = consumed === start;
      start = consumed;
      await this.ingester.commitIfDue();
      if (stalled && !this.general) break; // an unfinished line: wait for more
    }
    if (start < length) this.carry = Buffer.from(buf.subarray(start, length));
  }

  /** The end of the bytes given to `pushBytes`/`applyReadRecords`: reads what is left and checks the input as `readFile` does. */
  async endBytes(): Promise<void> {
    await this.pushBytes(Buffer.alloc(0), true);
    await this.finishInput();
  }

  /** The reading loop over any byte source (`read` answers 0 at its end). */
  private async readFrom(read: (buf: Buffer, offset: number, length: number) => Promise<number>, progress?: () => void): Promise<void> {
    let buf = Buffer.allocUnsafe(CHUNK_BYTES);
    let kept = 0;
    let first = true;
    for (;;) {
      if (kept === buf.length) {
        const bigger = Buffer.allocUnsafe(buf.length * 2); // a line longer than the buffer
        buf.copy(bigger, 0, 0, kept);
        buf = bigger;
      }
      const bytesRead = await read(buf, kept, buf.length - kept);
      const final = bytesRead === 0;
      let length = kept + bytesRead;
      let start = 0;
      if (first && length >= 3) {
        first = false;
        if (buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) start = 3;
      } else if (first && final) first = false;
      if (first) {
        kept = length;
        continue;
      }
      while (start < length) {
        if (this.general) {
          await this.takeGeneral(this.general.push(buf.subarray(start, length)));
          start = length;
          break;
        }
        const consumed = this.scan(buf, start, length, final);
        const stalled = consumed === start;
        start = consumed;
        await this.ingester.commitIfDue();
        if (stalled && !this.general) break; // an incomplete line: read more
      }
      progress?.();
      if (final) break;
      buf.copy(buf, 0, start, length);
      kept = length - start;
      length = kept;
    }
    await this.finishInput();
  }

  /** At the end of the input: the rest of a general reader's records, or the check of an empty input. */
  private async finishInput(): Promise<void> {
    if (this.general) {
      await this.takeGeneral(this.general.end());
    } else if (!this.headerDone) {
      // An empty file (or a header alone without a line break) is checked as the general reader does.
      new CsvRecordParser(this.sourceName).end();
    }
  }

  /**
   * Reads complete lines of `buf[start..end)` (a last line without a break when `final`), until
   * the ingester's batch is due; returns where it stopped. Switches to the general reader at
   * the first line holding a quote or a CR.
   */
  private scan(buf: Buffer, start: number, end: number, final: boolean): number {
    let pos = start;
    if (!this.headerDone) {
      let lf = buf.indexOf(LF, pos);
      if (lf === -1 || lf >= end) {
        if (!final) return pos;
        lf = end;
      }
      const header = buf.toString('utf8', pos, lf > pos && buf[lf - 1] === CR ? lf - 1 : lf);
      if (header.includes('"') || header.includes('\r')) {
        this.startGeneral('');
        return pos;
      }
      this.readHeader(header);
      pos = Math.min(lf + 1, end);
      this.line = 2;
      if (this.columnCount > MAX_FIELDS) {
        this.startGeneral(header);
        return pos;
      }
    }
    const fieldStart = this.fieldStart;
    const fieldEnd = this.fieldEnd;
    const ingester = this.ingester;
    while (pos < end) {
      let lf = buf.indexOf(LF, pos);
      if (lf === -1 || lf >= end) {
        if (!final) return pos;
        lf = end;
      }
      const lineEnd = lf > pos && buf[lf - 1] === CR ? lf - 1 : lf;
      const fields = splitFields(buf, pos, lineEnd, fieldStart, fieldEnd);
      if (fields < 0) {
        this.startGeneral(this.headerText);
        return pos;
      }
      if (!(fields === 1 && lineEnd === pos) && ingester.beginRecord()) this.row(buf, fields, pos, lineEnd);
      this.line++;
      pos = lf + 1;
      if (ingester.commitDue()) return Math.min(pos, end);
    }
    return end;
  }

  private readHeader(header: string): void {
    // The general reader validates the header and throws its errors (missing or repeated columns).
    new CsvRecordParser(this.sourceName).push(`${header}\n`);
    this.headerText = header;
    this.headerDone = true;
    const names = header.split(',');
    this.columnCount = names.length;
    names.forEach((raw, column) => {
      const name = raw.trim().toLowerCase();
      if (isTradeField(name)) this.roleColumn[TRADE_FIELDS.indexOf(name)] = column;
    });
    const roles = this.roleColumn;
    this.numberColumns = {
      price: roles[PRICE] as number,
      volume: roles[VOLUME] as number,
      direction: roles[DIRECTION] as number,
      bid: roles[BID] as number,
      ask: roles[ASK] as number,
    };
  }

  /** One record without quotes: read from the bytes, or by the general parser when in doubt. */
  private row(buf: Buffer, fields: number, lineStart: number, lineEnd: number): void {
    if (fields > this.columnCount) {
      this.ingester.takeRejection(this.line, `has ${fields} fields but the header has ${this.columnCount}`);
      return;
    }
    const roles = this.roleColumn;
    const fs = this.fieldStart;
    const fe = this.fieldEnd;
    let column = roles[SYMBOL] as number;
    if (column >= fields) return this.slowRow(buf, fields, lineStart, lineEnd);
    const entry = this.symbolEntry(buf, fs[column] as number, fe[column] as number);
    if (entry === null) return this.slowRow(buf, fields, lineStart, lineEnd);

    const timestamp = this.readTimestamp(buf, roles[TIMESTAMP] as number, fields);
    if (timestamp < 0 || timestamp > this.ingester.latestTradeMs) return this.slowRow(buf, fields, lineStart, lineEnd);

    const trade = this.trade;
    if (!readRowNumbers(buf, fs, fe, fields, this.numberColumns, trade)) return this.slowRow(buf, fields, lineStart, lineEnd);
    trade.timestampMs = timestamp;

    // A trade type is rare: the general parser keeps its exact text (its policy applies later).
    column = roles[TRADE_TYPE] as number;
    if (column >= 0 && column < fields && (fe[column] as number) > (fs[column] as number)) {
      return this.slowRow(buf, fields, lineStart, lineEnd);
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

    trade.setId(buf, idStart, idEnd);
    this.addRow(entry, trade);
  }

  /** A row read from the bytes, into the ingester's column batch on its symbol-day. */
  private addRow(entry: SymbolEntry, trade: TradeFields): void {
    const ingester = this.ingester;
    const columns = ingester.columnBatch;
    const timestamp = trade.timestampMs;
    if (!(timestamp >= entry.dayStartMs && timestamp < entry.dayEndMs)) this.moveToDay(entry, timestamp);
    if (entry.batch !== ingester.batchNumber) {
      entry.batch = ingester.batchNumber;
      entry.dayIndex = columns.dayOf(entry.symbol, entry.date);
    }
    columns.addRow(entry.dayIndex, trade, trade.direction === -1 ? this.defaultMethod : -1);
  }

  /** Sets the entry's day to the local trading day of `timestamp` (as parseTradeRecord dates it). */
  private moveToDay(entry: SymbolEntry, timestamp: number): void {
    const market = entry.market;
    entry.date = dayNumberToDate(localDayNumber(market, timestamp));
    entry.batch = -1;
    // The local day's instant range, valid when the UTC offset is the same all day; on a day the
    // offset changes the range stays empty, so each row dates itself (twice a year, US only).
    const offset = localWallMs(market, timestamp) - timestamp;
    const wall = timestamp + offset;
    const start = timestamp - (((wall % MS_PER_DAY) + MS_PER_DAY) % MS_PER_DAY);
    const end = start + MS_PER_DAY;
    const steady = localWallMs(market, start) - start === offset && localWallMs(market, end - 1) - (end - 1) === offset;
    entry.dayStartMs = steady ? start : 0;
    entry.dayEndMs = steady ? end : 0;
  }

  private readTimestamp(buf: Buffer, column: number, fields: number): number {
    if (column >= fields) return -1;
    return readTimestampField(buf, this.fieldStart[column] as number, this.fieldEnd[column] as number);
  }

  private symbolEntry(buf: Buffer, start: number, end: number): SymbolEntry | null {
    if (end === start || end - start > 64) return null;
    const known = this.symbolBytes.get(buf, start, end);
    if (known !== undefined) return known;
    const text = buf.toString('latin1', start, end);
    let entry = this.symbols.get(text);
    if (entry === undefined) {
      const parsed = (buf[start] as number) <= 32 || (buf[end - 1] as number) <= 32 || !plainAscii(buf, start, end) ? undefined : parseSymbol(text);
      entry = parsed
        ? (this.symbols.get(parsed.symbol) ?? { symbol: parsed.symbol, market: parsed.market, dayStartMs: 0, dayEndMs: 0, date: '', batch: -1, dayIndex: 0 })
        : null;
    }
    if (this.symbols.size >= SYMBOL_CACHE_LIMIT) this.symbols.clear();
    if (this.symbolBytes.size >= SYMBOL_CACHE_LIMIT) this.symbolBytes.clear();
    this.symbols.set(text, entry);
    if (entry) this.symbols.set(entry.symbol, entry);
    this.symbolBytes.set(buf, start, end, entry);
    return entry;
  }

  /** The general parser for one unquoted record (already counted by `beginRecord`). */
  private slowRow(buf: Buffer, fields: number, lineStart: number, lineEnd: number): void {
    const values = buf.toString('utf8', lineStart, lineEnd).split(',');
    const record: RawFields = {};
    for (let role = 0; role < ROLE_COUNT; role++) {
      const column = this.roleColumn[role] as number;
      if (column >= 0 && column < fields) record[TRADE_FIELDS[role] as TradeField] = values[column] as string;
    }
    this.ingester.takeFields(this.line, record);
  }

  /** The RFC 4180 reader from here on: from the start (`header` empty), or from line `this.line`. */
  private startGeneral(header: string): void {
    this.general = new CsvGeneralTail(this.sourceName, header, this.line);
  }

  private async takeGeneral(items: readonly SourceItem[]): Promise<void> {
    await this.ingester.take(items);
  }
}
