import type { Market } from '../model/market.js';
import { FUTURE_TOLERANCE_MS, isTradeTime } from '../model/trade-time.js';

/**
 * "Now" of docs/computation.md §5: which day is served and how far its lines go.
 * - wall: the real clock (the default);
 * - fixed: a replay frozen at an instant;
 * - feed: per market, the latest trade time seen (the wall clock for a market without trades).
 * Only this "now" moves; expiries, timeouts and rate limits always run on the wall clock.
 */
export type ClockMode = { kind: 'wall' } | { kind: 'fixed'; at: number } | { kind: 'feed' };

export class MarketClock {
  private readonly latestByMarket = new Map<Market, number>();
  /** Latest trade time a feed clock follows: the wall clock when last read plus the tolerance. */
  private horizonMs = Number.NEGATIVE_INFINITY;

  constructor(
    readonly mode: ClockMode,
    private readonly wallNow: () => number = Date.now,
  ) {}

  now(market: Market): number {
    switch (this.mode.kind) {
      case 'wall':
        return this.wallNow();
      case 'fixed':
        return this.mode.at;
      case 'feed':
        return this.latestByMarket.get(market) ?? this.wallNow();
    }
  }

  /**
   * Records a trade time so a feed clock follows the data. A time that cannot be a trade's
   * (outside the trade time range, or further ahead of the wall clock than FUTURE_TOLERANCE_MS)
   * is ignored: inputs reject such trades, but rows stored before they did must not move the
   * whole market's served day to year 10000 (or into the future) for every symbol.
   */
  observe(market: Market, timestampMs: number): void {
    const latest = this.latestByMarket.get(market);
    if (latest !== undefined && timestampMs <= latest) return;
    if (!isTradeTime(timestampMs)) return;
    if (timestampMs > this.horizonMs) {
      // The wall clock is read only when a trade passes the horizon last read.
      this.horizonMs = this.wallNow() + FUTURE_TOLERANCE_MS;
      if (timestampMs > this.horizonMs) return;
    }
    this.latestByMarket.set(market, timestampMs);
  }
}

/** Parses `--clock wall|feed|ISO-INSTANT` (an instant needs an offset or Z). */
export function parseClockMode(text: string): ClockMode | undefined {
  if (text === 'wall') return { kind: 'wall' };
  if (text === 'feed') return { kind: 'feed' };
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(text)) return undefined;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : { kind: 'fixed', at };
}
