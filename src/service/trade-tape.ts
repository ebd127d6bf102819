import { calendarFor } from '../calendar/trading-calendar.js';
import { silentLogger, type Logger } from '../logging/logger.js';
import { invalidRequest } from '../model/errors.js';
import type { ParsedSymbol } from '../model/symbol.js';
import type { FlowStore, StoredTrade } from '../store/flow-store.js';
import type { FlowService } from './flow-service.js';
import { TapeDay, type TapeTrade } from './tape-day.js';

/** Consecutive new trades of one symbol-day, in acceptance order. */
export interface TapeBatch {
  readonly symbol: string;
  readonly date: string;
  readonly trades: readonly TapeTrade[];
}

export type TapeListener = (batch: TapeBatch) => void;

export interface TradeTapeOptions {
  flows: FlowService;
  store: Pick<FlowStore, 'readDayColumns'>;
  /** Latest trades kept per symbol-day (default 1000, what command 17 may ask for). */
  keep?: number;
  /** Symbols without followers whose days stay loaded for further queries (default 64). */
  idleSymbols?: number;
  /** Where failed loads and failing followers are reported (default silent). */
  logger?: Logger;
}

/** Days kept per followed symbol: the served day and the one before it (a late trade of yesterday). */
const DAYS_PER_SYMBOL = 2;

interface SymbolTape {
  readonly symbol: ParsedSymbol;
  readonly days: Map<string, TapeDay>;
  readonly listeners: Set<TapeListener>;
  /** Trades told while a day of this symbol loads, applied in order once it has. */
  queue: StoredTrade[] | undefined;
  /** The running load (and the draining of `queue` after it). */
  loading: Promise<void> | undefined;
  /** Why the last load failed, for the `day` call waiting on it. */
  failure: unknown;
}

/**
 * The trade tape: every accepted trade of the symbols asked about, numbered by its position in
 * its symbol-day's acceptance order (the store's seq order, so the numbers survive restarts),
 * with the side the lines count it on. It follows the flow service's in-order trade stream;
 * a symbol-day is loaded from the store on first use (up to the trade that needed it, so no trade
 * is counted twice or skipped), then kept current trade by trade. Followers of a symbol get each
 * new trade once, in order, in batches per symbol-day.
 */
export class TradeTape {
  private readonly flows: FlowService;
  private readonly store: Pick<FlowStore, 'readDayColumns'>;
  private readonly keep: number;
  private readonly idleSymbols: number;
  private readonly log: Logger;
  private readonly symbols = new Map<string, SymbolTape>();
  /** Symbols without followers, least recently used first. */
  private readonly idle = new Set<string>();
  private readonly detach: () => void;

  constructor(options: TradeTapeOptions) {
    this.flows = options.flows;
    this.store = options.store;
    this.keep = options.keep ?? 1000;
    this.idleSymbols = options.idleSymbols ?? 64;
    this.log = options.logger ?? silentLogger();
    this.detach = this.flows.onTradesInOrder((trades) => this.told(trades));
  }

  /** Stops following the flow service. */
  stop(): void {
    this.detach();
  }

  /** Symbols with at least one follower. */
  followedSymbols(): string[] {
    return [...this.symbols.values()].filter((one) => one.listeners.size > 0).map((one) => one.symbol.symbol);
  }

  /** Calls `listener` with every trade of `symbol` accepted from now on (any day), in order. */
  follow(symbol: ParsedSymbol, listener: TapeListener): () => void {
    const tape = this.tapeOf(symbol);
    tape.listeners.add(listener);
    this.idle.delete(symbol.symbol);
    return () => {
      if (!tape.listeners.delete(listener) || tape.listeners.size > 0 || this.symbols.get(symbol.symbol) !== tape) return;
      this.markIdle(tape);
    };
  }

  /**
   * The symbol-day as of every trade told so far (loaded from the store when needed). Use the
   * answer at once: it keeps changing as trades arrive. Rejects with 3/301600 for a date on
   * which the market does not trade.
   */
  async day(symbol: ParsedSymbol, date: string): Promise<TapeDay> {
    if (!calendarFor(symbol.market).schedule(date)) throw invalidRequest(`${date} is not a ${symbol.market} trading day`);
    const tape = this.tapeOf(symbol);
    for (;;) {
      if (tape.loading) {
        await tape.loading;
        if (tape.failure !== undefined) {
          const failure = tape.failure;
          tape.failure = undefined;
          throw failure;
        }
        continue;
      }
      const day = tape.days.get(date);
      if (day) {
        if (tape.listeners.size === 0) this.markIdle(tape);
        return day;
      }
      // Everything told so far is in the store up to the watermark; what follows queues.
      tape.queue = [];
      this.load(tape, date, this.flows.appliedThrough);
    }
  }

  /**
   * Trades of a symbol-day with a sequence above `after`, at most `count`, and the day's count:
   * from the kept window when it reaches back that far, else replayed from the store (up to the
   * last trade the tape has told, so the answer and the pushes never overlap or leave a hole).
   */
  async tradesAfter(symbol: ParsedSymbol, date: string, after: number, count: number): Promise<{ trades: TapeTrade[]; dayTrades: number }> {
    const day = await this.day(symbol, date);
    const dayTrades = day.count;
    if (count <= 0 || after >= dayTrades) return { trades: [], dayTrades };
    const kept = day.keptAfter(after, count);
    if (kept) return { trades: kept, dayTrades };
    const columns = await this.store.readDayColumns(symbol.symbol, date, day.lastSeq);
    const replay = new TapeDay(symbol.symbol, day.schedule, 1);
    const trades: TapeTrade[] = [];
    const from = Math.max(0, after);
    replay.addColumns(columns, { from, to: Math.min(dayTrades, from + count), each: (trade) => trades.push(trade) });
    return { trades, dayTrades };
  }

