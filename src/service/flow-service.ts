import type { DaySchedule } from '../calendar/day-schedule.js';
import { calendarFor } from '../calendar/trading-calendar.js';
import { internalError, invalidRequest } from '../model/errors.js';
import { DayFlow, type CapitalFlowLine, type CapitalDistribution, type TierThresholds } from '../engine/index.js';
import { MARKETS, type Market } from '../model/market.js';
import { parseSymbol, type ParsedSymbol } from '../model/symbol.js';
import type { DaySnapshotRecord, FlowStore, StoredTrade } from '../store/flow-store.js';
import type { ArchivedDay, DayArchive } from '../store/day-archive.js';
import { silentLogger, type Logger } from '../logging/logger.js';
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
  /** Where store outages, unusable snapshots and calendar guesses are reported (default silent). */
  logger?: Logger;
  /** Lines and summaries of days whose raw trades retention removed (`serve --retain-trades-days`). */
  archive?: DayArchive;
  /**
   * Longest a caller waits for the store (default 5 s): an answer that needs a read the store
   * does not give in time fails with 7/301602 instead of hanging, while the read goes on (a day
   * it loads is kept). Answers from days already held never wait for the store.
   */
  storeWaitMs?: number;
  /**
   * Keep each served day's replay log in memory (default false): without it a served day costs a
   * few bytes per trade instead of ~160, and the views that need the log (a clock before the day's
   * latest trade, detail lines, other size-tier conventions) are answered from a day rebuilt from
   * the store, kept current while recently used.
   */
  keepServedLogs?: boolean;
  /**
   * How often the served days' states are written to the store as snapshots, when the store keeps
   * them (default 30 s; 0: never): a restart then reads each served day's snapshot plus the trades
   * stored after it instead of replaying the whole day. Not with keepServedLogs (a snapshot has no log).
   */
  snapshotIntervalMs?: number;
  /**
   * Snapshots are also written at the next poll once served days holding this many trades were
   * replayed from the store since the last write (default 1,000,000): a server that has just
   * replayed a large day (its first start after `capflow ingest`, or a day without a snapshot)
   * does not leave it to be replayed again by a kill within the next interval.
   */
  snapshotAfterReplayedTrades?: number;
}

/** What a caller does with a day state: views up to now (`view`), or detail lines and tier passes (`log`). */
export type DayNeeds = 'view' | 'log';

export interface IntradayFlow {
  symbol: string;
  date: string;
  lines: CapitalFlowLine[];
}

export interface DayDistribution extends CapitalDistribution {
  symbol: string;
  date: string;
}

/**
 * Trades read and applied per step of a poll; a poll catching up on more yields to the event loop
 * between steps, so requests are answered meanwhile (20,000 in one go held it ~0.3 s).
 */
