import { Decimal } from './decimal.js';

/** Subscription types, valued as the official Node SDK's `SubType` (capflow serves `Trade`). */
export const SubType = { Quote: 0, Depth: 1, Brokers: 2, Trade: 3 } as const;
export type SubType = (typeof SubType)[keyof typeof SubType];

/** A trade's side, as the official SDK's `TradeDirection`: 2 up (buyer-initiated), 1 down, 0 neutral. */
export const TradeDirection = { Neutral: 0, Down: 1, Up: 2 } as const;
export type TradeDirection = (typeof TradeDirection)[keyof typeof TradeDirection];

/** As the official SDK's `TradeSession`: 0 regular hours, 1 pre-market, 2 post-market, 3 overnight. */
export const TradeSession = { Intraday: 0, Pre: 1, Post: 2, Overnight: 3 } as const;
export type TradeSession = (typeof TradeSession)[keyof typeof TradeSession];

/** One trade (command 17's answer, push 104), named as the official SDK names it. */
export class Trade {
  constructor(
    /** The exact price text as accepted. */
    readonly price: Decimal,
    readonly volume: number,
    /** Whole seconds (the wire's Unix seconds). */
    readonly timestamp: Date,
    /** The feed's trade type code, '' when none. */
    readonly tradeType: string,
    readonly direction: TradeDirection,
    readonly tradeSession: TradeSession,
  ) {}

  toJSON(): { price: string; volume: number; timestamp: string; tradeType: string; direction: number; tradeSession: number } {
    return {
      price: this.price.toString(),
      volume: this.volume,
      timestamp: this.timestamp.toISOString(),
      tradeType: this.tradeType,
      direction: this.direction,
      tradeSession: this.tradeSession,
    };
  }
}

/** The trades of one push 104. */
export interface PushTrades {
  /**
   * The push's `sequence`: at capflow, the position of its last trade in the symbol-day's
   * acceptance order (so trade i of n is number `sequence - n + 1 + i`).
   */
  readonly sequence: number;
  readonly trades: readonly Trade[];
}

/** What `setOnTrades` gets, as the official SDK shapes it (`event.symbol`, `event.data.trades`). */
export interface PushTradesEvent {
  readonly symbol: string;
  readonly data: PushTrades;
}

export type TradesCallback = (error: null | Error, event: PushTradesEvent) => void;

/** A connection's subscription (command 5). */
export interface Subscription {
  readonly symbol: string;
  readonly subTypes: readonly SubType[];
}

/** capflow's command 220 answer: a symbol-day's trades after a sequence. */
export interface TradesAfter {
  readonly symbol: string;
  /** `YYYYMMDD`. */
  readonly tradeDay: string;
  /** Sequence of `trades[0]`. */
  readonly firstSequence: number;
  readonly trades: readonly Trade[];
  /** Trades of the day accepted so far (the latest sequence). */
  readonly dayTrades: number;
  /** Most trades answered at once. */
  readonly countLimit: number;
}
