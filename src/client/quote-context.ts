import { fromBinary } from '@bufbuild/protobuf';
import { encodeBody } from '../protocol/body-codec.js';
import { CapflowCommand } from '../protocol/capflow-command.js';
import { QuoteCommand } from '../protocol/control-command.js';
import {
  CapitalFlowUpdateSchema,
  SubscribeCapitalFlowRequestSchema,
  SubscribeCapitalFlowResponseSchema,
  UnsubscribeCapitalFlowRequestSchema,
  UnsubscribeCapitalFlowResponseSchema,
  type CapitalFlowUpdate as WireUpdate,
} from '../protocol/gen/capflow_pb.js';
import {
  CapitalDistributionResponseSchema,
  CapitalFlowIntradayRequestSchema,
  CapitalFlowIntradayResponseSchema,
  SecurityRequestSchema,
  type CapitalFlowIntradayResponse_CapitalFlowLine as WireLine,
} from '../protocol/gen/quote_pb.js';
import { CapflowClientError } from './client-error.js';
import type { Config } from './config.js';
import { readCapitalFlowLines } from './capital-flow-wire.js';
import { Decimal } from './decimal.js';
import { QuoteSession, type ConnectionEvent } from './quote-session.js';
import { TradeFeed } from './trade-feed.js';
import type { SubType, Subscription as TradeSubscription, Trade, TradesAfter, TradesCallback } from './trade-types.js';


/** One minute of the day: the cumulative net inflow up to the end of the minute starting at `timestamp`. */
export class CapitalFlowLine {
  constructor(
    readonly inflow: Decimal,
    readonly timestamp: Date,
  ) {}

  toJSON(): { inflow: string; timestamp: string } {
    return { inflow: this.inflow.toString(), timestamp: this.timestamp.toISOString() };
  }

  toString(): string {
    return `CapitalFlowLine { inflow: ${this.inflow.toString()}, timestamp: "${this.timestamp.toISOString()}" }`;
  }
}

/** Turnover by trade size. */
export interface CapitalDistribution {
  readonly large: Decimal;
  readonly medium: Decimal;
  readonly small: Decimal;
}

/** The day's inflow and outflow by trade size (command 25). */
export interface CapitalDistributionResponse {
  readonly symbol: string;
  /** Time of the latest counted trade (or the day's first session start). */
  readonly timestamp: Date;
  readonly capitalIn: CapitalDistribution;
  readonly capitalOut: CapitalDistribution;
}

/** A live update of a subscribed symbol (capflow's push 202, applied). */
export interface CapitalFlowUpdate {
  /** Normalised symbol, e.g. `700.HK`. */
  readonly symbol: string;
  /** The served trading day, `YYYYMMDD`. */
  readonly tradeDay: string;
  /** Every line of the day as it stands now. */
  readonly lines: readonly CapitalFlowLine[];
  /** The lines that are new or changed: from the first changed minute to the latest. */
  readonly changed: readonly CapitalFlowLine[];
}

export type CapitalFlowCallback = (update: CapitalFlowUpdate) => void;

interface Subscription {
  /** The symbol as the caller wrote it (sent again when re-subscribing). */
  readonly requested: string;
  callback: CapitalFlowCallback;
  tradeDay: string;
  lines: CapitalFlowLine[];
}

/**
 * The quote context, named and shaped like the official SDK's: `QuoteContext.new(config)`,
 * `capitalFlow`, `capitalDistribution`, plus capflow's live subscriptions.
 */
export class QuoteContext {
  private readonly flowSubscriptions = new Map<string, Subscription>();
  private onConnectionEvent: ((event: ConnectionEvent) => void) | undefined;
  private readonly session: QuoteSession;
  private readonly tradeFeed: TradeFeed;

  private constructor(config: Config) {
    if (!config.runtime) {
      throw new CapflowClientError('Config has no runtime: import Config from capflow/client (Node) or capflow/client/browser', { kind: 'usage' });
    }
    this.session = new QuoteSession(config, config.runtime, {
      onPush: (cmd, body) => {
        if (!this.tradeFeed.onPush(cmd, body)) this.onPush(cmd, body);
      },
      onReconnected: () => this.resubscribe(),
      onEvent: (event) => {
        try {
          this.onConnectionEvent?.(event);
        } catch {
          // a failing observer must not break the connection
        }
      },
    });
    this.tradeFeed = new TradeFeed(this.session);
  }

