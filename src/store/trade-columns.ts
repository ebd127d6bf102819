import { CLASSIFICATION_METHODS, type ClassificationMethod, type Direction, type Trade } from '../model/trade.js';
import type { Decimal } from '../model/decimal.js';
import type { FlowStore, SourceCheckpoint, StoredTrade, TradeToStore } from './flow-store.js';

/** A symbol and trading day that rows of a `TradeColumns` batch belong to. */
export interface SymbolDate {
  readonly symbol: string;
  readonly date: string;
}

/** Exact decimals of a row whose price, bid or ask does not fit a Number (kept as given). */
export interface ExactDecimals {
  readonly price: Decimal;
  readonly bid?: Decimal | undefined;
  readonly ask?: Decimal | undefined;
}

const NO_METHOD = -1;
/** Code of a classification method in the columns and the stored blocks (its index, -1: none). */
export function methodIndexOf(method: ClassificationMethod | undefined): number {
  return method === undefined ? NO_METHOD : CLASSIFICATION_METHODS.indexOf(method);
}

/**
 * Trades as parallel columns (struct of arrays): the durable fast path between the byte-level
 * CSV reader, the store's blocks and `DayFlow.addRawIdBytes`, without a `Trade` object, a
 * string or a BigInt per trade. Prices and quotes are scaled integers (`units`, `scale`); a row
 * whose decimals do not fit a Number has its exact values in `exact` (its `priceUnits` is NaN).
 * Trade ids are UTF-8 bytes in one arena (`idStart == idEnd`: no id). `seq` is set by the
 * store (0 until stored). The buffers grow; `count` rows are valid.
 */
export class TradeColumns {
  count = 0;
  readonly days: SymbolDate[] = [];
  /** Indexes in `days` of each symbol's days. */
  private readonly dayIndex = new Map<string, number[]>();
  private lastDay = 0;
  day = new Int32Array(0);
  seq = new Float64Array(0);
  timestamp = new Float64Array(0);
  priceUnits = new Float64Array(0);
  priceScale = new Uint8Array(0);
  volume = new Float64Array(0);
  /** 0 neutral, 1 down, 2 up, -1 not given. */
  direction = new Int8Array(0);
  /** -1: no bid. */
  bidUnits = new Float64Array(0);
  bidScale = new Uint8Array(0);
  /** -1: no ask. */
  askUnits = new Float64Array(0);
  askScale = new Uint8Array(0);
  /** Index in CLASSIFICATION_METHODS, -1 none. */
  method = new Int8Array(0);
  idStart = new Int32Array(0);
  idEnd = new Int32Array(0);
  idBytes: Buffer = Buffer.allocUnsafe(0);
  idUsed = 0;
  /** Rows with a trade type (rare: auctions, odd lots…). */
  readonly tradeType = new Map<number, string>();
  /** Rows whose decimals exceed a Number. */
  readonly exact = new Map<number, ExactDecimals>();
  private capacity = 0;

  constructor(initialRows = 1024) {
    this.grow(Math.max(16, initialRows));
  }

  /** Index of a symbol-day in `days`, added when new. */
  dayOf(symbol: string, date: string): number {
    // Consecutive rows mostly share a symbol-day when a feed sends one symbol at a time.
    const last = this.days[this.lastDay];
    if (last !== undefined && last.symbol === symbol && last.date === date) return this.lastDay;
    // Per symbol its days (usually one): no key string built per row.
    let ofSymbol = this.dayIndex.get(symbol);
    if (ofSymbol === undefined) this.dayIndex.set(symbol, (ofSymbol = []));
    let index = -1;
    for (const candidate of ofSymbol) if ((this.days[candidate] as SymbolDate).date === date) index = candidate;
    if (index === -1) {
      index = this.days.length;
      this.days.push({ symbol, date });
      ofSymbol.push(index);
    }
    this.lastDay = index;
    return index;
  }

