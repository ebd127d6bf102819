import type { TradeToStore } from '../store/flow-store.js';

export interface TradeGroupLimits {
  /** Most trades in one message. */
  readonly maxTrades: number;
  /** Rough most bytes of one message (estimated from the trades' fields). */
  readonly maxBytes: number;
}

/** What a batch message is kept to by default: a few hundred trades, about 64 KB. */
export const DEFAULT_TRADE_GROUP_LIMITS: TradeGroupLimits = { maxTrades: 500, maxBytes: 64 * 1024 };

/** An upper estimate of a trade's share of a batch message (JSON columns). */
function estimatedBytes({ trade }: TradeToStore): number {
  return (
    40 +
    (trade.tradeId?.length ?? 0) +
    (trade.tradeType?.length ?? 0) +
    (trade.bid === undefined ? 0 : 24) +
    (trade.ask === undefined ? 0 : 24) +
    (trade.classification === undefined ? 0 : 16)
  );
}

interface OpenGroup {
  readonly date: string;
  readonly items: TradeToStore[];
  bytes: number;
}

/**
 * Splits trades into the contents of batch messages: each group holds trades of one symbol and
 * trading day, consecutive in that symbol's order, within the limits. A symbol's groups come out
 * in its order (a group is emitted only once the symbol's next one is started, or at the end),
 * so publishing them in the returned order keeps every symbol's trades in order. Deterministic:
 * the same trades and limits give the same groups (message ids rely on it).
 */
export function groupTradeMessages(batch: readonly TradeToStore[], limits: TradeGroupLimits = DEFAULT_TRADE_GROUP_LIMITS): TradeToStore[][] {
  const groups: TradeToStore[][] = [];
  const open = new Map<string, OpenGroup>();
  for (const item of batch) {
    const symbol = item.trade.symbol;
    const bytes = estimatedBytes(item);
    const current = open.get(symbol);
    if (current !== undefined && current.date === item.date && current.items.length < limits.maxTrades && current.bytes + bytes <= limits.maxBytes) {
      current.items.push(item);
      current.bytes += bytes;
      continue;
    }
    if (current !== undefined) groups.push(current.items);
    open.set(symbol, { date: item.date, items: [item], bytes });
  }
  for (const group of open.values()) groups.push(group.items);
  return groups;
}
