import { create, toBinary } from '@bufbuild/protobuf';
import { PushTradeSchema, TradeSchema, type Trade } from '../../../protocol/gen/quote_pb.js';
import type { TapeTrade } from '../../../service/tape-day.js';

/** Most trades in one push 104: a burst of one symbol goes out as several pushes in order. */
export const MAX_TRADES_PER_PUSH = 500;

/** A tape trade as LongPort's `Trade`: exact price text, Unix seconds, side and session. */
export function toWireTrade(trade: TapeTrade): Trade {
  return create(TradeSchema, {
    price: trade.price,
    volume: BigInt(trade.volume),
    timestamp: BigInt(Math.floor(trade.timestampMs / 1000)),
    tradeType: trade.tradeType,
    direction: trade.direction,
    tradeSession: trade.session,
  });
}

/**
 * Push 104 bodies for consecutive trades of one symbol-day: at most MAX_TRADES_PER_PUSH each,
 * each with `sequence` = the sequence of its last trade.
 */
export function encodeTradePushes(symbol: string, trades: readonly TapeTrade[]): Uint8Array[] {
  const bodies: Uint8Array[] = [];
  for (let start = 0; start < trades.length; start += MAX_TRADES_PER_PUSH) {
    const chunk = trades.slice(start, start + MAX_TRADES_PER_PUSH);
    bodies.push(
      toBinary(
        PushTradeSchema,
        create(PushTradeSchema, { symbol, sequence: BigInt(chunk[chunk.length - 1]!.sequence), trade: chunk.map(toWireTrade) }),
      ),
    );
  }
  return bodies;
}
