import { parseSymbol } from '../../../model/symbol.js';
import type { Market } from '../../../model/market.js';
import type { Logger } from '../../../logging/logger.js';
import type { FlowService } from '../../../service/flow-service.js';

/**
 * Tells a live stream that a symbol's lines may have changed; the stream then reads the lines
 * and sends what differs. Kept this narrow so that any source (the service's trade hook now, the
 * live-push hub later) can drive it.
 */
export interface LineUpdateSource {
  /** Calls `listener` after changes that may touch `symbol`'s lines; returns the unsubscribe. */
  subscribe(symbol: string, listener: () => void): () => void;
}

/**
 * Line updates from FlowService's trade hook. A batch notifies every subscribed symbol of the
 * markets it touched, not only the traded symbols: under the feed clock a trade of one symbol
 * moves "now" for its whole market, which adds carried-forward lines to the others.
 */
export function flowServiceLineUpdates(flows: FlowService): LineUpdateSource {
  const byMarket = new Map<Market, Map<string, Set<() => void>>>();
  let detach: (() => void) | undefined;
  const marketOf = new Map<string, Market | undefined>();
  const cachedMarket = (symbol: string): Market | undefined => {
    if (!marketOf.has(symbol)) marketOf.set(symbol, parseSymbol(symbol)?.market);
    return marketOf.get(symbol);
  };
  const notify = (markets: ReadonlySet<Market>): void => {
    for (const market of markets) {
      for (const listeners of byMarket.get(market)?.values() ?? []) for (const listener of [...listeners]) listener();
    }
  };
  return {
    subscribe(symbol, listener) {
      const market = parseSymbol(symbol)?.market;
      if (!market) return () => {};
      detach ??= flows.onTrades((trades) => {
        const markets = new Set<Market>();
        for (const trade of trades) {
          const traded = cachedMarket(trade.symbol);
          if (traded) markets.add(traded);
        }
        notify(markets);
      });
      let symbols = byMarket.get(market);
      if (!symbols) byMarket.set(market, (symbols = new Map()));
      let listeners = symbols.get(symbol);
      if (!listeners) symbols.set(symbol, (listeners = new Set()));
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
        if (listeners.size === 0) symbols.delete(symbol);
      };
    },
  };
}

/** What the live-push hub offers in process (src/server/live): a subscription with a listener. */
export interface LiveSubscriptionHub {
  subscribe(symbol: string, listener: (update: unknown) => void): Promise<() => void>;
}

/**
 * Line updates from the live-push hub, which already coalesces trades per symbol and watches the
 * clock for new minutes and days (one read per symbol however many sockets and streams follow it).
 */
export function liveHubLineUpdates(hub: LiveSubscriptionHub, logger?: Logger): LineUpdateSource {
  return {
    subscribe(symbol, listener) {
      let ended = false;
      let unsubscribe: (() => void) | undefined;
      hub.subscribe(symbol, () => listener()).then(
        (stop) => {
          if (ended) stop();
          else unsubscribe = stop;
        },
        (error: unknown) => logger?.error({ err: error, symbol }, 'live updates unavailable'),
      );
      return () => {
        ended = true;
        unsubscribe?.();
      };
    },
  };
}
