import type { Market } from '../model/market.js';

/**
 * "Now" of capital-flow.md section 5: which day is served and how far its lines go.
 * - wall: the real clock (the default);
 * - fixed: a replay frozen at an instant;
 * - feed: per market, the latest trade time seen (the wall clock for a market without trades).
 * Only this "now" moves; expiries, timeouts and rate limits always run on the wall clock.
 */
export type ClockMode = { kind: 'wall' } | { kind: 'fixed'; at: number } | { kind: 'feed' };

export class MarketClock {
  private readonly latestByMarket = new Map<Market, number>();

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

  /** Records a trade time so a feed clock follows the data. */
  observe(market: Market, timestampMs: number): void {
    const latest = this.latestByMarket.get(market);
    if (latest === undefined || timestampMs > latest) this.latestByMarket.set(market, timestampMs);
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
