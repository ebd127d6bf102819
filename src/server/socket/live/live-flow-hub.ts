import { create, toBinary } from '@bufbuild/protobuf';
import type { CapitalFlowLine } from '../../../engine/index.js';
import { invalidRequest, noAccess, subscriptionLimitExceeded, unknownSymbol } from '../../../model/errors.js';
import type { Market } from '../../../model/market.js';
import { parseSymbol, type ParsedSymbol } from '../../../model/symbol.js';
import { CapflowCommand, compactTradeDay } from '../../../protocol/capflow-command.js';
import { CapitalFlowUpdateSchema, type CapitalFlowUpdate } from '../../../protocol/gen/capflow_pb.js';
import { CapitalFlowIntradayResponse_CapitalFlowLineSchema } from '../../../protocol/gen/quote_pb.js';
import type { FlowService } from '../../../service/flow-service.js';
import type { MarketClock } from '../../../service/market-clock.js';
import { subscribeLimitOf, type Credential } from '../../auth/credential.js';
import type { PacketConnection } from '../transport/packet-connection.js';
import { firstChangedLine, type DayLines } from './line-diff.js';
import { silentLogger, type Logger } from '../../../logging/logger.js';

/** One delivery to a live subscriber. */
export interface LiveFlowUpdate {
  /** Normalised symbol, e.g. `700.HK`. */
  readonly symbol: string;
  /** The served trading day, `YYYY-MM-DD` (market-local). */
  readonly date: string;
  /**
   * Lines from the first changed minute to the latest visible one. A receiver holding lines of
   * the same `date` keeps those stamped before the first line here and replaces the rest; when
   * `date` changed (or `snapshot` is set) it replaces everything.
   */
  readonly lines: readonly CapitalFlowLine[];
  /** True when `lines` are the whole day so far (first delivery, a new day, or a reset). */
  readonly snapshot: boolean;
}

export type LiveFlowListener = (update: LiveFlowUpdate) => void;

export interface LiveFlowHubOptions {
  flows: FlowService;
  clock: MarketClock;
  /** At most one update per symbol per this many ms (default 100): bursts of trades coalesce. */
  coalesceMs?: number;
  /** How often the clock is checked for new minutes and a new served day (default 1000 ms). */
  tickMs?: number;
  logger?: Logger;
}

/** What command 200 answers and what an in-process subscriber starts from. */
export interface LiveSubscribeResult {
  current: LiveFlowUpdate;
  /** Subscriptions the credential holds now (all its connections), when a credential is given. */
  subscriptions: number;
  subscribeLimit: number;
}

interface Subscriber {
  readonly state: SymbolState;
  readonly appKey: string | undefined;
  readonly connection: PacketConnection | undefined;
  readonly listener: LiveFlowListener | undefined;
  /** The lines this subscriber holds (what it was last sent). */
  held: DayLines | undefined;
  /** False until the subscriber can receive pushes (a socket's subscribe response went first). */
  active: boolean;
  removed: boolean;
}

interface SymbolState {
  readonly symbol: ParsedSymbol;
  readonly subscribers: Set<Subscriber>;
  /** The lines last read (shared by every subscriber that holds them). */
  latest: DayLines | undefined;
  timer: ReturnType<typeof setTimeout> | undefined;
  lastFlushAt: number;
  /** Reads and deliveries of one symbol run one after another, in order. */
  chain: Promise<void>;
}

/**
 * Live capital-flow subscriptions: follows newly applied trades and the market clock, works out
 * which subscribed symbols' lines changed and from which minute, and delivers the changed lines
 * to socket connections (push 202) and in-process listeners (SSE, WebSocket JSON).
 *
 * It stays cheap: the trade listener only marks symbols dirty; each symbol is read at most once
 * per `coalesceMs` however many subscribers it has, and one encoded push serves every subscriber
 * holding the same lines. A slow socket consumer is the transport's problem (it drops it).
 */
