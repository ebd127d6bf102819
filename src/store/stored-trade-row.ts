import { isClassificationMethod, type Direction, type Trade } from '../model/trade.js';
import { decimalFromText } from './stored-decimal.js';

/**
 * A trade as the row layouts keep it (PostgreSQL's `trades`, SQLite's `trades` before schema 3):
 * decimals as exact text, absent fields as NULL; integers as numbers, or as text where the driver
 * hands bigints over as strings.
 */
export interface StoredTradeRow {
  symbol: string;
  ts: number | string;
  price: string;
  volume: number | string;
  direction: number | null;
  trade_id: string | null;
  bid: string | null;
  ask: string | null;
  trade_type: string | null;
  classification: string | null;
}

/** The trade of a stored row, with the very decimals (units and scale) it was written with. */
export function tradeFromRow(row: StoredTradeRow): Trade {
  const trade: { -readonly [K in keyof Trade]: Trade[K] } = {
    symbol: row.symbol,
    timestamp: Number(row.ts),
    price: decimalFromText(row.price),
    volume: Number(row.volume),
  };
  if (row.direction !== null) trade.direction = row.direction as Direction;
  if (row.trade_id !== null) trade.tradeId = row.trade_id;
  if (row.bid !== null) trade.bid = decimalFromText(row.bid);
  if (row.ask !== null) trade.ask = decimalFromText(row.ask);
  if (row.trade_type !== null) trade.tradeType = row.trade_type;
  if (row.classification !== null && isClassificationMethod(row.classification)) trade.classification = row.classification;
  return trade;
}
