import type { Market } from '../../model/market.js';

/**
 * What a feed's trade type code means for capital flow, per market (capflow's documented policy):
 * - `auction`: a call-auction print. It has no aggressor, so without a side of its own it is
 *   neutral (as every trade in the closing-auction grace window is, docs/computation.md §3).
 * - `excluded`: not an on-exchange, order-book execution (off-exchange, late, overseas, average
 *   price or derivatively priced reports). It counts in no line and does not feed the tick rule:
 *   its negotiated price says nothing about who crossed the spread.
 * - `regular` (every code not listed): counted and classified like any trade. Odd lots are real
 *   order-book executions and count (their turnover is small, so they land in the small tier).
 */
export const TradeTypeTreatment = { Regular: 0, Auction: 1, Excluded: 2 } as const;
export type TradeTypeTreatment = (typeof TradeTypeTreatment)[keyof typeof TradeTypeTreatment];

const { Auction, Excluded } = TradeTypeTreatment;

export const TRADE_TYPE_POLICY: Readonly<Record<Market, Readonly<Record<string, TradeTypeTreatment>>>> = {
  // HKEX codes as LongPort documents them: U auction; D odd lot (regular); Y automatch
  // internalised (regular); M, X non-direct and direct off-exchange; P late trade; * overseas.
  HK: { U: Auction, M: Excluded, X: Excluded, P: Excluded, '*': Excluded },
  // US consolidated-tape sale conditions: O/Q opening prints, 6/M closing prints; W average
  // price, 4 derivatively priced, P prior reference price, Z sold out of sequence, T form T.
  // I (odd lot) is regular.
  US: { O: Auction, Q: Auction, '6': Auction, M: Auction, W: Excluded, '4': Excluded, P: Excluded, Z: Excluded, T: Excluded },
  // CN: U is what capflow's Level-2 adapter writes for call-auction prints (09:25, 14:57–15:00).
  CN: { U: Auction },
  SG: { U: Auction },
};

/** Treatment of a trade type code (case-sensitive, as feeds send them) in a market. */
export function tradeTypeTreatment(market: Market, tradeType: string | undefined): TradeTypeTreatment {
  if (tradeType === undefined || tradeType === '') return TradeTypeTreatment.Regular;
  return TRADE_TYPE_POLICY[market][tradeType] ?? TradeTypeTreatment.Regular;
}
