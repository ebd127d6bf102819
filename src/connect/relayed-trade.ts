import { localDate } from '../calendar/time-zone.js';
import type { Market } from '../model/market.js';

/** One upstream trade on its way into capflow: what LongPort's `Trade` carries, with its day. */
export interface RelayedTrade {
  /** Normalised symbol. */
  readonly symbol: string;
  /** Trading day `YYYY-MM-DD` (the market-local date of the timestamp). */
  readonly date: string;
  /** Epoch ms (whole seconds: the wire carries Unix seconds). */
  readonly timestampMs: number;
  /** Exact decimal text. */
  readonly price: string;
  readonly volume: number;
  /** The upstream's side: 0 neutral, 1 down, 2 up. */
  readonly direction: number;
  readonly tradeType: string;
}

/** What identifies a trade when nothing else does: the fields LongPort sends, in one string. */
export function fingerprintOf(trade: Pick<RelayedTrade, 'timestampMs' | 'price' | 'volume' | 'direction' | 'tradeType'>): string {
  return `${trade.timestampMs}|${trade.price}|${trade.volume}|${trade.direction}|${trade.tradeType}`;
}

/** A client trade (price Decimal, Date) as a relayed trade of `symbol`. */
export function relayedTrade(
  symbol: string,
  market: Market,
  trade: { price: { toString(): string }; volume: number; timestamp: Date; direction: number; tradeType: string },
): RelayedTrade {
  const timestampMs = trade.timestamp.getTime();
  return {
    symbol,
    date: localDate(market, timestampMs),
    timestampMs,
    price: trade.price.toString(),
    volume: trade.volume,
    direction: trade.direction,
    tradeType: trade.tradeType,
  };
}
