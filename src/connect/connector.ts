import { CapflowClientError, QuoteContext, SubType, type Config, type ConnectionEvent, type PushTradesEvent } from '../client/index.js';
import { parseSymbol, type ParsedSymbol } from '../model/symbol.js';
import type { Logger } from '../logging/logger.js';
import type { ConnectMetrics } from './connect-metrics.js';
import { FingerprintRelay } from './fingerprint-relay.js';
import type { RelayTargetReader } from './relay-target.js';
import { SequencedRelay } from './sequenced-relay.js';
import type { RelayContext, RelayUpstream, SymbolRelay } from './symbol-relay.js';
import { TradeRecorder, type RecorderTarget } from './trade-recorder.js';

/**
 * How gaps are filled: `sequence` — the upstream numbers trades (capflow's command 220), exact;
 * `query-trade` — LongPort's QueryTrade and alignment by the trades' fields; `auto` — the first
 * if the upstream answers command 220, else the second.
 */
export type BackfillMode = 'auto' | 'sequence' | 'query-trade';

export interface ConnectorOptions {
  /** The upstream's client configuration (credentials and URLs). */
  config: Config;
  /** Symbols to relay, as given (normalised here). */
  symbols: readonly string[];
  target: RecorderTarget;
  reader: RelayTargetReader;
  backfill?: BackfillMode;
  metrics: ConnectMetrics;
  logger: Logger;
  /** First wait before connecting again after the upstream refused or was unreachable (default 500 ms, doubling to 30 s). */
  retryMs?: number;
  maxRetryMs?: number;
  /** Trades per subscribe request (default 100). */
  subscribeChunk?: number;
  recorder?: { flushMs?: number; maxBatch?: number };
}

/** Symbols per subscribe request; the upstream's limit (command 4's subscribe_limit) still applies in total. */
const SUBSCRIBE_CHUNK = 100;

/**
 * `capflow connect`: subscribes to the trades of the given symbols at a LongPort-compatible
 * upstream with capflow's client, and records every trade it pushes through the ingest path of
 * every other input, under a trade id derived from the upstream's identity (derived-trade-id.ts),
 * so that recording a trade twice stores it once. After a reconnect (the client's, or a new
 * connection after the upstream refused or went away) it subscribes again and fills the gap:
 * exactly by sequence from a capflow upstream, by QueryTrade and alignment from LongPort.
 */
