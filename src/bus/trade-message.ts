import { dateToDayNumber, dayNumberToDate, localDayNumber } from '../calendar/time-zone.js';
import { MAX_TRADE_ID_CHARS, MAX_TRADE_TYPE_CHARS } from '../ingest/trade-parser.js';
import { decimalToString, isPositive, parseDecimal, type Decimal } from '../model/decimal.js';
import type { Market } from '../model/market.js';
import { parseSymbol } from '../model/symbol.js';
import { isClassificationMethod, type Direction, type Trade } from '../model/trade.js';
import { tradeTimeProblem } from '../model/trade-time.js';
import type { TradeToStore } from '../store/flow-store.js';

const UTF8_ENCODER = new TextEncoder();
const UTF8_DECODER = new TextDecoder();

/** A trade on the bus, format 1 (one trade a message): JSON with decimals as their exact text. */
interface TradeMessage {
  s: string;
  d: string;
  t: number;
  p: string;
  v: number;
  dir?: number;
  id?: string;
  b?: string;
  a?: string;
  tt?: string;
}

/**
 * Format 2: many trades of one symbol and trading day, in their order, as columns. `t` holds the
 * first timestamp, then each one's difference from the one before (small numbers). An optional
 * column is present when one of the trades has the field, with `null` for the others.
 */
interface TradeBatchMessage {
  fmt: 2;
  s: string;
  d: string;
  t: number[];
  p: string[];
  v: number[];
  dir?: Array<number | null>;
  id?: Array<string | null>;
  b?: Array<string | null>;
  a?: Array<string | null>;
  tt?: Array<string | null>;
  c?: Array<string | null>;
}

/** Encodes one trade as a format 1 message (what publishers before batch messages sent). */
export function encodeTradeMessage({ trade, date }: TradeToStore): Uint8Array {
  const message: TradeMessage = { s: trade.symbol, d: date, t: trade.timestamp, p: decimalToString(trade.price), v: trade.volume };
  if (trade.direction !== undefined) message.dir = trade.direction;
  if (trade.tradeId !== undefined) message.id = trade.tradeId;
  if (trade.bid !== undefined) message.b = decimalToString(trade.bid);
  if (trade.ask !== undefined) message.a = decimalToString(trade.ask);
  if (trade.tradeType !== undefined) message.tt = trade.tradeType;
  return UTF8_ENCODER.encode(JSON.stringify(message));
}

/** A column of an optional field: absent when no trade has it, else one entry per trade. */
function optionalColumn<T>(items: readonly TradeToStore[], field: (trade: Trade) => T | undefined): Array<T | null> | undefined {
  let any = false;
  const column = items.map(({ trade }) => {
    const value = field(trade);
    if (value === undefined) return null;
    any = true;
    return value;
  });
  return any ? column : undefined;
}

/**
 * Encodes trades of one symbol and one trading day, in order, as one format 2 message (see
 * `groupTradeMessages` for how a publisher splits its trades).
 */
export function encodeTradeBatchMessage(items: readonly TradeToStore[]): Uint8Array {
  const first = items[0];
  if (first === undefined) throw new Error('a batch message holds at least one trade');
  const { symbol } = first.trade;
  const timestamps: number[] = [];
  let previous = 0;
  for (const { trade, date } of items) {
    if (trade.symbol !== symbol || date !== first.date) throw new Error('a batch message holds the trades of one symbol and day');
    timestamps.push(trade.timestamp - previous);
    previous = trade.timestamp;
  }
  const message: TradeBatchMessage = {
    fmt: 2,
    s: symbol,
    d: first.date,
    t: timestamps,
    p: items.map(({ trade }) => decimalToString(trade.price)),
    v: items.map(({ trade }) => trade.volume),
  };
  const dir = optionalColumn(items, (t) => t.direction);
  if (dir) message.dir = dir;
  const id = optionalColumn(items, (t) => t.tradeId);
  if (id) message.id = id;
  const bid = optionalColumn(items, (t) => (t.bid === undefined ? undefined : decimalToString(t.bid)));
  if (bid) message.b = bid;
  const ask = optionalColumn(items, (t) => (t.ask === undefined ? undefined : decimalToString(t.ask)));
  if (ask) message.a = ask;
  const tt = optionalColumn(items, (t) => t.tradeType);
  if (tt) message.tt = tt;
  const c = optionalColumn(items, (t) => t.classification);
  if (c) message.c = c;
  return UTF8_ENCODER.encode(JSON.stringify(message));
}

