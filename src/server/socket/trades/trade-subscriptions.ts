import { internalError, subscriptionLimitExceeded } from '../../../model/errors.js';
import type { ParsedSymbol } from '../../../model/symbol.js';
import { Command } from '../../../protocol/gen/quote_pb.js';
import type { FlowService } from '../../../service/flow-service.js';
import type { TapeDay, TapeTrade } from '../../../service/tape-day.js';
import type { TapeBatch, TradeTape } from '../../../service/trade-tape.js';
import { subscribeLimitOf, type Credential } from '../../auth/credential.js';
import type { PacketConnection } from '../transport/packet-connection.js';
import { encodeTradePushes } from './trade-wire.js';
import { silentLogger, type Logger } from '../../../logging/logger.js';

/** Latest trades of the served day sent at once to a subscription asking for a first push. */
export const DEFAULT_FIRST_PUSH_TRADES = 50;

export interface TradeSubscriptionsOptions {
  tape: TradeTape;
  flows: FlowService;
  /** Trades in the first push of `is_first_push` (default 50). */
  firstPushTrades?: number;
  logger?: Logger;
}

interface Subscription {
  readonly conn: PacketConnection;
  readonly appKey: string;
  readonly symbol: ParsedSymbol;
  /** The symbol as the client wrote it: pushes carry it, since the SDK files pushes under its own text. */
  wireSymbol: string;
  /** Trades told before the subscribe answer went out, sent right after it. */
  held: TapeBatch[] | undefined;
  active: boolean;
  removed: boolean;
  unfollow: () => void;
}

/**
 * Trade subscriptions (commands 5, 6, 7; push 104). Each connection holds its own; a credential
 * holds at most its `subscribe_limit` symbols across its connections. A subscription gets every
 * trade of its symbol accepted after it began, once, in acceptance order (any day: `sequence`
 * numbers each symbol-day), with an optional first push of the served day's latest trades; it
 * ends with its connection. Pushes go out after the subscribe answer.
 */
export class TradeSubscriptions {
  private readonly tape: TradeTape;
  private readonly flows: FlowService;
  private readonly firstPushTrades: number;
  private readonly logger: Logger;
  private readonly byConnection = new Map<PacketConnection, Map<string, Subscription>>();
  private readonly countByAppKey = new Map<string, number>();
  /** Push bodies of a batch per wire symbol, encoded once for every connection. */
  private readonly encoded = new WeakMap<readonly TapeTrade[], Map<string, Uint8Array[]>>();

  constructor(options: TradeSubscriptionsOptions) {
    this.tape = options.tape;
    this.flows = options.flows;
    this.firstPushTrades = options.firstPushTrades ?? DEFAULT_FIRST_PUSH_TRADES;
    this.logger = options.logger ?? silentLogger();
  }

  /** Trade subscriptions a credential holds across its connections. */
  subscriptionCount(appKey: string): number {
    return this.countByAppKey.get(appKey) ?? 0;
  }

  /** A connection's subscriptions: the symbols as it wrote them, sorted. */
  subscriptionsOf(conn: PacketConnection): string[] {
    return [...(this.byConnection.get(conn)?.values() ?? [])].map((one) => one.wireSymbol).sort();
  }

  /**
   * Subscribes a connection to symbols (already checked by the caller), all or none: over the
   * credential's limit is 3/301607. A symbol already subscribed on the connection stays as it
   * is (no second first push). Resolves once every new subscription is in place.
   */
  async subscribe(conn: PacketConnection, credential: Credential, symbols: readonly { symbol: ParsedSymbol; text: string }[], firstPush: boolean): Promise<void> {
    let mine = this.byConnection.get(conn);
    const fresh = new Map<string, { symbol: ParsedSymbol; text: string }>();
    for (const one of symbols) {
      const existing = mine?.get(one.symbol.symbol);
      if (existing) existing.wireSymbol = one.text;
      else fresh.set(one.symbol.symbol, one);
    }
    if (fresh.size === 0) return;
    const limit = subscribeLimitOf(credential);
    const count = this.subscriptionCount(credential.appKey);
    if (count + fresh.size > limit) throw subscriptionLimitExceeded(limit);
    this.countByAppKey.set(credential.appKey, count + fresh.size);
    if (!mine) this.byConnection.set(conn, (mine = new Map()));
    const added: Subscription[] = [];
    for (const { symbol, text } of fresh.values()) {
      const subscription: Subscription = {
        conn,
        appKey: credential.appKey,
        symbol,
        wireSymbol: text,
        held: [],
        active: false,
        removed: false,
        unfollow: () => undefined,
      };
      // Following starts before the day is read: a trade told meanwhile is held, never missed.
      subscription.unfollow = this.tape.follow(symbol, (batch) => this.deliver(subscription, batch));
      mine.set(symbol.symbol, subscription);
      added.push(subscription);
    }
    let days;
    try {
      days = await Promise.all(added.map((one) => this.tape.day(one.symbol, this.flows.servedSchedule(one.symbol.market).date)));
    } catch (error) {
      for (const one of added) this.remove(one);
      this.logger.error({ err: error }, 'reading the trade tape for a subscription failed');
      throw internalError('reading the trade tape failed');
    }
    if (!conn.isOpen) {
      this.connectionClosed(conn);
      return;
    }
    added.forEach((subscription, index) => {
      const day = days[index]!;
      const first = firstPush ? this.firstPush(subscription, day) : undefined;
      // The gateway answers in a promise continuation; pushes follow on the next turn.
      setImmediate(() => this.activate(subscription, first));
    });
  }

