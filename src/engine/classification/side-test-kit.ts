import type { Decimal } from '../../model/decimal.js';
import type { Direction, Trade } from '../../model/trade.js';

/** An instant of 2024-06-14 in Hong Kong (`HH:MM:SS[.mmm]`). */
export const at = (time: string): number => Date.parse(`2024-06-14T${time}+08:00`);

/** A generated trade's shape in the classification property tests. */
export interface GeneratedTrade {
  readonly time: string;
  readonly volume: number;
  readonly direction: Direction | undefined;
  /** Bid `spread` tenths below the price, ask `4 − spread` above it; undefined: no quotes. */
  readonly spread: number | undefined;
  readonly tradeType: string | undefined;
  readonly method: Trade['classification'];
}

/** The 700.HK trade of a generated shape at `price` (tenths: quotes are at scale 1). */
export function tradeOf(spec: GeneratedTrade, price: Decimal): Trade {
  const quotes =
    spec.spread === undefined ? {} : { bid: { units: price.units - BigInt(spec.spread), scale: 1 }, ask: { units: price.units + BigInt(4 - spec.spread), scale: 1 } };
  return {
    symbol: '700.HK',
    timestamp: at(spec.time),
    price,
    volume: spec.volume,
    ...(spec.direction === undefined ? {} : { direction: spec.direction }),
    ...(spec.tradeType === undefined ? {} : { tradeType: spec.tradeType }),
    ...(spec.method === undefined ? {} : { classification: spec.method }),
    ...quotes,
  };
}
