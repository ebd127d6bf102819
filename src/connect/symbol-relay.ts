import { BusinessCode, CapflowClientError, type PushTradesEvent, type Trade, type TradesAfter } from '../client/core.js';
import type { TradeRecorder } from './trade-recorder.js';
import type { RelayTargetReader } from './relay-target.js';

/** The upstream calls a relay makes (a capflow client `QuoteContext`). */
export interface RelayUpstream {
  trades(symbol: string, count: number): Promise<Trade[]>;
  tradesAfter(symbol: string, options: { tradeDay?: string; afterSequence: number; count: number }): Promise<TradesAfter>;
}

/** What a relay reports besides the trades it records. */
export interface RelayEvents {
  /**
   * Trades the relay could not get: `missing` of them (undefined when the count is unknown),
   * before the trade it went on with.
   */
  gap(symbol: string, date: string, missing: number | undefined, detail: string): void;
  /** Trades recorded from a backfill (not from pushes). */
  backfilled(symbol: string, count: number): void;
}

export interface RelayContext {
  readonly upstream: () => RelayUpstream;
  readonly recorder: TradeRecorder;
  readonly reader: RelayTargetReader;
  readonly events: RelayEvents;
}

/**
 * One symbol's relay from the upstream into the recorder. Calls are made one at a time, in
 * order (the connector chains them): pushes as they come, `pause` when the connection drops,
 * `resync` once subscribed again (and at start), to fill what happened meanwhile.
 */
export interface SymbolRelay {
  readonly symbol: string;
  onPush(event: PushTradesEvent, receivedAt: number): Promise<void>;
  /** The connection dropped: pushes from now on belong after a backfill. */
  pause(): void;
  /** Subscribed (again): fill the gap since the last trade held, then go on with the pushes. */
  resync(): Promise<void>;
}

/** Calls the upstream, waiting and trying again while it answers "rate limited" (3/301606). */
export async function unlessRateLimited<T>(call: () => Promise<T>, waitMs = 1000, attempts = 30): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      if (!(error instanceof CapflowClientError) || error.code !== BusinessCode.RateLimited || attempt >= attempts) throw error;
      await new Promise((resolve) => setTimeout(resolve, waitMs));
    }
  }
}
