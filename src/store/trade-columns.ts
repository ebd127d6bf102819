import { CLASSIFICATION_METHODS, type ClassificationMethod, type Direction, type Trade } from '../model/trade.js';
import type { Decimal } from '../model/decimal.js';
import { MethodCode, methodCodeOf } from '../engine/classification/classify.js';
import { compactUnits } from '../engine/exact-units.js';
import { QUOTE_ABSENT, TradeFields } from '../engine/trade-fields.js';
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
/** The engine's method (MethodCode) per classification index + 1 (index -1, none, is Lee–Ready as in `DayFlow.add`). */
const ENGINE_METHODS: readonly number[] = [MethodCode.LeeReady, ...CLASSIFICATION_METHODS.map((method) => methodCodeOf(method))];
/** Code of a classification method in the columns and the stored blocks (its index, -1: none). */
export function methodIndexOf(method: ClassificationMethod | undefined): number {
  return method === undefined ? NO_METHOD : CLASSIFICATION_METHODS.indexOf(method);
}

/**
 * Trades as parallel columns (struct of arrays): the durable fast path between the byte-level
 * CSV reader, the store's blocks and the engine, without a `Trade` object, a string or a BigInt
 * per trade: a row goes in from a TradeFields record (`addRow`) and comes out into one (`read`). Prices and quotes are scaled integers (`units`, `scale`); a row
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
  /** The record rows are read into and added from by `addTrade` and `copyRow`. */
  private readonly scratch = new TradeFields();

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

  /**
   * Appends a trade of symbol-day `day` from its fields (its id bytes copied; units beyond a
   * Number kept exactly in `exact`) with its recorded classification method (index in
   * CLASSIFICATION_METHODS, -1 none). Returns the row.
   */
  addRow(day: number, trade: TradeFields, classification: number): number {
    const row = this.count;
    if (row === this.capacity) this.grow(this.capacity * 2);
    this.count = row + 1;
    this.day[row] = day;
    this.seq[row] = 0;
    this.timestamp[row] = trade.timestampMs;
    this.volume[row] = trade.volume;
    this.direction[row] = trade.direction;
    this.method[row] = classification;
    const { priceUnits, bidUnits, askUnits } = trade;
    if (typeof priceUnits === 'number' && typeof bidUnits === 'number' && typeof askUnits === 'number') {
      this.priceUnits[row] = priceUnits;
      this.priceScale[row] = trade.priceScale;
      this.bidUnits[row] = bidUnits;
      this.bidScale[row] = trade.bidScale;
      this.askUnits[row] = askUnits;
      this.askScale[row] = trade.askScale;
    } else {
      this.addExact(row, trade);
    }
    const idStart = trade.idStart;
    const idEnd = trade.idEnd;
    const length = idEnd - idStart;
    if (length > 0) {
      this.reserveIdBytes(length);
      const ids = this.idBytes;
      const source = trade.idBytes;
      let at = this.idUsed;
      this.idStart[row] = at;
      // Ids are short: a loop beats a subarray view per row.
      for (let i = idStart; i < idEnd; i++) ids[at++] = source[i] as number;
      this.idUsed = at;
      this.idEnd[row] = at;
    } else {
      this.idStart[row] = this.idEnd[row] = this.idUsed;
    }
    if (trade.tradeType !== undefined) this.tradeType.set(row, trade.tradeType);
    return row;
  }

  /** A row whose units do not all fit a Number: every decimal kept exactly, the columns marking only which quotes exist. */
  private addExact(row: number, trade: TradeFields): void {
    const { bidUnits, askUnits } = trade;
    const hasBid = bidUnits !== QUOTE_ABSENT;
    const hasAsk = askUnits !== QUOTE_ABSENT;
    this.exact.set(row, {
      price: { units: BigInt(trade.priceUnits), scale: trade.priceScale },
      bid: hasBid ? { units: BigInt(bidUnits), scale: trade.bidScale } : undefined,
      ask: hasAsk ? { units: BigInt(askUnits), scale: trade.askScale } : undefined,
    });
    this.priceUnits[row] = Number.NaN;
    this.priceScale[row] = 0;
    this.bidUnits[row] = hasBid ? Number.NaN : QUOTE_ABSENT;
    this.bidScale[row] = 0;
    this.askUnits[row] = hasAsk ? Number.NaN : QUOTE_ABSENT;
    this.askScale[row] = 0;
  }

  /** Appends a validated trade object (exactly: decimals beyond a Number kept in `exact`). */
  addTrade(trade: Trade, date: string): number {
    const row = this.addRow(this.dayOf(trade.symbol, date), this.scratch.setTrade(trade), methodIndexOf(trade.classification));
    if (trade.tradeId !== undefined && trade.tradeId !== '') this.setIdText(row, trade.tradeId);
    return row;
  }

  /**
   * Row `row` as the engine takes a trade, into `into` (a reused record): exact units (BigInt
   * beyond 2^53), the id bytes in this batch's arena, the method the engine classifies it by and
   * its trade type. Returns `into`.
   */
  read(row: number, into: TradeFields): TradeFields {
    into.timestampMs = this.timestamp[row] as number;
    into.volume = this.volume[row] as number;
    into.direction = this.direction[row] as number;
    into.method = ENGINE_METHODS[(this.method[row] as number) + 1] as number;
    const exact = this.exact.size > 0 ? this.exact.get(row) : undefined;
    if (exact === undefined) {
      into.priceUnits = this.priceUnits[row] as number;
      into.priceScale = this.priceScale[row] as number;
      into.bidUnits = this.bidUnits[row] as number;
      into.bidScale = this.bidScale[row] as number;
      into.askUnits = this.askUnits[row] as number;
      into.askScale = this.askScale[row] as number;
    } else {
      const { price, bid, ask } = exact;
      into.priceUnits = compactUnits(price.units);
      into.priceScale = price.scale;
      into.bidUnits = bid ? compactUnits(bid.units) : QUOTE_ABSENT;
      into.bidScale = bid ? bid.scale : 0;
      into.askUnits = ask ? compactUnits(ask.units) : QUOTE_ABSENT;
      into.askScale = ask ? ask.scale : 0;
    }
    into.setId(this.idBytes, this.idStart[row] as number, this.idEnd[row] as number);
    into.tradeType = this.tradeType.size > 0 ? this.tradeType.get(row) : undefined;
    return into;
  }

  /** Appends row `row` of `from` as it is (seq, exact decimals and trade type included). Returns the new row. */
  copyRow(from: TradeColumns, row: number): number {
    const day = from.days[from.day[row] as number] as SymbolDate;
    const target = this.addRow(this.dayOf(day.symbol, day.date), from.read(row, this.scratch), from.method[row] as number);
    this.seq[target] = from.seq[row] as number;
    return target;
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
    const fields = this.read(row, this.scratch);
    const exact = this.exact.size > 0 ? this.exact.get(row) : undefined;
    const trade: { -readonly [K in keyof Trade]: Trade[K] } = {
      symbol: (this.days[this.day[row] as number] as SymbolDate).symbol,
      timestamp: fields.timestampMs,
      price: exact ? exact.price : { units: BigInt(fields.priceUnits), scale: fields.priceScale },
      volume: fields.volume,
    };
    if (fields.direction >= 0) trade.direction = fields.direction as Direction;
    const { idStart, idEnd } = fields;
    if (idEnd > idStart) trade.tradeId = this.idBytes.toString('utf8', idStart, idEnd);
    if (exact) {
      if (exact.bid !== undefined) trade.bid = exact.bid;
      if (exact.ask !== undefined) trade.ask = exact.ask;
    } else {
      if (fields.bidUnits >= 0) trade.bid = { units: BigInt(fields.bidUnits), scale: fields.bidScale };
      if (fields.askUnits >= 0) trade.ask = { units: BigInt(fields.askUnits), scale: fields.askScale };
    }
    if (fields.tradeType !== undefined) trade.tradeType = fields.tradeType;
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
