import { decimalToString, parseDecimal, type Decimal } from '../model/decimal.js';
import { parseSymbol } from '../model/symbol.js';
import type { Direction, Trade } from '../model/trade.js';
import type { TradeToStore } from '../store/flow-store.js';

/** A trade on the bus: JSON with decimals as their exact text. */
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

export function encodeTradeMessage({ trade, date }: TradeToStore): Uint8Array {
  const message: TradeMessage = { s: trade.symbol, d: date, t: trade.timestamp, p: decimalToString(trade.price), v: trade.volume };
  if (trade.direction !== undefined) message.dir = trade.direction;
  if (trade.tradeId !== undefined) message.id = trade.tradeId;
  if (trade.bid !== undefined) message.b = decimalToString(trade.bid);
  if (trade.ask !== undefined) message.a = decimalToString(trade.ask);
  if (trade.tradeType !== undefined) message.tt = trade.tradeType;
  return new TextEncoder().encode(JSON.stringify(message));
}

function decimal(text: unknown, field: string): Decimal {
  const value = typeof text === 'string' ? parseDecimal(text) : undefined;
  if (!value) throw new Error(`bus message: bad ${field} ${JSON.stringify(text)}`);
  return value;
}

/** Decodes a bus message; a malformed one throws (it cannot have come from capflow). */
export function decodeTradeMessage(bytes: Uint8Array): TradeToStore {
  const m = JSON.parse(new TextDecoder().decode(bytes)) as Partial<TradeMessage>;
  if (typeof m.s !== 'string' || parseSymbol(m.s)?.symbol !== m.s) throw new Error(`bus message: bad symbol ${JSON.stringify(m.s)}`);
  if (typeof m.d !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(m.d)) throw new Error(`bus message: bad date ${JSON.stringify(m.d)}`);
  if (!Number.isSafeInteger(m.t) || !Number.isSafeInteger(m.v)) throw new Error('bus message: bad timestamp or volume');
  const trade: { -readonly [K in keyof Trade]: Trade[K] } = { symbol: m.s, timestamp: m.t!, price: decimal(m.p, 'price'), volume: m.v! };
  if (m.dir !== undefined) {
    if (m.dir !== 0 && m.dir !== 1 && m.dir !== 2) throw new Error(`bus message: bad direction ${m.dir}`);
    trade.direction = m.dir as Direction;
  }
  if (m.id !== undefined) trade.tradeId = String(m.id);
  if (m.b !== undefined) trade.bid = decimal(m.b, 'bid');
  if (m.a !== undefined) trade.ask = decimal(m.a, 'ask');
  if (m.tt !== undefined) trade.tradeType = String(m.tt);
  return { trade, date: m.d };
}

/** A symbol as one NATS subject token (tickers never contain `_`, so this is reversible). */
export function symbolToken(symbol: string): string {
  return symbol.replaceAll('.', '_');
}