  /** Appends a row of primitives; the id is `idSource[idStart..idEnd)` (copied). Returns the row. */
  addRow(
    day: number,
    timestamp: number,
    priceUnits: number,
    priceScale: number,
    volume: number,
    direction: number,
    bidUnits: number,
    bidScale: number,
    askUnits: number,
    askScale: number,
    idSource: Uint8Array | undefined,
    idStart: number,
    idEnd: number,
    method: number,
  ): number {
    const row = this.count;
    if (row === this.capacity) this.grow(this.capacity * 2);
    this.count = row + 1;
    this.day[row] = day;
    this.seq[row] = 0;
    this.timestamp[row] = timestamp;
    this.priceUnits[row] = priceUnits;
    this.priceScale[row] = priceScale;
    this.volume[row] = volume;
    this.direction[row] = direction;
    this.bidUnits[row] = bidUnits;
    this.bidScale[row] = bidScale;
    this.askUnits[row] = askUnits;
    this.askScale[row] = askScale;
    this.method[row] = method;
    const length = idEnd - idStart;
    if (length > 0 && idSource !== undefined) {
      this.reserveIdBytes(length);
      const ids = this.idBytes;
      let at = this.idUsed;
      this.idStart[row] = at;
      // Ids are short: a loop beats a subarray view per row.
      for (let i = idStart; i < idEnd; i++) ids[at++] = idSource[i] as number;
      this.idUsed = at;
      this.idEnd[row] = at;
    } else {
      this.idStart[row] = this.idEnd[row] = this.idUsed;
    }
    return row;
  }

  /** Appends a validated trade object (exactly: decimals beyond a Number kept in `exact`). */
  addTrade(trade: Trade, date: string): number {
    const day = this.dayOf(trade.symbol, date);
    const { price, bid, ask } = trade;
    const fits = fitsNumber(price) && (bid === undefined || fitsNumber(bid)) && (ask === undefined || fitsNumber(ask));
    const row = this.addRow(
      day,
      trade.timestamp,
      fits ? Number(price.units) : Number.NaN,
      fits ? price.scale : 0,
      trade.volume,
      trade.direction ?? -1,
      bid === undefined ? -1 : fits ? Number(bid.units) : Number.NaN,
      bid === undefined || !fits ? 0 : bid.scale,
      ask === undefined ? -1 : fits ? Number(ask.units) : Number.NaN,
      ask === undefined || !fits ? 0 : ask.scale,
      undefined,
      0,
      0,
      methodIndexOf(trade.classification),
    );
    if (!fits) this.exact.set(row, { price, bid, ask });
    if (trade.tradeId !== undefined && trade.tradeId !== '') this.setIdText(row, trade.tradeId);
    if (trade.tradeType !== undefined) this.tradeType.set(row, trade.tradeType);
    return row;
  }

  /** Sets a row's trade id from text (UTF-8), for the row just added. */
  setIdText(row: number, id: string): void {
    this.reserveIdBytes(id.length * 3);
    const written = this.idBytes.write(id, this.idUsed, 'utf8');
    this.idStart[row] = this.idUsed;
    this.idUsed += written;
    this.idEnd[row] = this.idUsed;
  }

  /** The trade of a row as an object (exact decimals, absent fields left out). */
  trade(row: number): Trade {
    const day = this.days[this.day[row] as number] as SymbolDate;
    const exact = this.exact.get(row);
    const trade: { -readonly [K in keyof Trade]: Trade[K] } = {
      symbol: day.symbol,
      timestamp: this.timestamp[row] as number,
      price: exact ? exact.price : { units: BigInt(this.priceUnits[row] as number), scale: this.priceScale[row] as number },
      volume: this.volume[row] as number,
    };
    const direction = this.direction[row] as number;
    if (direction >= 0) trade.direction = direction as Direction;
    const idStart = this.idStart[row] as number;
    const idEnd = this.idEnd[row] as number;
    if (idEnd > idStart) trade.tradeId = this.idBytes.toString('utf8', idStart, idEnd);
    if (exact) {
      if (exact.bid !== undefined) trade.bid = exact.bid;
      if (exact.ask !== undefined) trade.ask = exact.ask;
    } else {
      const bid = this.bidUnits[row] as number;
      if (bid >= 0) trade.bid = { units: BigInt(bid), scale: this.bidScale[row] as number };
      const ask = this.askUnits[row] as number;
      if (ask >= 0) trade.ask = { units: BigInt(ask), scale: this.askScale[row] as number };
    }
    const tradeType = this.tradeType.get(row);
    if (tradeType !== undefined) trade.tradeType = tradeType;
    const method = this.method[row] as number;
    if (method >= 0) trade.classification = CLASSIFICATION_METHODS[method];
    return trade;
  }

  /** The stored trade of a row (its `seq` set by the store). */
  storedTrade(row: number): StoredTrade {
    const trade = this.trade(row) as { -readonly [K in keyof StoredTrade]: StoredTrade[K] };
    trade.seq = this.seq[row] as number;
    trade.date = (this.days[this.day[row] as number] as SymbolDate).date;
    return trade;
  }