  /** Connects and authenticates; rejects with a CapflowClientError when that fails. */
  static async new(config: Config): Promise<QuoteContext> {
    const context = new QuoteContext(config);
    await context.session.start();
    return context;
  }

  /** The session id of the current socket session (kept across resumed reconnects). */
  get sessionId(): string | undefined {
    return this.session.sessionId;
  }

  /** The credential's subscription limit as advertised by command 4. */
  get subscribeLimit(): number {
    return this.session.subscribeLimit;
  }

  /** Observes connects, drops, reconnects and the final close. */
  setOnConnectionEvent(callback: ((event: ConnectionEvent) => void) | undefined): void {
    this.onConnectionEvent = callback;
  }

  /** Command 24: the served day's lines. */
  capitalFlow(symbol: string): Promise<CapitalFlowLine[]> {
    return this.session.request(QuoteCommand.QueryCapitalFlowIntraday, encodeBody(CapitalFlowIntradayRequestSchema, { symbol }), (body) => {
      // The direct reader first (no message objects); the generated decoder when it is unsure.
      const fast = readCapitalFlowLines(body);
      if (fast) return fast.map((line) => new CapitalFlowLine(new Decimal(line.inflow), new Date(line.timestamp * 1000)));
      return fromBinary(CapitalFlowIntradayResponseSchema, body).capitalFlowLines.map(toLine);
    });
  }

  /** Command 25: the served day's inflow and outflow by trade size. */
  capitalDistribution(symbol: string): Promise<CapitalDistributionResponse> {
    return this.session.request(QuoteCommand.QueryCapitalFlowDistribution, encodeBody(SecurityRequestSchema, { symbol }), (body) => {
      const answer = fromBinary(CapitalDistributionResponseSchema, body);
      const tiers = (tier: { large: string; medium: string; small: string } | undefined): CapitalDistribution => ({
        large: new Decimal(tier?.large || '0'),
        medium: new Decimal(tier?.medium || '0'),
        small: new Decimal(tier?.small || '0'),
      });
      return {
        symbol: answer.symbol,
        timestamp: new Date(Number(answer.timestamp) * 1000),
        capitalIn: tiers(answer.capitalIn),
        capitalOut: tiers(answer.capitalOut),
      };
    });
  }

  /**
   * capflow: follow a symbol live. Resolves with the day's current lines; then `callback` gets
   * every change (also after a reconnect, when the lines moved on meanwhile). Subscribing again
   * replaces the callback. Fails like `capitalFlow` for a bad or unknown symbol, and with
   * 3 / 301607 beyond the credential's subscription limit.
   */
  subscribeCapitalFlow(symbol: string, callback: CapitalFlowCallback): Promise<CapitalFlowLine[]> {
    return this.session.request(CapflowCommand.SubscribeCapitalFlow, encodeBody(SubscribeCapitalFlowRequestSchema, { symbol }), (body) => {
      const current = fromBinary(SubscribeCapitalFlowResponseSchema, body).current;
      if (!current) throw new CapflowClientError('subscribe answer without lines', { kind: 'response' });
      // Set here, synchronously on arrival, so that the pushes that follow find it.
      const lines = current.capitalFlowLines.map(toLine);
      this.flowSubscriptions.set(current.symbol, { requested: symbol, callback, tradeDay: current.tradeDay, lines });
      return [...lines];
    });
  }

  /** capflow: stop following a symbol. */
  async unsubscribeCapitalFlow(symbol: string): Promise<void> {
    await this.session.request(CapflowCommand.UnsubscribeCapitalFlow, encodeBody(UnsubscribeCapitalFlowRequestSchema, { symbol }), (body) => {
      const normalised = fromBinary(UnsubscribeCapitalFlowResponseSchema, body).symbol;
      this.flowSubscriptions.delete(normalised);
    });
  }

  /** Command 17: the latest `count` (1–1000) trades of the served day, oldest first. */
  trades(symbol: string, count: number): Promise<Trade[]> {
    return this.tradeFeed.trades(symbol, count);
  }

  /**
   * Command 6: subscribe symbols (capflow serves `SubType.Trade`); pushes go to `setOnTrades`.
   * With `isFirstPush`, the served day's latest trades come at once. Subscriptions are restored
   * after a reconnect (without a first push), then a `resubscribed` connection event follows.
   */
  subscribe(symbols: readonly string[], subTypes: readonly SubType[], isFirstPush = false): Promise<void> {
    return this.tradeFeed.subscribe(symbols, subTypes, isFirstPush);
  }