/** A bus message that cannot be a trade capflow published. */
export class BadTradeMessage extends Error {
  constructor(reason: string) {
    super(`bus message: ${reason}`);
    this.name = 'BadTradeMessage';
  }
}

function decimal(text: unknown, field: string): Decimal {
  const value = typeof text === 'string' ? parseDecimal(text) : undefined;
  if (!value || !isPositive(value)) throw new BadTradeMessage(`bad ${field} ${JSON.stringify(text)}`);
  return value;
}

/** The symbol of a message, which must be in its normalised form. */
function checkedSymbol(text: unknown): { symbol: string; market: Market } {
  const parsed = typeof text === 'string' ? parseSymbol(text) : undefined;
  if (typeof text !== 'string' || parsed?.symbol !== text) throw new BadTradeMessage(`bad symbol ${JSON.stringify(text)}`);
  return { symbol: text, market: parsed.market };
}

function checkedTimestamp(t: unknown): number {
  if (!Number.isSafeInteger(t)) throw new BadTradeMessage(`bad timestamp ${JSON.stringify(t)}`);
  const timeProblem = tradeTimeProblem(t as number);
  if (timeProblem !== undefined) throw new BadTradeMessage(`timestamp ${t as number}: ${timeProblem}`);
  return t as number;
}

/** The fields of one trade after symbol, time and date were checked. */
interface TradeFields {
  p: unknown;
  v: unknown;
  dir?: unknown;
  id?: unknown;
  b?: unknown;
  a?: unknown;
  tt?: unknown;
  c?: unknown;
}

/** Checks the remaining fields of one trade as strictly as an ingested record's (absent: null or undefined). */
function checkedTrade(symbol: string, timestamp: number, m: TradeFields): Trade {
  if (!Number.isSafeInteger(m.v) || (m.v as number) <= 0) throw new BadTradeMessage(`bad volume ${JSON.stringify(m.v)}`);
  const trade: { -readonly [K in keyof Trade]: Trade[K] } = { symbol, timestamp, price: decimal(m.p, 'price'), volume: m.v as number };
  if (m.dir !== undefined && m.dir !== null) {
    if (m.dir !== 0 && m.dir !== 1 && m.dir !== 2) throw new BadTradeMessage(`bad direction ${JSON.stringify(m.dir)}`);
    trade.direction = m.dir as Direction;
  }
  if (m.id !== undefined && m.id !== null) {
    if (typeof m.id !== 'string' || m.id.length === 0 || m.id.length > MAX_TRADE_ID_CHARS) throw new BadTradeMessage(`bad trade id ${JSON.stringify(m.id)}`);
    trade.tradeId = m.id;
  }
  if (m.b !== undefined && m.b !== null) trade.bid = decimal(m.b, 'bid');
  if (m.a !== undefined && m.a !== null) trade.ask = decimal(m.a, 'ask');
  if (m.tt !== undefined && m.tt !== null) {
    if (typeof m.tt !== 'string' || m.tt.length > MAX_TRADE_TYPE_CHARS) throw new BadTradeMessage(`bad trade type ${JSON.stringify(m.tt)}`);
    trade.tradeType = m.tt;
  }
  if (m.c !== undefined && m.c !== null) {
    if (typeof m.c !== 'string' || !isClassificationMethod(m.c)) throw new BadTradeMessage(`bad classification ${JSON.stringify(m.c)}`);
    trade.classification = m.c;
  }
  return trade;
}

function parsedObject(bytes: Uint8Array): Record<string, unknown> {
  let m: unknown;
  try {
    m = JSON.parse(UTF8_DECODER.decode(bytes));
  } catch {
    throw new BadTradeMessage('not JSON');
  }
  if (typeof m !== 'object' || m === null || Array.isArray(m)) throw new BadTradeMessage('not a JSON object');
  return m as Record<string, unknown>;
}

