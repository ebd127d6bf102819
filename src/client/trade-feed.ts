import { fromBinary } from '@bufbuild/protobuf';
import { encodeBody } from '../protocol/body-codec.js';
import { CapflowCommand } from '../protocol/capflow-command.js';
import { TradesAfterRequestSchema, TradesAfterResponseSchema } from '../protocol/gen/capflow_pb.js';
import {
  Command,
  PushTradeSchema,
  SecurityTradeRequestSchema,
  SecurityTradeResponseSchema,
  SubscribeRequestSchema,
  SubscriptionRequestSchema,
  SubscriptionResponseSchema,
  UnsubscribeRequestSchema,
  type Trade as WireTrade,
} from '../protocol/gen/quote_pb.js';
import { CapflowClientError } from './client-error.js';
import { Decimal } from './decimal.js';
import type { QuoteSession } from './quote-session.js';
import { Trade, type PushTradesEvent, type SubType, type Subscription, type TradesAfter, type TradesCallback, type TradeDirection, type TradeSession } from './trade-types.js';

/** Symbols per subscribe request when restoring subscriptions after a reconnect. */
const RESUBSCRIBE_CHUNK = 100;

/** The official SDK's SubType values are the wire's minus one (Quote 0 ↔ QUOTE 1 … Trade 3 ↔ TRADE 4). */
const toWireSubTypes = (types: readonly SubType[]): number[] => types.map((type) => type + 1);
const fromWireSubTypes = (types: readonly number[]): SubType[] => types.filter((type) => type >= 1 && type <= 4).map((type) => (type - 1) as SubType);

function toTrade(trade: WireTrade): Trade {
  return new Trade(
    new Decimal(trade.price || '0'),
    Number(trade.volume),
    new Date(Number(trade.timestamp) * 1000),
    trade.tradeType,
    trade.direction as TradeDirection,
    trade.tradeSession as number as TradeSession,
  );
}

/**
 * The trade side of the quote context: `trades` (command 17), subscriptions (commands 5, 6, 7)
 * and their pushes (104), plus capflow's `tradesAfter` (command 220). Subscriptions are kept
 * client-side, as the official SDK keeps them, and restored after a reconnect (without a first push).
 */
export class TradeFeed {
  /** Trade subscriptions by the symbol text sent (the server pushes under that text). */
  private readonly subscribed = new Set<string>();
  private callback: TradesCallback | undefined;

  constructor(private readonly session: QuoteSession) {}

  setOnTrades(callback: TradesCallback | undefined): void {
    this.callback = callback;
  }

  /** Symbols with a trade subscription, as sent. */
  subscribedSymbols(): string[] {
    return [...this.subscribed].sort();
  }

  async subscribe(symbols: readonly string[], subTypes: readonly SubType[], isFirstPush = false): Promise<void> {
    const texts = symbols.map((symbol) => symbol.trim());
    const body = encodeBody(SubscribeRequestSchema, { symbol: texts, subType: toWireSubTypes(subTypes), isFirstPush });
    // Recorded on arrival of the answer, before the pushes that follow it are read.
    await this.session.request(Command.Subscribe, body, () => {
      for (const text of texts) this.subscribed.add(text);
    });
  }

  async unsubscribe(symbols: readonly string[], subTypes: readonly SubType[]): Promise<void> {
    const texts = symbols.map((symbol) => symbol.trim());
    const body = encodeBody(UnsubscribeRequestSchema, { symbol: texts, subType: toWireSubTypes(subTypes) });
    await this.session.request(Command.Unsubscribe, body, () => {
      for (const text of texts) this.subscribed.delete(text);
    });
  }

  /** The connection's subscriptions as the server holds them (command 5). */
  subscriptions(): Promise<Subscription[]> {
    return this.session.request(Command.Subscription, encodeBody(SubscriptionRequestSchema, {}), (body) =>
      fromBinary(SubscriptionResponseSchema, body).subList.map((one) => ({ symbol: one.symbol, subTypes: fromWireSubTypes(one.subType) })),
    );
  }

  /** The latest `count` (1–1000) trades of the served day, oldest first. */
  trades(symbol: string, count: number): Promise<Trade[]> {
    return this.session.request(Command.QueryTrade, encodeBody(SecurityTradeRequestSchema, { symbol, count }), (body) =>
      fromBinary(SecurityTradeResponseSchema, body).trades.map(toTrade),
    );
  }

  /** capflow: a symbol-day's trades after a sequence (`tradeDay` `YYYYMMDD`, empty: the served day). */
  tradesAfter(symbol: string, options: { tradeDay?: string; afterSequence: number; count: number }): Promise<TradesAfter> {
    const body = encodeBody(TradesAfterRequestSchema, {
      symbol,
      tradeDay: options.tradeDay ?? '',
      afterSequence: BigInt(options.afterSequence),
      count: options.count,
    });
    return this.session.request(CapflowCommand.QueryTradesAfter, body, (answer) => {
      const decoded = fromBinary(TradesAfterResponseSchema, answer);
      return {
        symbol: decoded.symbol,
        tradeDay: decoded.tradeDay,
        firstSequence: Number(decoded.firstSequence),
        trades: decoded.trades.map(toTrade),
        dayTrades: Number(decoded.dayTrades),
        countLimit: decoded.countLimit,
      };
    }, Command.QueryTrade);
  }

  /** A push: true when it was a trade push (delivered when its symbol is subscribed). */
  onPush(cmd: number, body: Uint8Array): boolean {
    if (cmd !== Command.PushTradeData) return false;
    let event: PushTradesEvent;
    try {
      const push = fromBinary(PushTradeSchema, body);
      if (!this.subscribed.has(push.symbol)) return true; // unsubscribed meanwhile
      event = { symbol: push.symbol, data: { sequence: Number(push.sequence), trades: push.trade.map(toTrade) } };
    } catch (error) {
      this.report(new CapflowClientError(`undecodable trade push: ${(error as Error).message}`, { kind: 'response' }));
      return true;
    }
    try {
      this.callback?.(null, event);
    } catch {
      // the caller's callback failing must not stop later pushes
    }
    return true;
  }

  /** After a reconnect: subscribe every symbol again (no first push); the symbols that failed, with why. */
  async resubscribe(): Promise<{ symbol: string; error: CapflowClientError }[]> {
    const failed: { symbol: string; error: CapflowClientError }[] = [];
    const symbols = this.subscribedSymbols();
    for (let start = 0; start < symbols.length; start += RESUBSCRIBE_CHUNK) {
      const chunk = symbols.slice(start, start + RESUBSCRIBE_CHUNK);
      try {
        await this.subscribe(chunk, [3 as SubType], false);
      } catch (error) {
        for (const symbol of chunk) {
          this.subscribed.delete(symbol);
          failed.push({ symbol, error: error as CapflowClientError });
        }
      }
    }
    return failed;
  }

  private report(error: Error): void {
    try {
      this.callback?.(error, { symbol: '', data: { sequence: 0, trades: [] } });
    } catch {
      // as above
    }
  }
}