  /** Rows as objects for a row-oriented store. */
  toTradesToStore(): TradeToStore[] {
    const out: TradeToStore[] = new Array(this.count);
    for (let row = 0; row < this.count; row++) out[row] = { trade: this.trade(row), date: (this.days[this.day[row] as number] as SymbolDate).date };
    return out;
  }

  /** Empties the batch for reuse (keeps the buffers). */
  clear(): void {
    this.count = 0;
    this.idUsed = 0;
    this.days.length = 0;
    this.dayIndex.clear();
    this.lastDay = 0;
    this.tradeType.clear();
    this.exact.clear();
  }

  private reserveIdBytes(extra: number): void {
    if (this.idUsed + extra <= this.idBytes.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.idBytes.length * 2, this.idUsed + extra, 4096));
    this.idBytes.copy(next, 0, 0, this.idUsed);
    this.idBytes = next;
  }

  private grow(capacity: number): void {
    const copy = <T extends Float64Array | Int32Array | Int8Array | Uint8Array>(old: T, make: (n: number) => T): T => {
      const next = make(capacity);
      next.set(old.subarray(0, this.count) as never);
      return next;
    };
    this.day = copy(this.day, (n) => new Int32Array(n));
    this.seq = copy(this.seq, (n) => new Float64Array(n));
    this.timestamp = copy(this.timestamp, (n) => new Float64Array(n));
    this.priceUnits = copy(this.priceUnits, (n) => new Float64Array(n));
    this.priceScale = copy(this.priceScale, (n) => new Uint8Array(n));
    this.volume = copy(this.volume, (n) => new Float64Array(n));
    this.direction = copy(this.direction, (n) => new Int8Array(n));
    this.bidUnits = copy(this.bidUnits, (n) => new Float64Array(n));
    this.bidScale = copy(this.bidScale, (n) => new Uint8Array(n));
    this.askUnits = copy(this.askUnits, (n) => new Float64Array(n));
    this.askScale = copy(this.askScale, (n) => new Uint8Array(n));
    this.method = copy(this.method, (n) => new Int8Array(n));
    this.idStart = copy(this.idStart, (n) => new Int32Array(n));
    this.idEnd = copy(this.idEnd, (n) => new Int32Array(n));
    this.capacity = capacity;
  }
}

function fitsNumber(value: Decimal): boolean {
  return value.units <= BigInt(Number.MAX_SAFE_INTEGER) && value.units >= 0n;
}

/**
 * Outcome of appending a columns batch. Each row's `columns.seq` is set: its seq, -1 for a
 * duplicate, 0 for a trade taken by a target that numbers trades later (a bus).
 */
export interface ColumnsAppendResult {
  readonly stored: number;
  readonly duplicates: number;
}

/** `appendColumns` for a row-oriented store: the rows as objects through `appendTrades`. */
export async function appendColumnsAsTrades(
  store: Pick<FlowStore, 'appendTrades'>,
  columns: TradeColumns,
  checkpoint?: SourceCheckpoint,
): Promise<ColumnsAppendResult> {
  const result = await store.appendTrades(columns.toTradesToStore(), checkpoint);
  // Map the stored trades back to their rows: stored keeps the batch order, duplicates left out.
  let next = 0;
  const stored = result.stored;
  for (let row = 0; row < columns.count; row++) {
    const candidate = stored[next];
    if (candidate !== undefined && sameRow(columns, row, candidate)) {
      columns.seq[row] = candidate.seq;
      next++;
    } else columns.seq[row] = -1;
  }
  return { stored: result.stored.length, duplicates: result.duplicates };
}

function sameRow(columns: TradeColumns, row: number, trade: StoredTrade): boolean {
  const day = columns.days[columns.day[row] as number] as SymbolDate;
  if (day.symbol !== trade.symbol || day.date !== trade.date || columns.timestamp[row] !== trade.timestamp) return false;
  const idStart = columns.idStart[row] as number;
  const idEnd = columns.idEnd[row] as number;
  const id = idEnd > idStart ? columns.idBytes.toString('utf8', idStart, idEnd) : undefined;
  return id === trade.tradeId && columns.volume[row] === trade.volume;
}

/** Trades of one symbol-day as columns, in arrival order (what `readDayColumns` answers). */
export function columnsOfTrades(trades: readonly StoredTrade[]): TradeColumns {
  const columns = new TradeColumns(Math.max(16, trades.length));
  for (const trade of trades) {
    const row = columns.addTrade(trade, trade.date);
    columns.seq[row] = trade.seq;
  }
  return columns;
}