export class Connector {
  private readonly log: Logger;
  private readonly metrics: ConnectMetrics;
  private readonly recorder: TradeRecorder;
  private readonly symbols: ParsedSymbol[];
  private readonly relays = new Map<string, SymbolRelay>();
  /** Each symbol's calls, one after another. */
  private readonly chains = new Map<string, Promise<void>>();
  private context: QuoteContext | undefined;
  private mode: Exclude<BackfillMode, 'auto'> | undefined;
  private stopped = false;
  private running: Promise<void> | undefined;
  private wakeClosed: (() => void) | undefined;
  /** Sleeps that `stop` cuts short. */
  private readonly sleepers = new Set<() => void>();
  /** Symbols the upstream holds a subscription for, on the current connection. */
  private readonly subscribed = new Set<string>();
  /** Symbols it refused (e.g. not known there yet), tried again every few seconds; their last code. */
  private readonly refused = new Map<string, number | undefined>();
  private retryTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly options: ConnectorOptions) {
    this.log = options.logger;
    this.metrics = options.metrics;
    this.symbols = [];
    for (const text of options.symbols) {
      const parsed = parseSymbol(text.trim());
      if (!parsed) throw new Error(`not a symbol: ${JSON.stringify(text)} (expected TICKER.REGION with region HK, US, SH, SZ or SG)`);
      if (!this.symbols.some((one) => one.symbol === parsed.symbol)) this.symbols.push(parsed);
    }
    if (this.symbols.length === 0) throw new Error('no symbols to relay');
    this.mode = options.backfill === undefined || options.backfill === 'auto' ? undefined : options.backfill;
    this.recorder = new TradeRecorder({
      target: options.target,
      ...options.recorder,
      onCommit: (commit) => {
        const now = Date.now();
        this.metrics.recorded.inc(commit.stored);
        this.metrics.duplicates.inc(commit.duplicates);
        this.metrics.lag.set((now - commit.oldestReceivedAt) / 1000);
        this.metrics.commitSeconds.observe((now - commit.oldestReceivedAt) / 1000);
        if (Number.isFinite(commit.latestTradeMs)) this.metrics.tradeAge.set((now - commit.latestTradeMs) / 1000);
        this.metrics.pending.set(this.recorder.pending);
      },
      onRejected: (trade, rejection) => {
        this.metrics.rejected.inc();
        this.log.warn({ symbol: trade.symbol, field: rejection.field, reason: rejection.reason }, 'upstream trade refused by validation');
      },
      onRetry: (error, attempt) => this.log.error({ err: asError(error), attempt }, 'recording trades failed; retrying'),
    });
  }

  /** The symbols relayed (normalised). */
  get relayedSymbols(): string[] {
    return this.symbols.map((one) => one.symbol);
  }

  /** Starts relaying; resolves at once (connecting goes on in the background until `stop`). */
  start(): void {
    this.running ??= this.run();
  }

  /** Stops relaying and commits what was received. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const wake of [...this.sleepers]) wake();
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.wakeClosed?.();
    await this.context?.close();
    await this.running;
    await Promise.all([...this.chains.values()]);
    await this.recorder.close();
  }

  /** Resolves once everything received so far is committed (tests). */
  flush(): Promise<void> {
    return Promise.all([...this.chains.values()]).then(() => this.recorder.flush());
  }

  private async run(): Promise<void> {
    let wait = this.options.retryMs ?? 500;
    while (!this.stopped) {
      let context: QuoteContext;
      try {
        context = await QuoteContext.new(this.options.config);
      } catch (error) {
        this.log.error({ err: asError(error), retryInMs: wait }, 'connecting to the upstream failed');
        await this.sleep(wait);
        wait = Math.min(this.options.maxRetryMs ?? 30_000, wait * 2);
        continue;
      }
      if (this.stopped) {
        await context.close();
        return;
      }
      const closed = new Promise<void>((resolve) => (this.wakeClosed = resolve));
      this.context = context;
      context.setOnTrades((error, event) => this.onTrades(error, event));
      context.setOnConnectionEvent((event) => this.onConnectionEvent(event));
      try {
        await this.subscribeAll(context);
        wait = this.options.retryMs ?? 500;
        this.metrics.connected.set(1);
        this.log.info({ symbols: this.subscribed.size, refused: this.refused.size, backfill: this.mode }, 'subscribed to the upstream');
        this.resyncAll();
        this.scheduleRetry(context);
      } catch (error) {
        this.log.error({ err: asError(error) }, 'subscribing at the upstream failed; connecting again');
        await context.close();
        await this.sleep(wait);
        continue;
      }
      await closed;
      if (this.retryTimer) clearTimeout(this.retryTimer);
      this.metrics.connected.set(0);
      this.pauseAll();
      await context.close();
      if (!this.stopped) {
        this.metrics.reconnects.inc();
        await this.sleep(wait);
      }
    }
  }

  /** Subscribes every symbol (in chunks; a refused chunk symbol by symbol, so one bad symbol costs only itself). */
  private async subscribeAll(context: QuoteContext): Promise<void> {
    this.mode ??= await this.detectMode(context);
    for (const symbol of this.symbols) if (!this.relays.has(symbol.symbol)) this.relays.set(symbol.symbol, this.relayFor(symbol));
    this.pauseAll();
    this.subscribed.clear();
    const texts = this.symbols.map((one) => one.symbol);
    const chunk = this.options.subscribeChunk ?? SUBSCRIBE_CHUNK;
    for (let start = 0; start < texts.length; start += chunk) {
      const part = texts.slice(start, start + chunk);
      try {
        await context.subscribe(part, [SubType.Trade], false);
        for (const symbol of part) this.accepted(symbol);
      } catch (error) {
        if (!(error instanceof CapflowClientError) || error.kind !== 'response') throw error;
        for (const symbol of part) await this.subscribeOne(context, symbol);
      }
    }
  }

  /** Subscribes one symbol; a refusal is logged (once per reason) and tried again later. */
  private async subscribeOne(context: QuoteContext, symbol: string): Promise<boolean> {
    try {
      await context.subscribe([symbol], [SubType.Trade], false);
      this.accepted(symbol);
      return true;
    } catch (error) {
      if (!(error instanceof CapflowClientError) || error.kind !== 'response') throw error;
      if (!this.refused.has(symbol) || this.refused.get(symbol) !== error.code) {
        this.log.warn({ symbol, status: error.status, code: error.code, err: error }, 'the upstream refused to subscribe this symbol; trying again every few seconds');
      }
      this.refused.set(symbol, error.code);
      return false;
    }
  }

  private accepted(symbol: string): void {
    this.subscribed.add(symbol);
    if (this.refused.delete(symbol)) this.log.info({ symbol }, 'subscribed after all');
  }

  /** Tries the refused symbols again (every 2 s) while this connection stands; each one that takes is backfilled. */
  private scheduleRetry(context: QuoteContext): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    if (this.refused.size === 0 || this.stopped) return;
    this.retryTimer = setTimeout(() => {
      void (async () => {
        for (const symbol of [...this.refused.keys()]) {
          if (this.stopped || this.context !== context) return;
          try {
            if (await this.subscribeOne(context, symbol)) {
              const relay = this.relays.get(symbol);
              if (relay) this.resync(relay, context);
            }
          } catch {
            return; // the connection is going; the reconnect subscribes everything again
          }
        }
        if (this.context === context) this.scheduleRetry(context);
      })();
    }, 2000);
    this.retryTimer.unref?.();
  }

  /**
   * Asks command 220 about the first symbol: answered, or refused for the symbol (unknown there
   * yet, no permission), the upstream numbers trades (capflow); "unknown command" (LongPort, as
   * the protocol answers any command it does not serve) or anything else: QueryTrade.
   */
  private async detectMode(context: QuoteContext): Promise<Exclude<BackfillMode, 'auto'>> {
    try {
      await context.tradesAfter(this.symbols[0]!.symbol, { afterSequence: 0, count: 0 });
      return 'sequence';
    } catch (error) {
      if (!(error instanceof CapflowClientError) || error.kind !== 'response') throw error;
      return !/unknown command/i.test(error.message) && /symbol/i.test(error.message) ? 'sequence' : 'query-trade';
    }
  }

  private relayFor(symbol: ParsedSymbol): SymbolRelay {
    const context: RelayContext = {
      upstream: () => this.upstream(),
      recorder: this.recorder,
      reader: this.options.reader,
      events: {
        gap: (sym, date, missing, detail) => {
          this.metrics.gaps.inc();
          if (missing !== undefined) this.metrics.gapTrades.inc(missing);
          this.log.warn({ symbol: sym, date, missing: missing ?? 'unknown', detail }, 'gap: trades of the upstream could not be recorded');
        },
        backfilled: (sym, count) => {
          this.metrics.backfilled.inc(count);
          this.log.info({ symbol: sym, trades: count }, 'backfilled');
        },
      },
    };
    return this.mode === 'sequence' ? new SequencedRelay(symbol, context) : new FingerprintRelay(symbol, context);
  }

  private upstream(): RelayUpstream {
    const context = this.context;
    if (!context) throw new Error('not connected to the upstream');
    return context;
  }

  private onTrades(error: Error | null, event: PushTradesEvent): void {
    if (error) {
      this.log.warn({ err: error }, 'an upstream push could not be read');
      return;
    }
    const relay = this.relays.get(event.symbol);
    if (!relay) return;
    const receivedAt = Date.now();
    this.chain(relay, () => relay.onPush(event, receivedAt), 'recording a push failed');
    this.metrics.pending.set(this.recorder.pending);
  }

  private onConnectionEvent(event: ConnectionEvent): void {
    switch (event.type) {
      case 'disconnected':
        this.metrics.connected.set(0);
        this.pauseAll();
        this.log.warn({ closeCode: event.closeCode, reason: event.reason }, 'upstream connection lost; reconnecting');
        return;
      case 'reconnected':
        this.metrics.reconnects.inc();
        this.log.info({ resumed: event.resumed }, 'reconnected to the upstream');
        return;
      case 'resubscribed':
        this.metrics.connected.set(1);
        this.resyncAll();
        return;
      case 'resubscribe-failed':
        this.log.warn({ symbol: event.symbol, err: event.error }, 'subscribing again after a reconnect failed; trying again every few seconds');
        this.subscribed.delete(event.symbol);
        this.refused.set(event.symbol, event.error.code);
        if (this.context) this.scheduleRetry(this.context);
        return;
      case 'closed':
        if (event.error) this.log.error({ err: event.error }, 'the upstream closed the session; connecting afresh');
        this.wakeClosed?.();
        return;
      default:
        return;
    }
  }

  /** In each symbol's order: the pushes received before the drop are not held back. */
  private pauseAll(): void {
    for (const relay of this.relays.values()) this.chain(relay, async () => relay.pause(), 'pausing failed');
  }

  private resyncAll(): void {
    const context = this.context;
    for (const relay of this.relays.values()) if (this.subscribed.has(relay.symbol)) this.resync(relay, context);
  }

  /** A failed backfill is tried again a second later, while the same connection stands. */
  private resync(relay: SymbolRelay, context: QuoteContext | undefined): void {
    this.chain(
      relay,
      () =>
        relay.resync().catch((error: unknown) => {
          this.log.error({ symbol: relay.symbol, err: asError(error) }, 'backfill failed; trying again');
          setTimeout(() => {
            if (!this.stopped && this.context === context) this.resync(relay, context);
          }, 1000).unref();
        }),
      'backfill failed',
    );
  }

  private chain(relay: SymbolRelay, task: () => Promise<void>, failure: string): void {
    const previous = this.chains.get(relay.symbol) ?? Promise.resolve();
    const next = previous.then(task).catch((error: unknown) => this.log.error({ symbol: relay.symbol, err: asError(error) }, failure));
    this.chains.set(relay.symbol, next);
  }

  private sleep(ms: number): Promise<void> {
    if (this.stopped) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.sleepers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.sleepers.add(done);
    });
  }
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
