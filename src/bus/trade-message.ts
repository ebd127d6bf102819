import { dayNumberToDate, localDayNumber } from '../calendar/time-zone.js';
import { MAX_TRADE_ID_CHARS, MAX_TRADE_TYPE_CHARS } from '../ingest/trade-parser.js';
import { decimalToString, isPositive, parseDecimal, type Decimal } from '../model/decimal.js';
import { parseSymbol } from '../model/symbol.js';
import type { Direction, Trade } from '../model/trade.js';
import { tradeTimeProblem } from '../model/trade-time.js';
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

/**
 * Decodes a bus message, checked as strictly as an ingested record (a worker stores what it
 * decodes): a malformed one — bad JSON, symbol, date, a time outside the trade time range or not
 * on its date, a price, volume or quote that is not positive, an over-long id — throws a
 * BadTradeMessage (it cannot have come from capflow).
 */
export function decodeTradeMessage(bytes: Uint8Array): TradeToStore {
  let m: Partial<TradeMessage>;
  try {
    m = JSON.parse(new TextDecoder().decode(bytes)) as Partial<TradeMessage>;
  } catch {
    throw new BadTradeMessage('not JSON');
  }
  if (typeof m !== 'object' || m === null) throw new BadTradeMessage('not a JSON object');
  const parsed = typeof m.s === 'string' ? parseSymbol(m.s) : undefined;
  if (typeof m.s !== 'string' || parsed?.symbol !== m.s) throw new BadTradeMessage(`bad symbol ${JSON.stringify(m.s)}`);
  if (!Number.isSafeInteger(m.t)) throw new BadTradeMessage(`bad timestamp ${JSON.stringify(m.t)}`);
  const timeProblem = tradeTimeProblem(m.t!);
  if (timeProblem !== undefined) throw new BadTradeMessage(`timestamp ${m.t}: ${timeProblem}`);
  const date = dayNumberToDate(localDayNumber(parsed.market, m.t!));
  if (m.d !== date) throw new BadTradeMessage(`date ${JSON.stringify(m.d)} is not the ${parsed.market} trading day of timestamp ${m.t} (${date})`);
  if (!Number.isSafeInteger(m.v) || m.v! <= 0) throw new BadTradeMessage(`bad volume ${JSON.stringify(m.v)}`);
  const trade: { -readonly [K in keyof Trade]: Trade[K] } = { symbol: m.s, timestamp: m.t!, price: decimal(m.p, 'price'), volume: m.v! };
  if (m.dir !== undefined) {
    if (m.dir !== 0 && m.dir !== 1 && m.dir !== 2) throw new BadTradeMessage(`bad direction ${JSON.stringify(m.dir)}`);
    trade.direction = m.dir as Direction;
  }
  if (m.id !== undefined) {
    if (typeof m.id !== 'string' || m.id.length === 0 || m.id.length > MAX_TRADE_ID_CHARS) throw new BadTradeMessage(`bad trade id ${JSON.stringify(m.id)}`);
    trade.tradeId = m.id;
  }
  if (m.b !== undefined) trade.bid = decimal(m.b, 'bid');
  if (m.a !== undefined) trade.ask = decimal(m.a, 'ask');
  if (m.tt !== undefined) {
    if (typeof m.tt !== 'string' || m.tt.length > MAX_TRADE_TYPE_CHARS) throw new BadTradeMessage(`bad trade type ${JSON.stringify(m.tt)}`);
    trade.tradeType = m.tt;
  }
  return { trade, date };
}

/** A symbol as one NATS subject token (tickers never contain `_`, so this is reversible). */
export function symbolToken(symbol: string): string {
  return symbol.replaceAll('.', '_');
}