const POLL_BATCH = 2_000;
/** Past days (asked for by date) kept loaded and current, least recently used dropped first. */
const PAST_DAYS_KEPT = 16;
/** Served days rebuilt with their log (for the views that need it) kept current: at most this many, and this many trades. */
const LOGGED_DAYS_KEPT = 64;
const LOGGED_DAYS_TRADES = 4_000_000;

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
  private readonly log: Logger;
  private readonly configured = new Set<string>();
  private readonly ingested = new Set<string>();
  private readonly days = new Map<string, DayFlow>();
  private readonly pastDays = new Map<string, DayFlow>();
  /** Served days rebuilt from the store with their log, least recently used first (see keepServedLogs). */
  private readonly loggedDays = new Map<string, DayFlow>();
  private readonly keepServedLogs: boolean;
  /** Latest served day loaded per symbol (see retireEarlierServedDay). */
  private readonly servedDates = new Map<string, string>();
  private readonly guessedLogged = new Set<string>();
  private readonly listeners = new Set<(trades: readonly StoredTrade[]) => void>();
  private readonly orderedListeners = new Set<(trades: readonly StoredTrade[]) => void>();
  /** Every trade with seq <= watermark is applied (or belongs to no loaded day). */
  private watermark = 0;
  /**
   * Trades above the watermark already applied directly (`applyCommitted`) because another
   * writer's trades lie between them and the watermark, by seq; `poll` skips them as it passes
   * them, and they reach `onTradesInOrder` listeners once the watermark passes them.
   */
  private readonly appliedAhead = new Map<number, StoredTrade>();
  /** Market of each symbol seen (parsing a symbol per applied trade costs more than the trade). */
  private readonly markets = new Map<string, Market | undefined>();
  private serial: Promise<unknown> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private readonly pollIntervalMs: number;
  private readonly storeWaitMs: number;
  private readonly archive: DayArchive | undefined;
  /** Consecutive failed polls, and since when (logged once per streak, not every 200 ms). */
  private pollFailures = 0;
  private pollFailingSince = 0;
  private readonly snapshotIntervalMs: number;
  /** When snapshots were last written (Date.now). */
  private snapshotsWrittenAt = 0;
  private readonly snapshotAfterReplayedTrades: number;
  /** Trades of served days replayed from the store (not restored from a snapshot) since snapshots were last written. */
  private replayedSinceSnapshots = 0;
  /** Set by `stop`: a preload in progress ends. */
  private stopped = false;
  /** Per served day, the `dayVersion` its stored snapshot has: an unchanged day is not written again. */
  private readonly snapshotVersions = new Map<string, number>();

  private constructor(options: FlowServiceOptions) {
    this.store = options.store;
    this.clock = options.clock;
    this.thresholds = options.thresholds ?? {};
    this.log = options.logger ?? silentLogger();
    this.pollIntervalMs = options.pollIntervalMs ?? 200;
    this.storeWaitMs = options.storeWaitMs ?? 5000;
    this.archive = options.archive;
    this.keepServedLogs = options.keepServedLogs ?? false;
    this.snapshotIntervalMs = options.snapshotIntervalMs ?? 30_000;
    this.snapshotAfterReplayedTrades = options.snapshotAfterReplayedTrades ?? 1_000_000;
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
    return this.archive ? this.bounded(this.archive.day(symbol, date)) : undefined;
  }

  /** Starts following the store for newly ingested trades. */
  start(): void {
    if (this.timer) return;
    this.stopped = false;
    // The first snapshots one interval after the start (days loaded since are written then).
    this.snapshotsWrittenAt = Date.now();
    const tick = (): void => {
      this.poll()
        .then(
          () => {
            if (this.pollFailures === 0) return;
            this.log.info({ failedPolls: this.pollFailures, failingMs: Date.now() - this.pollFailingSince }, 'poll: reading the store again');
            this.pollFailures = 0;
          },
          (error: unknown) => {
            if (this.pollFailures++ === 0) {
              this.pollFailingSince = Date.now();
              this.log.error({ err: error }, 'poll failed; answering from the days held until the store is back');
            }
          },
        )
        .then(() => this.snapshotWhenDue())
        .finally(() => {
          if (this.timer) this.timer = setTimeout(tick, this.pollIntervalMs);
        });
    };
    this.timer = setTimeout(tick, this.pollIntervalMs);
    void this.preloadSnapshottedDays().catch((error: unknown) => {
      this.log.warn({ err: error }, 'served days not preloaded from their snapshots; each loads when first asked');
    });
  }

  /**
   * Loads, one after the other, every served day that has a snapshot — the days this server (or
   * another one over the store) served before a restart — so that after a kill -9 every symbol
   * that was being asked answers within seconds instead of each waiting for its first request.
   * Requests are served in between (each day is its own turn of the store queue); days without
   * a snapshot still load when first asked. Resolves with the days it loaded.
   */
  async preloadSnapshottedDays(): Promise<number> {
    const snapshots = this.store.daySnapshots;
    if (!this.snapshotsKept() || !snapshots) return 0;
    let loaded = 0;
    for (const market of MARKETS) {
      const date = this.servedSchedule(market).date;
      for (const text of await snapshots.snapshottedSymbols(date)) {
        const symbol = parseSymbol(text);
        if (symbol?.market !== market || this.days.has(dayKey(text, date))) continue;
        // The served day may have moved on (the clock crossed into a new day) while preloading.
        if (this.stopped || this.servedSchedule(market).date !== date) break;
        await this.loadDay(symbol, date);
        loaded++;
      }
    }
    return loaded;
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /**
   * Writes the served days' snapshots once `snapshotIntervalMs` has passed since the last write,
   * or sooner after `snapshotAfterReplayedTrades` were replayed.
   */
  private async snapshotWhenDue(): Promise<void> {
    if (!this.snapshotsKept() || this.snapshotIntervalMs <= 0) return;
    const replayedMany = this.replayedSinceSnapshots >= this.snapshotAfterReplayedTrades;
    if (!replayedMany && Date.now() - this.snapshotsWrittenAt < this.snapshotIntervalMs) return;
    this.snapshotsWrittenAt = Date.now();
    this.replayedSinceSnapshots = 0;
    try {
      await this.writeSnapshots();
    } catch (error) {
      this.log.warn({ err: error }, 'snapshots not written; a restart replays those days');
    }
  }

  private snapshotsKept(): boolean {
    return this.store.daySnapshots !== undefined && !this.keepServedLogs;
  }

  /**
   * Writes a snapshot of every served day changed since its last one, covering the trades up to
   * the watermark; returns how many were written. Skipped (0) while trades are applied ahead of
   * the watermark (the days' states would then cover no single seq) and with snapshotIntervalMs 0.
   */
  writeSnapshots(): Promise<number> {
    const snapshots = this.store.daySnapshots;
    if (!snapshots || this.keepServedLogs || this.snapshotIntervalMs <= 0) return Promise.resolve(0);
    return this.exclusive(async () => {
      if (this.appliedAhead.size > 0) return 0;
      const seq = this.watermark;
      const records: DaySnapshotRecord[] = [];
      const versions: [string, number][] = [];
      for (const [key, day] of this.days) {
        const version = dayVersion(day);
        if (this.snapshotVersions.get(key) === version) continue;
        const space = key.indexOf(' ');
        records.push({ symbol: key.slice(0, space), date: key.slice(space + 1), seq, data: day.snapshot() });
        versions.push([key, version]);
      }
      await snapshots.saveDaySnapshots(records);
      for (const [key, version] of versions) this.snapshotVersions.set(key, version);
      return records.length;
    });
  }

  /** Called with every batch of newly applied trades (for live updates and metrics). */
  onTrades(listener: (trades: readonly StoredTrade[]) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Called with newly applied trades strictly in seq order (the store's acceptance order), each
   * exactly once, as the watermark passes them: every trade with seq <= `appliedThrough` has been
   * told. A trade applied ahead of another writer's (see `applyCommitted`) waits for them.
   */
  onTradesInOrder(listener: (trades: readonly StoredTrade[]) => void): () => void {
    this.orderedListeners.add(listener);
    return () => this.orderedListeners.delete(listener);
  }

  /** Every stored trade with seq at or below this has been applied and told in order. */
  get appliedThrough(): number {
    return this.watermark;
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
        // Trades this process applied as it committed them are not applied twice.
        const fresh = this.appliedAhead.size === 0 ? trades : trades.filter((trade) => !this.appliedAhead.delete(trade.seq));
        this.apply(fresh);
        this.watermark = trades[trades.length - 1]!.seq;
        this.tellInOrder(trades);
        this.advanceOverAppliedAhead();
        if (trades.length < POLL_BATCH) return;
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
    });
  }

  /**
   * Applies trades this process has just committed to the store (e.g. a `POST /v1/ingest`
   * body), without reading them back: the server's own writes update the lines at once, and
   * `poll` is left with the trades of other writers. A trade is applied at most once whichever
   * of the two sees it first: already polled (seq <= watermark) or already applied, it is
   * skipped; applied here beyond the watermark with another writer's trades in between, it is
   * remembered so `poll` skips it. `trades` must be committed, in seq order.
   */
  applyCommitted(trades: readonly StoredTrade[]): Promise<void> {
    if (trades.length === 0) return Promise.resolve();
    return this.exclusive(async () => {
      const fresh =
        this.appliedAhead.size === 0 && trades[0]!.seq > this.watermark
          ? trades
          : trades.filter((trade) => trade.seq > this.watermark && !this.appliedAhead.has(trade.seq));
      if (fresh.length === 0) return;
      this.apply(fresh);
      const first = fresh[0]!.seq;
      const last = fresh[fresh.length - 1]!.seq;
      if (this.appliedAhead.size === 0 && first === this.watermark + 1 && last - first === fresh.length - 1) {
        this.watermark = last; // the usual case: nobody else wrote in between
        this.tellInOrder(fresh);
        return;
      }
      for (const trade of fresh) this.appliedAhead.set(trade.seq, trade);
      this.advanceOverAppliedAhead();
    });
  }

  private marketOf(symbol: string): Market | undefined {
    if (this.markets.has(symbol)) return this.markets.get(symbol);
    const market = parseSymbol(symbol)?.market;
    if (this.markets.size >= 100_000) this.markets.clear();
    this.markets.set(symbol, market);
    return market;
  }

  /** Moves the watermark over directly applied trades that follow it with no gap. */
  private advanceOverAppliedAhead(): void {
    let passed: StoredTrade[] | undefined;
    for (let next = this.appliedAhead.get(this.watermark + 1); next !== undefined; next = this.appliedAhead.get(this.watermark + 1)) {
      this.appliedAhead.delete(next.seq);
      this.watermark = next.seq;
      (passed ??= []).push(next);
    }
    if (this.appliedAhead.size > 0) for (const seq of this.appliedAhead.keys()) if (seq <= this.watermark) this.appliedAhead.delete(seq);
    if (passed) this.tellInOrder(passed);
  }

  private tellInOrder(trades: readonly StoredTrade[]): void {
    if (trades.length === 0) return;
    for (const listener of this.orderedListeners) listener(trades);
  }

  private apply(trades: readonly StoredTrade[]): void {
    if (trades.length === 0) return;
    // Consecutive trades mostly share a symbol-day: look its state and market up once per run.
    let symbol = '';
    let date = '';
    let market: Market | undefined;
    let day: DayFlow | undefined;
    let logged: DayFlow | undefined;
    for (const trade of trades) {
      if (trade.symbol !== symbol || trade.date !== date) {
        if (trade.symbol !== symbol) {
          symbol = trade.symbol;
          this.ingested.add(symbol);
          market = this.marketOf(symbol);
        }
        date = trade.date;
        const key = dayKey(symbol, date);
        day = this.days.get(key) ?? this.pastDays.get(key);
        logged = this.loggedDays.size === 0 ? undefined : this.loggedDays.get(key);
      }
      if (market) this.clock.observe(market, trade.timestamp);
      day?.add(trade);
      logged?.add(trade);
    }
    for (const listener of this.listeners) listener(trades);
  }

  /** The served day's cumulative lines of a known symbol, up to the clock's now. */
  async capitalFlow(symbol: ParsedSymbol): Promise<IntradayFlow> {
    const { day, date, now } = await this.servedDay(symbol);
    return { symbol: symbol.symbol, date, lines: (await this.usable(symbol, date, day, 'view')).lines(now) };
  }

  /** The served day's distribution of a known symbol, up to the clock's now. */
  async capitalDistribution(symbol: ParsedSymbol): Promise<DayDistribution> {
    const { day, date, now } = await this.servedDay(symbol);
    return { symbol: symbol.symbol, date, ...(await this.usable(symbol, date, day, 'view')).distribution(now) };
  }

  /** Command 25's size-tier thresholds for a market (configured, else the engine defaults). */
  thresholdsOf(market: Market): TierThresholds | undefined {
    return this.thresholds[market];
  }

  /** The clock's "now" for a market (docs/computation.md §5). */
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
  async dayFlow(symbol: ParsedSymbol, date: string, needs: DayNeeds = 'view'): Promise<DayFlow> {
    const key = dayKey(symbol.symbol, date);
    const loaded = this.days.get(key);
    if (loaded) return this.usable(symbol, date, loaded, needs);
    if (date === this.servedSchedule(symbol.market).date) return this.usable(symbol, date, (await this.servedDay(symbol)).day, needs);
    return this.exclusive(async () => {
      const past = this.pastDays.get(key);
      if (past && this.serves(past, symbol, needs)) {
        this.pastDays.delete(key);
        this.pastDays.set(key, past);
        return past;
      }
      // A past day not held, or a retired served day without its log: rebuilt with it.
      if (past) this.pastDays.delete(key);
      const day = await this.readDay(symbol, date);
      this.pastDays.set(key, day);
      if (this.pastDays.size > PAST_DAYS_KEPT) this.pastDays.delete(this.pastDays.keys().next().value as string);
      return day;
    }, true);
  }

  /**
   * The day state `dayFlow` answers at once, when (symbol, date) is a loaded day kept current with
   * new trades; undefined otherwise (then `dayFlow` loads it). Lets the socket layer answer
   * without a promise per request.
   */
  loadedDay(symbol: string, date: string): DayFlow | undefined {
    const day = this.days.get(dayKey(symbol, date));
    if (!day || day.hasLog) return day;
    // Without its log a day shows only views at or after its latest trade.
    const market = this.marketOf(symbol);
    return market && day.latestTimestampMs <= this.clock.now(market) ? day : undefined;
  }

  /** A day state built from the store for one look (not kept), or the loaded one when there is one. */
  async transientDayFlow(symbol: ParsedSymbol, date: string, needs: DayNeeds = 'view'): Promise<DayFlow> {
    const key = dayKey(symbol.symbol, date);
    const loaded = this.days.get(key) ?? this.pastDays.get(key);
    if (loaded && this.serves(loaded, symbol, needs)) return loaded;
    if (loaded && this.days.get(key) === loaded) return this.usable(symbol, date, loaded, needs);
    return this.exclusive(() => this.readDay(symbol, date), true);
  }

  /** Whether a day state answers what the caller needs at the clock's now. */
  private serves(day: DayFlow, symbol: ParsedSymbol, needs: DayNeeds): boolean {
    return day.hasLog || (needs === 'view' && day.latestTimestampMs <= this.clock.now(symbol.market));
  }

  /**
   * A loaded day that serves the caller, else the same day rebuilt from the store with its log
   * (kept current while recently used): the log is only paid for by the days that need it.
   */
  private async usable(symbol: ParsedSymbol, date: string, day: DayFlow, needs: DayNeeds): Promise<DayFlow> {
    if (this.serves(day, symbol, needs)) return day;
    const key = dayKey(symbol.symbol, date);
    const kept = this.loggedDays.get(key);
    if (kept) {
      this.loggedDays.delete(key);
      this.loggedDays.set(key, kept);
      return kept;
    }
    return this.exclusive(async () => {
      const again = this.loggedDays.get(key);
      if (again) return again;
      const logged = await this.readDay(symbol, date);
      this.loggedDays.set(key, logged);
      let trades = 0;
      for (const held of this.loggedDays.values()) trades += held.tradeCount;
      for (const [oldest, held] of this.loggedDays) {
        if (this.loggedDays.size <= 1 || (this.loggedDays.size <= LOGGED_DAYS_KEPT && trades <= LOGGED_DAYS_TRADES)) break;
        this.loggedDays.delete(oldest);
        trades -= held.tradeCount;
      }
      return logged;
    }, true);
  }

  /** Builds a day state from the store up to the watermark; call inside `exclusive`. */
  private async readDay(symbol: ParsedSymbol, date: string): Promise<DayFlow> {
    const schedule = calendarFor(symbol.market).schedule(date);
    if (!schedule) throw invalidRequest(`${date} is not a ${symbol.market} trading day`);
    const day = new DayFlow(schedule, this.thresholds[symbol.market]);
    await this.fillDay(day, symbol.symbol, date);
    return day;
  }

  /**
   * Feeds a new day state its stored trades as of the watermark (plus the ones applied ahead of
   * it), straight from the store's columns into `addTrade` — no object per trade.
   */
  private async fillDay(day: DayFlow, symbol: string, date: string, afterSeq = 0): Promise<void> {
    const upTo = this.appliedUpTo();
    // A snapshot taken at the watermark (a restart with no trade stored since) has no tail to read.
    if (afterSeq > 0 && afterSeq >= upTo) return;
    const snapshots = this.store.daySnapshots;
    const columns =
      afterSeq > 0 && snapshots ? await snapshots.readDayColumnsAfter(symbol, date, afterSeq, upTo) : await this.store.readDayColumns(symbol, date, upTo);
    if (upTo === this.watermark) {
      day.addRows(columns, 0, columns.count);
      return;
    }
    // Rows between the watermark and the last applied-ahead seq: only the applied ones (the
    // others are other writers' trades the next poll applies).
    day.addRows(columns, 0, columns.count, (row) => {
      const seq = columns.seq[row] as number;
      return seq <= this.watermark || this.appliedAhead.has(seq);
    });
  }

  /** The highest seq applied: the watermark, or the last trade applied ahead of it. */
  private appliedUpTo(): number {
    let upTo = this.watermark;
    for (const seq of this.appliedAhead.keys()) if (seq > upTo) upTo = seq;
    return upTo;
  }

  /**
   * The served day from its stored snapshot plus the trades stored after it; undefined when there
   * is no usable snapshot (none, ahead of this process's watermark, or not readable: replayed).
   */
  private async restoreServedDay(schedule: DaySchedule, symbol: ParsedSymbol): Promise<DayFlow | undefined> {
    const snapshots = this.store.daySnapshots;
    if (!snapshots || this.keepServedLogs) return undefined;
    const stored = await snapshots.daySnapshot(symbol.symbol, schedule.date);
    if (!stored || stored.seq > this.watermark) return undefined;
    let day: DayFlow;
    try {
      day = DayFlow.fromSnapshot(schedule, this.thresholds[symbol.market], stored.data);
    } catch (error) {
      this.log.warn({ symbol: symbol.symbol, date: schedule.date, err: error }, 'snapshot not used; replaying its trades');
      return undefined;
    }
    this.snapshotVersions.set(dayKey(symbol.symbol, schedule.date), dayVersion(day));
    await this.fillDay(day, symbol.symbol, schedule.date, stored.seq);
    return day;
  }

  private async servedDay(symbol: ParsedSymbol): Promise<{ day: DayFlow; date: string; now: number }> {
    const now = this.clock.now(symbol.market);
    const schedule = calendarFor(symbol.market).servedDay(now);
    if (schedule.guessed) {
      const key = `${symbol.market} ${schedule.date}`;
      if (!this.guessedLogged.has(key)) {
        this.guessedLogged.add(key);
        this.log.warn({ market: symbol.market, date: schedule.date }, 'date outside the calendar data; treating it as a full trading day (guess)');
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
      let day = await this.restoreServedDay(schedule, symbol);
      if (!day) {
        day = new DayFlow(schedule, this.thresholds[symbol.market], { keepLog: this.keepServedLogs });
        await this.fillDay(day, symbol.symbol, date);
        this.replayedSinceSnapshots += day.tradeCount;
      }
      this.days.set(key, day);
      this.retireEarlierServedDay(symbol.symbol, date);
      return day;
    }, true);
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
    this.snapshotVersions.delete(key);
    this.pastDays.set(key, day);
    if (this.pastDays.size > PAST_DAYS_KEPT) this.pastDays.delete(this.pastDays.keys().next().value as string);
  }

  /** Runs `task` after the store reads queued before it; `forCaller`: bounded by storeWaitMs. */
  private exclusive<T>(task: () => Promise<T>, forCaller = false): Promise<T> {
    const run = this.serial.then(task, task);
    this.serial = run.catch(() => undefined);
    return forCaller ? this.bounded(run) : run;
  }

  /** `work` as a caller may wait for it: failing with 7/301602 after storeWaitMs (the work goes on). */
  private bounded<T>(work: Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(internalError(`the store did not answer within ${this.storeWaitMs} ms; try again`)),
        this.storeWaitMs,
      );
      work.then(
        (value) => {
          clearTimeout(timer);
          resolve(value);
        },
        (error: unknown) => {
          clearTimeout(timer);
          reject(error);
        },
      );
    });
  }
}

/** Changes whenever a day takes a trade in any way (counted, excluded or duplicate). */
function dayVersion(day: DayFlow): number {
  return day.tradeCount + day.excludedCount + day.duplicateCount;
}

function dayKey(symbol: string, date: string): string {
  return `${symbol} ${date}`;
}