export class LiveFlowHub {
  private readonly flows: FlowService;
  private readonly clock: MarketClock;
  private readonly coalesceMs: number;
  private readonly logger: Logger;
  private readonly symbols = new Map<string, SymbolState>();
  private readonly byConnection = new Map<PacketConnection, Map<string, Subscriber>>();
  /** Subscriptions held per app key (socket and credentialed in-process ones together). */
  private readonly countByAppKey = new Map<string, number>();
  /** Per market, the minute of "now" last seen (a new minute may add lines or a new day). */
  private readonly minuteByMarket = new Map<Market, number>();
  /** Each update's push body, encoded once for all the connections it goes to. */
  private readonly encoded = new WeakMap<LiveFlowUpdate, Uint8Array>();
  private readonly detachTrades: () => void;
  private readonly ticker: ReturnType<typeof setInterval>;
  private stopped = false;

  constructor(options: LiveFlowHubOptions) {
    this.flows = options.flows;
    this.clock = options.clock;
    this.coalesceMs = options.coalesceMs ?? 100;
    this.logger = options.logger ?? silentLogger();
    this.detachTrades = this.flows.onTrades((trades) => {
      if (this.symbols.size === 0) return;
      for (const trade of trades) {
        const state = this.symbols.get(trade.symbol);
        if (state) this.schedule(state);
      }
      this.checkClock();
    });
    this.ticker = setInterval(() => this.checkClock(), options.tickMs ?? 1000);
    this.ticker.unref?.();
  }

  /** Subscriptions a credential holds across its connections. */
  subscriptionCount(appKey: string): number {
    return this.countByAppKey.get(appKey) ?? 0;
  }

  /** Symbols with at least one subscriber. */
  subscribedSymbols(): string[] {
    return [...this.symbols.keys()].sort();
  }

  /**
   * In-process subscription (for the web: SSE, WebSocket JSON). The listener is called at once
   * with the whole day so far (`snapshot: true`), then with every change. With a credential the
   * symbol's market must be permitted and the subscription counts against its limit. Rejects
   * with a CapflowError like command 24: malformed 3/301600, no permission 7/301604, unknown
   * 7/301600, over the limit 3/301607. Resolves to the function that ends the subscription.
   */
  async subscribe(symbol: string, listener: LiveFlowListener, options: { credential?: Credential } = {}): Promise<() => void> {
    const parsed = this.resolve(symbol, options.credential);
    if (options.credential) this.reserve(options.credential);
    const subscriber = this.createSubscriber(parsed, options.credential?.appKey, undefined, listener);
    try {
      await this.load(subscriber);
    } catch (error) {
      this.detach(subscriber);
      throw error;
    }
    const held = subscriber.held!;
    subscriber.active = true;
    this.deliverTo(subscriber, { symbol: parsed.symbol, date: held.date, lines: held.lines, snapshot: true });
    this.activated(subscriber);
    return () => this.detach(subscriber);
  }

  /**
   * Command 200 on a connection: subscribes (again, idempotently) and returns the current lines.
   * Pushes start only after the response has gone out, so the client always applies them to
   * the lines it was answered with.
   */
  async subscribeConnection(conn: PacketConnection, credential: Credential, symbol: string): Promise<LiveSubscribeResult> {
    const parsed = this.resolve(symbol, credential);
    let subscriber = this.byConnection.get(conn)?.get(parsed.symbol);
    if (subscriber) {
      subscriber.active = false; // answered afresh below; pushes resume after the answer
    } else {
      this.reserve(credential);
      subscriber = this.createSubscriber(parsed, credential.appKey, conn, undefined);
      let connSubs = this.byConnection.get(conn);
      if (!connSubs) {
        connSubs = new Map();
        this.byConnection.set(conn, connSubs);
      }
      connSubs.set(parsed.symbol, subscriber);
    }
    const one = subscriber;
    try {
      await this.load(one);
    } catch (error) {
      this.detach(one);
      throw error;
    }
    if (!conn.isOpen) this.connectionClosed(conn); // it went away while the lines were read
    const held = one.held!;
    // The gateway sends the response in a promise continuation; pushes wait for the next turn.
    setImmediate(() => {
      if (one.removed) return;
      one.active = true;
      this.activated(one);
    });
    return {
      current: { symbol: parsed.symbol, date: held.date, lines: held.lines, snapshot: true },
      subscriptions: this.subscriptionCount(credential.appKey),
      subscribeLimit: subscribeLimitOf(credential),
    };
  }