  /** Command 7. */
  unsubscribe(symbols: readonly string[], subTypes: readonly SubType[]): Promise<void> {
    return this.tradeFeed.unsubscribe(symbols, subTypes);
  }

  /** Command 5: this connection's subscriptions as the server holds them. */
  subscriptions(): Promise<TradeSubscription[]> {
    return this.tradeFeed.subscriptions();
  }

  /** Trade pushes (104): `callback(null, { symbol, data: { sequence, trades } })`. */
  setOnTrades(callback: TradesCallback | undefined): void {
    this.tradeFeed.setOnTrades(callback);
  }

  /**
   * capflow's command 220: a symbol-day's trades after a sequence (each trade's position in the
   * day's acceptance order), at most `count` (the answer's `countLimit`) — for exact gap filling.
   */
  tradesAfter(symbol: string, options: { tradeDay?: string; afterSequence: number; count: number }): Promise<TradesAfter> {
    return this.tradeFeed.tradesAfter(symbol, options);
  }

  /** Symbols followed live (normalised). */
  subscribedSymbols(): string[] {
    return [...this.flowSubscriptions.keys()].sort();
  }

  /** Closes the connection; pending requests fail with kind `closed`. */
  close(): Promise<void> {
    this.session.close();
    return Promise.resolve();
  }

  private onPush(cmd: number, body: Uint8Array): void {
    if (cmd !== CapflowCommand.CapitalFlowUpdate) return;
    let update: WireUpdate;
    try {
      update = fromBinary(CapitalFlowUpdateSchema, body);
    } catch {
      return;
    }
    const subscription = this.flowSubscriptions.get(update.symbol);
    if (!subscription) return; // unsubscribed meanwhile
    const changed = update.capitalFlowLines.map(toLine);
    const first = changed[0];
    const kept =
      update.tradeDay === subscription.tradeDay && first
        ? subscription.lines.filter((line) => line.timestamp.getTime() < first.timestamp.getTime())
        : [];
    subscription.tradeDay = update.tradeDay;
    subscription.lines = [...kept, ...changed];
    this.notify(update.symbol, subscription, changed);
  }

  /** After a reconnect: subscribe again (capital flow, trades), report what moved, then `resubscribed`. */
  private async resubscribe(): Promise<void> {
    await this.resubscribeCapitalFlow();
    for (const failed of await this.tradeFeed.resubscribe()) this.onConnectionEvent?.({ type: 'resubscribe-failed', ...failed });
    try {
      this.onConnectionEvent?.({ type: 'resubscribed', tradeSymbols: this.tradeFeed.subscribedSymbols() });
    } catch {
      // a failing observer must not break the connection
    }
  }

  private async resubscribeCapitalFlow(): Promise<void> {
    for (const [symbol, subscription] of [...this.flowSubscriptions]) {
      const before = { tradeDay: subscription.tradeDay, lines: subscription.lines };
      try {
        await this.subscribeCapitalFlow(subscription.requested, subscription.callback);
      } catch (error) {
        this.flowSubscriptions.delete(symbol);
        this.onConnectionEvent?.({ type: 'resubscribe-failed', symbol, error: error as CapflowClientError });
        continue;
      }
      const now = this.flowSubscriptions.get(symbol);
      if (!now) continue;
      const from = firstDifference(before, now);
      if (from !== undefined) this.notify(symbol, now, now.lines.slice(from));
    }
  }

  private notify(symbol: string, subscription: Subscription, changed: CapitalFlowLine[]): void {
    try {
      subscription.callback({ symbol, tradeDay: subscription.tradeDay, lines: [...subscription.lines], changed });
    } catch {
      // the caller's callback failing must not stop later updates
    }
  }
}

function toLine(line: WireLine): CapitalFlowLine {
  return new CapitalFlowLine(new Decimal(line.inflow), new Date(Number(line.timestamp) * 1000));
}

function firstDifference(
  before: { tradeDay: string; lines: readonly CapitalFlowLine[] },
  after: { tradeDay: string; lines: readonly CapitalFlowLine[] },
): number | undefined {
  if (before.tradeDay !== after.tradeDay || after.lines.length < before.lines.length) return 0;
  for (let i = 0; i < before.lines.length; i++) {
    const a = before.lines[i]!;
    const b = after.lines[i]!;
    if (a.timestamp.getTime() !== b.timestamp.getTime() || a.inflow.toString() !== b.inflow.toString()) return i;
  }
  return after.lines.length > before.lines.length ? before.lines.length : undefined;
}