function decodeSingle(m: Partial<Record<keyof TradeMessage, unknown>>): TradeToStore {
  // Format 1 has no nulls: a field is given or left out.
  if (m.dir === null) throw new BadTradeMessage('bad direction null');
  if (m.id === null) throw new BadTradeMessage('bad trade id null');
  if (m.b === null) throw new BadTradeMessage('bad bid null');
  if (m.a === null) throw new BadTradeMessage('bad ask null');
  if (m.tt === null) throw new BadTradeMessage('bad trade type null');
  const { symbol, market } = checkedSymbol(m.s);
  const timestamp = checkedTimestamp(m.t);
  const date = dayNumberToDate(localDayNumber(market, timestamp));
  if (m.d !== date) throw new BadTradeMessage(`date ${JSON.stringify(m.d)} is not the ${market} trading day of timestamp ${timestamp} (${date})`);
  return { trade: checkedTrade(symbol, timestamp, { p: m.p, v: m.v, dir: m.dir, id: m.id, b: m.b, a: m.a, tt: m.tt }), date };
}

const OPTIONAL_COLUMNS = ['dir', 'id', 'b', 'a', 'tt', 'c'] as const;

function decodeBatch(m: Record<string, unknown>): TradeToStore[] {
  const { symbol, market } = checkedSymbol(m.s);
  let day: number;
  try {
    day = dateToDayNumber(m.d as string);
  } catch {
    throw new BadTradeMessage(`bad date ${JSON.stringify(m.d)}`);
  }
  const date = m.d as string;
  const t = m.t;
  if (!Array.isArray(t) || t.length === 0) throw new BadTradeMessage('a batch without timestamps');
  const count = t.length;
  const column = (name: string, required: boolean): unknown[] | undefined => {
    const values = m[name];
    if (values === undefined && !required) return undefined;
    if (!Array.isArray(values) || values.length !== count) throw new BadTradeMessage(`column ${name} does not hold ${count} values`);
    return values;
  };
  const prices = column('p', true)!;
  const volumes = column('v', true)!;
  const optional = OPTIONAL_COLUMNS.map((name) => column(name, false));
  const [dir, id, b, a, tt, c] = optional;
  const items: TradeToStore[] = new Array(count);
  let timestamp = 0;
  for (let k = 0; k < count; k++) {
    try {
      const delta = t[k];
      if (!Number.isSafeInteger(delta)) throw new BadTradeMessage(`bad timestamp ${JSON.stringify(delta)}`);
      timestamp = checkedTimestamp(timestamp + (delta as number));
      if (localDayNumber(market, timestamp) !== day) {
        throw new BadTradeMessage(`date ${JSON.stringify(date)} is not the ${market} trading day of timestamp ${timestamp} (${dayNumberToDate(localDayNumber(market, timestamp))})`);
      }
      const trade = checkedTrade(symbol, timestamp, { p: prices[k], v: volumes[k], dir: dir?.[k], id: id?.[k], b: b?.[k], a: a?.[k], tt: tt?.[k], c: c?.[k] });
      items[k] = { trade, date };
    } catch (error) {
      if (error instanceof BadTradeMessage) throw new BadTradeMessage(`trade ${k + 1} of ${count}: ${error.message.replace(/^bus message: /, '')}`);
      throw error;
    }
  }
  return items;
}

/**
 * Decodes a bus message of either format into its trades, checked as strictly as ingested
 * records (a worker stores what it decodes). A malformed message — bad JSON, an unknown format,
 * a bad symbol or date, a time outside the trade time range or not on its date, a price, volume
 * or quote that is not positive, an over-long id, columns of unequal length — throws a
 * BadTradeMessage: it cannot have come from capflow. A batch with one bad trade is refused
 * whole (no capflow publisher sends one; storing the rest would be guessing at a corrupt message).
 */
export function decodeBusMessage(bytes: Uint8Array): TradeToStore[] {
  const m = parsedObject(bytes);
  if (m.fmt === undefined) return [decodeSingle(m)];
  if (m.fmt === 2) return decodeBatch(m);
  throw new BadTradeMessage(`unknown format ${JSON.stringify(m.fmt)}`);
}

/** Decodes a format 1 message (one trade), as `decodeBusMessage` checks it. */
export function decodeTradeMessage(bytes: Uint8Array): TradeToStore {
  const m = parsedObject(bytes);
  if (m.fmt !== undefined) throw new BadTradeMessage('not a single-trade message');
  return decodeSingle(m);
}

/** A symbol as one NATS subject token (tickers never contain `_`, so this is reversible). */
export function symbolToken(symbol: string): string {
  return symbol.replaceAll('.', '_');
}