  /** Command 201: ends a connection's subscription (not subscribed is not an error). */
  unsubscribeConnection(conn: PacketConnection, credential: Credential, symbol: string): { symbol: string; subscriptions: number; subscribeLimit: number } {
    const parsed = parseSymbol(symbol.trim());
    if (!parsed) throw invalidRequest(`invalid symbol ${JSON.stringify(symbol)}: expected TICKER.REGION with region HK, US, SH, SZ or SG`);
    const subscriber = this.byConnection.get(conn)?.get(parsed.symbol);
    if (subscriber) this.detach(subscriber);
    return { symbol: parsed.symbol, subscriptions: this.subscriptionCount(credential.appKey), subscribeLimit: subscribeLimitOf(credential) };
  }

  /** A connection ended: its subscriptions end with it. */
  connectionClosed(conn: PacketConnection): void {
    const subs = this.byConnection.get(conn);
    if (!subs) return;
    this.byConnection.delete(conn);
    for (const subscriber of subs.values()) this.remove(subscriber);
  }

  /** Stops following trades and the clock; subscribers get nothing more. */
  stop(): void {
    this.stopped = true;
    this.detachTrades();
    clearInterval(this.ticker);
    for (const state of this.symbols.values()) if (state.timer) clearTimeout(state.timer);
  }

  /** The checks of command 24 except "has data": a configured symbol may be watched before it trades. */
  private resolve(text: string, credential: Credential | undefined): ParsedSymbol {
    const symbol = parseSymbol(text.trim());
    if (!symbol) throw invalidRequest(`invalid symbol ${JSON.stringify(text)}: expected TICKER.REGION with region HK, US, SH, SZ or SG`);
    if (credential && !credential.markets.has(symbol.market)) throw noAccess(symbol.symbol, symbol.market);
    if (!this.flows.isKnown(symbol.symbol)) throw unknownSymbol(symbol.symbol);
    return symbol;
  }

  /** Takes one of the credential's subscription slots (released when the subscriber is removed). */
  private reserve(credential: Credential): void {
    const count = this.subscriptionCount(credential.appKey);
    const limit = subscribeLimitOf(credential);
    if (count >= limit) throw subscriptionLimitExceeded(limit);
    this.countByAppKey.set(credential.appKey, count + 1);
  }

  private release(appKey: string): void {
    const count = this.subscriptionCount(appKey) - 1;
    if (count > 0) this.countByAppKey.set(appKey, count);
    else this.countByAppKey.delete(appKey);
  }

  /** An inactive subscriber, counted at once so its symbol's state is not dropped while loading. */
  private createSubscriber(
    symbol: ParsedSymbol,
    appKey: string | undefined,
    connection: PacketConnection | undefined,
    listener: LiveFlowListener | undefined,
  ): Subscriber {
    let state = this.symbols.get(symbol.symbol);
    if (!state) {
      state = { symbol, subscribers: new Set(), latest: undefined, timer: undefined, lastFlushAt: 0, chain: Promise.resolve() };
      this.symbols.set(symbol.symbol, state);
      if (!this.minuteByMarket.has(symbol.market)) this.minuteByMarket.set(symbol.market, this.minuteOf(symbol.market));
    }
    const subscriber: Subscriber = { state, appKey, connection, listener, held: undefined, active: false, removed: false };
    state.subscribers.add(subscriber);
    return subscriber;
  }

  /** Gives a subscriber the symbol's current lines, read in the symbol's order of reads. */
  private load(subscriber: Subscriber): Promise<void> {
    const state = subscriber.state;
    return this.serialize(state, async () => {
      const current = await this.read(state);
      this.deliverChanges(state, current);
      subscriber.held = current;
    });
  }

  /** A subscriber just became active: if the lines moved on since it was answered, catch it up. */
  private activated(subscriber: Subscriber): void {
    if (subscriber.state.latest !== subscriber.held) this.schedule(subscriber.state);
  }

  private detach(subscriber: Subscriber): void {
    if (subscriber.removed) return;
    const connSubs = subscriber.connection ? this.byConnection.get(subscriber.connection) : undefined;
    if (connSubs?.get(subscriber.state.symbol.symbol) === subscriber) {
      connSubs.delete(subscriber.state.symbol.symbol);
      if (connSubs.size === 0) this.byConnection.delete(subscriber.connection!);
    }
    this.remove(subscriber);
  }

