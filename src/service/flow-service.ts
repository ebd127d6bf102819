import type { DaySchedule } from '../calendar/day-schedule.js';
import { calendarFor } from '../calendar/trading-calendar.js';
import { invalidRequest } from '../model/errors.js';
import { DayFlow, type CapitalFlowLine, type CapitalDistribution, type TierThresholds } from '../engine/index.js';
import type { Market } from '../model/market.js';
import { parseSymbol, type ParsedSymbol } from '../model/symbol.js';
import type { FlowStore, StoredTrade } from '../store/flow-store.js';
import type { ArchivedDay, DayArchive } from '../store/day-archive.js';
import type { MarketClock } from './market-clock.js';

export interface FlowServiceOptions {
  store: FlowStore;
  clock: MarketClock;
  /** Symbols known before any trade arrives (normalised). */
  securities?: readonly string[];
  /** Per-market size-tier thresholds for command 25 (engine defaults otherwise). */
  thresholds?: Partial<Record<Market, TierThresholds>>;
  /** How often new trades are read from the store (ms). */
  pollIntervalMs?: number;
  log?: (message: string) => void;
  /** Lines and summaries of days whose raw trades retention removed (`serve --retain-trades-days`). */
  archive?: DayArchive;
}

export interface IntradayFlow {
  symbol: string;
  date: string;
  lines: CapitalFlowLine[];
}

export interface DayDistribution extends CapitalDistribution {
  symbol: string;
  date: string;
}

const POLL_BATCH = 20_000;
/** Past days (asked for by date) kept loaded and current, least recently used dropped first. */
const PAST_DAYS_KEPT = 16;

/**
 * Keeps the engine's day states in step with the store and answers the questions of commands
 * 24 and 25. Day states are built lazily from the store the first time a (symbol, day) is asked
 * for, then kept current by reading newly stored trades in arrival order. All store reads that
 * touch day states run one at a time, so a lazily loaded day and the poller never overlap.
 */
export class FlowService {
  private readonly store: FlowStore;
  private readonly clock: MarketClock;
  private readonly thresholds: Partial<Record<Market, TierThresholds>>;
  private readonly log: (message: string) => void;
  private readonly configured = new Set<string>();
  private readonly ingested = new Set<string>();
  private readonly days = new Map<string, DayFlow>();
  private readonly pastDays = new Map<string, DayFlow>();
  /** Latest served day loaded per symbol (see retireEarlierServedDay). */
  private readonly servedDates = new Map<string, string>();
  private readonly guessedLogged = new Set<string>();
  private readonly listeners = new Set<(trades: readonly StoredTrade[]) => void>();
  private watermark = 0;
  private serial: Promise<unknown> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private readonly pollIntervalMs: number;
  private readonly archive: DayArchive | undefined;

  private constructor(options: FlowServiceOptions) {
    this.store = options.store;
    this.clock = options.clock;
    this.thresholds = options.thresholds ?? {};
    this.log = options.log ?? (() => {});
    this.pollIntervalMs = options.pollIntervalMs ?? 200;
    this.archive = options.archive;
    for (const symbol of options.securities ?? []) this.configured.add(symbol);
  }

  /** Opens the service over a store: learns the known symbols and the feed clock's position. */
  static async open(options: FlowServiceOptions): Promise<FlowService> {
    const service = new FlowService(options);
    service.watermark = await service.store.lastSeq();
    for (const summary of await service.store.symbolSummaries()) {
      service.ingested.add(summary.symbol);
      const market = parseSymbol(summary.symbol)?.market;
      if (market) service.clock.observe(market, summary.lastTimestamp);
    }
    return service;
  }

  /**
   * A past day whose raw trades retention removed: its minute lines (as served after the close)
   * and summary (`{ totals, distribution }`); undefined for a day still held as trades. History
   * answers such days from here, since rebuilding them from the (deleted) trades gives nothing.
   */
  async archivedDay(symbol: string, date: string): Promise<ArchivedDay | undefined> {
    return this.archive?.day(symbol, date);
  }

