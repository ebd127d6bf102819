import { parseDecimal, type Decimal } from '../model/decimal.js';
import { Direction, type Trade } from '../model/trade.js';

/** Test helper: builds a Trade from readable text. Not used by production code. */
export interface TradeSpec {
  readonly direction?: 'up' | 'down' | 'neutral';
  readonly id?: string;
  readonly bid?: string;
  readonly ask?: string;
}

function decimal(text: string): Decimal {
  const value = parseDecimal(text);
  if (!value) throw new Error(`bad decimal in test: ${text}`);
  return value;
}

const DIRECTIONS = { up: Direction.Up, down: Direction.Down, neutral: Direction.Neutral } as const;

export function makeTrade(symbol: string, timestamp: number, price: string, volume: number, spec: TradeSpec = {}): Trade {
  return {
    symbol,
    timestamp,
    price: decimal(price),
    volume,
    ...(spec.direction ? { direction: DIRECTIONS[spec.direction] } : {}),
    ...(spec.id ? { tradeId: spec.id } : {}),
    ...(spec.bid ? { bid: decimal(spec.bid) } : {}),
    ...(spec.ask ? { ask: decimal(spec.ask) } : {}),
  };
}