  /** Drops a subscriber, releasing its slot (and its symbol's state when it was the last). */
  private remove(subscriber: Subscriber): void {
    if (subscriber.removed) return;
    subscriber.removed = true;
    subscriber.active = false;
    if (subscriber.appKey !== undefined) this.release(subscriber.appKey);
    const state = subscriber.state;
    state.subscribers.delete(subscriber);
    if (state.subscribers.size === 0 && this.symbols.get(state.symbol.symbol) === state) {
      if (state.timer) clearTimeout(state.timer);
      state.timer = undefined;
      this.symbols.delete(state.symbol.symbol);
    }
  }

  /** At most one flush per symbol per coalesceMs; never runs inside the trade listener. */
  private schedule(state: SymbolState): void {
    if (state.timer || this.stopped) return;
    const delay = Math.max(0, state.lastFlushAt + this.coalesceMs - Date.now());
    state.timer = setTimeout(() => {
      state.timer = undefined;
      state.lastFlushAt = Date.now();
      if (this.symbols.get(state.symbol.symbol) !== state) return;
      void this.serialize(state, async () => this.deliverChanges(state, await this.read(state))).catch((error: unknown) =>
        this.logger.error({ err: error, symbol: state.symbol.symbol }, 'live update failed'),
      );
    }, delay);
    state.timer.unref?.();
  }

  /** A new minute of "now" in a market may add lines, or start a new day, for all its symbols. */
  private checkClock(): void {
    if (this.stopped) return;
    for (const [market, minute] of this.minuteByMarket) {
      const now = this.minuteOf(market);
      if (now === minute) continue;
      this.minuteByMarket.set(market, now);
      for (const state of this.symbols.values()) if (state.symbol.market === market) this.schedule(state);
    }
  }

  private minuteOf(market: Market): number {
    return Math.floor(this.clock.now(market) / 60_000);
  }

  private async read(state: SymbolState): Promise<DayLines> {
    const flow = await this.flows.capitalFlow(state.symbol);
    const latest = state.latest;
    // Unchanged lines keep the previous object, so subscribers holding it need nothing.
    if (latest && firstChangedLine(latest, flow) === undefined) return latest;
    return { date: flow.date, lines: flow.lines };
  }

  /** Sends every active subscriber what changed between the lines it holds and `current`. */
  private deliverChanges(state: SymbolState, current: DayLines): void {
    state.latest = current;
    const updates = new Map<DayLines | undefined, LiveFlowUpdate | null>();
    for (const subscriber of state.subscribers) {
      if (!subscriber.active || subscriber.held === current) continue;
      let update = updates.get(subscriber.held);
      if (update === undefined) {
        const from = firstChangedLine(subscriber.held, current);
        update =
          from === undefined
            ? null
            : { symbol: state.symbol.symbol, date: current.date, lines: current.lines.slice(from), snapshot: from === 0 };
        updates.set(subscriber.held, update);
      }
      subscriber.held = current;
      if (update) this.deliverTo(subscriber, update);
    }
  }

  private deliverTo(subscriber: Subscriber, update: LiveFlowUpdate): void {
    if (subscriber.connection) {
      if (!subscriber.connection.isOpen) return;
      let body = this.encoded.get(update);
      if (!body) {
        body = toBinary(CapitalFlowUpdateSchema, toWireUpdate(update));
        this.encoded.set(update, body);
      }
      subscriber.connection.sendPush(CapflowCommand.CapitalFlowUpdate, body);
      return;
    }
    try {
      subscriber.listener?.(update);
    } catch (error) {
      this.logger.error({ err: error, symbol: update.symbol }, 'live listener failed');
    }
  }

  private serialize<T>(state: SymbolState, task: () => Promise<T>): Promise<T> {
    const run = state.chain.then(task);
    state.chain = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }
}

/** The wire form of an update (push 202, and the `current` of command 200's response). */
export function toWireUpdate(update: LiveFlowUpdate): CapitalFlowUpdate {
  return create(CapitalFlowUpdateSchema, {
    symbol: update.symbol,
    tradeDay: compactTradeDay(update.date),
    capitalFlowLines: update.lines.map((line) =>
      create(CapitalFlowIntradayResponse_CapitalFlowLineSchema, { inflow: line.inflow, timestamp: BigInt(line.timestamp) }),
    ),
  });
}