  /** Ends a connection's subscriptions of these symbols (or all); not subscribed is not an error. */
  unsubscribe(conn: PacketConnection, symbols: readonly ParsedSymbol[] | 'all'): void {
    const mine = this.byConnection.get(conn);
    if (!mine) return;
    const targets = symbols === 'all' ? [...mine.values()] : symbols.map((one) => mine.get(one.symbol)).filter((one) => one !== undefined);
    for (const subscription of targets) this.remove(subscription);
  }

  /** A connection ended: its subscriptions end with it. */
  connectionClosed(conn: PacketConnection): void {
    const mine = this.byConnection.get(conn);
    if (!mine) return;
    for (const subscription of [...mine.values()]) this.remove(subscription);
  }

  /**
   * The first push: the latest trades of the served day up to what the day held when it was
   * read (`count`), reaching back over every trade held since following began, and those held
   * trades of that day dropped (the first push carries them).
   */
  private firstPush(subscription: Subscription, day: TapeDay): TapeTrade[] {
    const count = day.count;
    let earliestHeld = count + 1;
    for (const batch of subscription.held ?? []) {
      if (batch.date !== day.date) continue;
      for (const trade of batch.trades) if (trade.sequence <= count && trade.sequence < earliestHeld) earliestHeld = trade.sequence;
    }
    const first = day.latest(Math.max(this.firstPushTrades, count - earliestHeld + 1));
    subscription.held = subscription.held?.map((batch) =>
      batch.date === day.date ? { ...batch, trades: batch.trades.filter((trade) => trade.sequence > count) } : batch,
    );
    return first;
  }

  private activate(subscription: Subscription, first: TapeTrade[] | undefined): void {
    if (subscription.removed) return;
    const held = subscription.held ?? [];
    subscription.held = undefined;
    subscription.active = true;
    if (first && first.length > 0) this.send(subscription, first);
    for (const batch of held) if (batch.trades.length > 0) this.send(subscription, batch.trades);
  }

  private deliver(subscription: Subscription, batch: TapeBatch): void {
    if (subscription.removed) return;
    if (subscription.active) this.send(subscription, batch.trades);
    else subscription.held?.push(batch);
  }

  private send(subscription: Subscription, trades: readonly TapeTrade[]): void {
    const conn = subscription.conn;
    if (!conn.isOpen) return;
    let bySymbol = this.encoded.get(trades);
    if (!bySymbol) this.encoded.set(trades, (bySymbol = new Map()));
    let bodies = bySymbol.get(subscription.wireSymbol);
    if (!bodies) bySymbol.set(subscription.wireSymbol, (bodies = encodeTradePushes(subscription.wireSymbol, trades)));
    for (const body of bodies) conn.sendPush(Command.PushTradeData, body);
  }

  private remove(subscription: Subscription): void {
    if (subscription.removed) return;
    subscription.removed = true;
    subscription.unfollow();
    const mine = this.byConnection.get(subscription.conn);
    if (mine?.get(subscription.symbol.symbol) === subscription) {
      mine.delete(subscription.symbol.symbol);
      if (mine.size === 0) this.byConnection.delete(subscription.conn);
    }
    const count = this.subscriptionCount(subscription.appKey) - 1;
    if (count > 0) this.countByAppKey.set(subscription.appKey, count);
    else this.countByAppKey.delete(subscription.appKey);
  }
}