  private tapeOf(symbol: ParsedSymbol): SymbolTape {
    let tape = this.symbols.get(symbol.symbol);
    if (!tape) {
      tape = { symbol, days: new Map(), listeners: new Set(), queue: undefined, loading: undefined, failure: undefined };
      this.symbols.set(symbol.symbol, tape);
      this.markIdle(tape);
    }
    return tape;
  }

  /** A symbol without followers stays loaded while among the most recently used idle ones. */
  private markIdle(tape: SymbolTape): void {
    const key = tape.symbol.symbol;
    this.idle.delete(key);
    this.idle.add(key);
    if (this.idle.size <= this.idleSymbols) return;
    for (const oldest of this.idle) {
      if (this.idle.size <= this.idleSymbols) break;
      const candidate = this.symbols.get(oldest);
      if (candidate?.loading) continue; // dropped on a later pass, once loaded
      this.idle.delete(oldest);
      if (candidate && candidate.listeners.size === 0) this.symbols.delete(oldest);
    }
  }

  /** The flow service's in-order stream: each trade of a tracked symbol moves its day on. */
  private told(trades: readonly StoredTrade[]): void {
    if (this.symbols.size === 0) return;
    const batches = new Map<SymbolTape, TapeBatch[]>();
    for (const trade of trades) {
      const tape = this.symbols.get(trade.symbol);
      if (!tape) continue;
      if (tape.queue) {
        tape.queue.push(trade);
        continue;
      }
      this.apply(tape, trade, batches);
    }
    this.emit(batches);
  }

  /** Applies a trade to its loaded day, or starts loading the day (the trade then waits in the queue). */
  private apply(tape: SymbolTape, trade: StoredTrade, batches: Map<SymbolTape, TapeBatch[]>): boolean {
    const day = tape.days.get(trade.date);
    if (!day) {
      tape.queue = [trade];
      this.load(tape, trade.date, trade.seq - 1);
      return false;
    }
    const added = day.add(trade);
    if (tape.listeners.size === 0) return true;
    let list = batches.get(tape);
    if (!list) batches.set(tape, (list = []));
    const last = list[list.length - 1];
    if (last && last.date === trade.date) (last.trades as TapeTrade[]).push(added);
    else list.push({ symbol: tape.symbol.symbol, date: trade.date, trades: [added] });
    return true;
  }

  /** Loads a day from the store up to `maxSeq`, then applies the queued trades in order. */
  private load(tape: SymbolTape, date: string, maxSeq: number): void {
    tape.failure = undefined;
    const run = (async () => {
      const schedule = calendarFor(tape.symbol.market).schedule(date);
      if (schedule) {
        const columns = await this.store.readDayColumns(tape.symbol.symbol, date, maxSeq);
        const day = new TapeDay(tape.symbol.symbol, schedule, this.keep);
        day.addColumns(columns);
        tape.days.set(date, day);
        this.trimDays(tape, date);
      }
    })();
    const loading: Promise<void> = run.then(
      () => {
        if (tape.loading === loading) this.drain(tape);
      },
      (error: unknown) => {
        this.log.error({ symbol: tape.symbol.symbol, date, err: error }, 'loading a tape day failed; its state is dropped and read again on next use');
        if (tape.loading !== loading) return;
        tape.loading = undefined;
        tape.queue = undefined;
        tape.failure = error;
        tape.days.clear();
      },
    );
    tape.loading = loading;
  }

  /** Applies the trades queued during a load; another unloaded day in the queue starts its own load. */
  private drain(tape: SymbolTape): void {
    const queue = tape.queue ?? [];
    tape.queue = undefined;
    tape.loading = undefined;
    const batches = new Map<SymbolTape, TapeBatch[]>();
    for (let i = 0; i < queue.length; i++) {
      const trade = queue[i]!;
      if (!tape.days.has(trade.date) && !calendarFor(tape.symbol.market).schedule(trade.date)) continue;
      if (!this.apply(tape, trade, batches)) {
        tape.queue!.push(...queue.slice(i + 1));
        break;
      }
    }
    this.emit(batches);
  }

  private trimDays(tape: SymbolTape, keepDate: string): void {
    while (tape.days.size > DAYS_PER_SYMBOL) {
      const oldest = [...tape.days.keys()].filter((date) => date !== keepDate).sort()[0];
      if (oldest === undefined) return;
      tape.days.delete(oldest);
    }
  }

  private emit(batches: Map<SymbolTape, TapeBatch[]>): void {
    for (const [tape, list] of batches) {
      for (const batch of list) {
        for (const listener of tape.listeners) {
          try {
            listener(batch);
          } catch (error) {
            this.log.error({ symbol: tape.symbol.symbol, err: error }, 'a trade tape listener failed');
          }
        }
      }
    }
  }
}