  /** Starts following the store for newly ingested trades. */
  start(): void {
    if (this.timer) return;
    const tick = (): void => {
      this.poll()
        .catch((error: unknown) => this.log(`poll failed: ${(error as Error).message}`))
        .finally(() => {
          if (this.timer) this.timer = setTimeout(tick, this.pollIntervalMs);
        });
    };
    this.timer = setTimeout(tick, this.pollIntervalMs);
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Called with every batch of newly applied trades (for live updates and metrics). */
  onTrades(listener: (trades: readonly StoredTrade[]) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Day states held: loaded served days and the bounded cache of past days (memory observability). */
  loadedDayCounts(): { served: number; past: number } {
    return { served: this.days.size, past: this.pastDays.size };
  }

  isKnown(symbol: string): boolean {
    return this.configured.has(symbol) || this.ingested.has(symbol);
  }

  hasData(symbol: string): boolean {
    return this.ingested.has(symbol);
  }

  /** Reads trades stored since the last poll and applies them to the loaded day states. */
  poll(): Promise<void> {
    return this.exclusive(async () => {
      for (;;) {
        const trades = await this.store.tradesAfter(this.watermark, POLL_BATCH);
        if (trades.length === 0) return;
        for (const trade of trades) {
          this.ingested.add(trade.symbol);
          const market = parseSymbol(trade.symbol)?.market;
          if (market) this.clock.observe(market, trade.timestamp);
          const key = dayKey(trade.symbol, trade.date);
          (this.days.get(key) ?? this.pastDays.get(key))?.add(trade);
        }
        this.watermark = trades[trades.length - 1]!.seq;
        for (const listener of this.listeners) listener(trades);
        if (trades.length < POLL_BATCH) return;
      }
    });
  }

  /** The served day's cumulative lines of a known symbol, up to the clock's now. */
  async capitalFlow(symbol: ParsedSymbol): Promise<IntradayFlow> {
    const { day, date, now } = await this.servedDay(symbol);
    return { symbol: symbol.symbol, date, lines: day.lines(now) };
  }

  /** The served day's distribution of a known symbol, up to the clock's now. */
  async capitalDistribution(symbol: ParsedSymbol): Promise<DayDistribution> {
    const { day, date, now } = await this.servedDay(symbol);
    return { symbol: symbol.symbol, date, ...day.distribution(now) };
  }

  /** Command 25's size-tier thresholds for a market (configured, else the engine defaults). */
  thresholdsOf(market: Market): TierThresholds | undefined {
    return this.thresholds[market];
  }

  /** The clock's "now" for a market (capital-flow.md §5). */
  now(market: Market): number {
    return this.clock.now(market);
  }

  /** Every known symbol (configured or ingested), sorted. */
  knownSymbols(): string[] {
    return [...new Set([...this.configured, ...this.ingested])].sort();
  }

  /** The schedule of the day served for a market at the clock's now. */
  servedSchedule(market: Market): DaySchedule {
    return calendarFor(market).servedDay(this.clock.now(market));
  }

  /**
   * The day state of a symbol on any trading day, kept current with new trades: the served day
   * (and any day already loaded) stays loaded; other days are kept while recently used.
   */
  async dayFlow(symbol: ParsedSymbol, date: string): Promise<DayFlow> {
    const key = dayKey(symbol.symbol, date);
    const loaded = this.days.get(key);
    if (loaded) return loaded;
    if (date === this.servedSchedule(symbol.market).date) return (await this.servedDay(symbol)).day;
    return this.exclusive(async () => {
      const past = this.pastDays.get(key);
      if (past) {
        this.pastDays.delete(key);
        this.pastDays.set(key, past);
        return past;
      }
      const day = await this.readDay(symbol, date);
      this.pastDays.set(key, day);
      if (this.pastDays.size > PAST_DAYS_KEPT) this.pastDays.delete(this.pastDays.keys().next().value as string);
      return day;
    });
  }

  /** A day state built from the store for one look (not kept), or the loaded one when there is one. */
  async transientDayFlow(symbol: ParsedSymbol, date: string): Promise<DayFlow> {
    const key = dayKey(symbol.symbol, date);
    const loaded = this.days.get(key) ?? this.pastDays.get(key);
    if (loaded) return loaded;
    return this.exclusive(() => this.readDay(symbol, date));
  }

  /** Builds a day state from the store up to the watermark; call inside `exclusive`. */
  private async readDay(symbol: ParsedSymbol, date: string): Promise<DayFlow> {
    const schedule = calendarFor(symbol.market).schedule(date);
    if (!schedule) throw invalidRequest(`${date} is not a ${symbol.market} trading day`);
    const day = new DayFlow(schedule, this.thresholds[symbol.market]);
    for (const trade of await this.store.tradesOfDay(symbol.symbol, date, this.watermark)) day.add(trade);
    return day;
  }

  private async servedDay(symbol: ParsedSymbol): Promise<{ day: DayFlow; date: string; now: number }> {
    const now = this.clock.now(symbol.market);
    const schedule = calendarFor(symbol.market).servedDay(now);
    if (schedule.guessed) {
      const key = `${symbol.market} ${schedule.date}`;
      if (!this.guessedLogged.has(key)) {
        this.guessedLogged.add(key);
        this.log(`calendar: ${schedule.date} is outside the ${symbol.market} calendar data; treating it as a full trading day (guess)`);
      }
    }
    const key = dayKey(symbol.symbol, schedule.date);
    let day = this.days.get(key);
    if (!day) day = await this.loadDay(symbol, schedule.date);
    return { day, date: schedule.date, now };
  }

  private loadDay(symbol: ParsedSymbol, date: string): Promise<DayFlow> {
    return this.exclusive(async () => {
      const key = dayKey(symbol.symbol, date);
      const existing = this.days.get(key);
      if (existing) return existing;
      const schedule = calendarFor(symbol.market).schedule(date);
      if (!schedule) throw new Error(`${date} is not a ${symbol.market} trading day`);
      const day = new DayFlow(schedule, this.thresholds[symbol.market]);
      for (const trade of await this.store.tradesOfDay(symbol.symbol, date, this.watermark)) day.add(trade);
      this.days.set(key, day);
      this.retireEarlierServedDay(symbol.symbol, date);
      return day;
    });
  }

  /**
   * A long-running server serves a new day per symbol every trading day: the day it served before
   * moves to the bounded cache of past days instead of staying loaded for ever.
   */
  private retireEarlierServedDay(symbol: string, date: string): void {
    const previous = this.servedDates.get(symbol);
    this.servedDates.set(symbol, previous !== undefined && previous > date ? previous : date);
    if (previous === undefined || previous >= date) return;
    const key = dayKey(symbol, previous);
    const day = this.days.get(key);
    if (!day) return;
    this.days.delete(key);
    this.pastDays.set(key, day);
    if (this.pastDays.size > PAST_DAYS_KEPT) this.pastDays.delete(this.pastDays.keys().next().value as string);
  }

  private exclusive<T>(task: () => Promise<T>): Promise<T> {
    const run = this.serial.then(task, task);
    this.serial = run.catch(() => undefined);
    return run;
  }
}

function dayKey(symbol: string, date: string): string {
  return `${symbol} ${date}`;
}
