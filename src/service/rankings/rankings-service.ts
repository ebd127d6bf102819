import { performance } from 'node:perf_hooks';
import { calendarFor } from '../../calendar/trading-calendar.js';
import type { DayFlow } from '../../engine/day-flow.js';
import { dateToDayNumber } from '../../calendar/time-zone.js';
import { silentLogger, type Logger } from '../../logging/logger.js';
import { invalidRequest, unknownSector } from '../../model/errors.js';
import type { Market } from '../../model/market.js';
import type { FlowStore, StoredTrade } from '../../store/flow-store.js';
import type { FlowService } from '../flow-service.js';
import type { TierConventionName, TierFlows } from '../tier-flows.js';
import { DayFigures } from './day-figures.js';
import { addFigures, measureKey, thousandths, thousandthsText, ZERO_FIGURES, type FlowFigures, type RankMeasure } from './flow-figures.js';
import { compareBytes, RankedList } from './ranked-list.js';
import { SecurityDirectory } from './security-directory.js';
import { SymbolTable } from './symbol-table.js';
import { tradingWindow } from './trading-window.js';

export interface RankingRequest {
  readonly market: Market;
  /** Last day of the window; default the market's served day. */
  readonly date?: string | undefined;
  /** Trading days in the window, ending at `date`. */
  readonly days: number;
  readonly measure: RankMeasure;
  readonly order: 'desc' | 'asc';
  readonly offset: number;
  readonly limit: number;
  /** Only the members of this sector (exactly as written). */
  readonly sector?: string | undefined;
}

export interface RankedSymbol {
  readonly rank: number;
  readonly symbol: string;
  readonly name?: string;
  readonly sector?: string;
  readonly value: string;
  readonly inflow: string;
  readonly outflow: string;
}

export interface RankingAnswer {
  readonly market: Market;
  readonly date: string;
  readonly days: number;
  /** The trading days of the window, oldest first. */
  readonly dates: string[];
  readonly by: RankMeasure['by'];
  readonly convention?: TierConventionName;
  /** Symbols ranked (those with trades in the window). */
  readonly total: number;
  readonly items: RankedSymbol[];
}

export interface RankedSector {
  readonly rank: number;
  readonly sector: string;
  readonly value: string;
  readonly inflow: string;
  readonly outflow: string;
  /** Members with trades in the window (their values make up the sector's). */
  readonly members: number;
}

export interface SectorRankingAnswer {
  readonly market: Market;
  readonly date: string;
  readonly days: number;
  readonly dates: string[];
  readonly by: RankMeasure['by'];
  readonly convention?: TierConventionName;
  readonly total: number;
  readonly items: RankedSector[];
}

export interface SectorLinesAnswer {
  readonly sector: string;
  readonly market: Market;
  readonly date: string;
  readonly members: string[];
  readonly lines: { timestamp: number; inflow: string }[];
}

export interface RankingsServiceOptions {
  readonly flows: FlowService;
  readonly store: FlowStore;
  readonly tierFlows: TierFlows;
  readonly directory?: SecurityDirectory;
  /** Where failed background refreshes are reported (default silent). */
  readonly logger?: Logger;
}

/** Shortest time between two refreshes of a board that arriving trades trigger (ms). */
const REFRESH_SPACING_MS = 100;
/** Boards kept (market × window × measure × end date); the least recently used goes first. */
const BOARDS_KEPT = 48;

/** A running day's figures of one measure, valid while its trade count and the clock's now are unchanged. */
interface LiveMemo {
  readonly trades: number;
  readonly now: number;
  readonly figures: FlowFigures;
}

/** One symbol on a board: the window's days before the last, the last day, and their sum. */
interface BoardEntry {
  /** The running day's state the last figures came from (kept current by the flow service). */
  day?: DayFlow | undefined;
  earlier: FlowFigures;
  last: FlowFigures;
  /** The ranked value: earlier.value + last.value (the inflow and outflow behind it are added when shown: `totalOf`). */
  value: bigint;
}

/** A board entry's figures over the whole window. */
function totalOf(entry: BoardEntry): FlowFigures {
  return entry.earlier === ZERO_FIGURES ? entry.last : addFigures(entry.earlier, entry.last);
}

/**
 * A ranking kept current: every symbol of a market with trades in a window of trading days, by
 * one measure. New trades mark their symbols; a refresh recomputes only those (from the loaded
 * day state when the measure allows, so it costs no store read) and moves them in the ordered
 * list, so answering a page never sorts the market.
 */
class Board {
  /** Entries by symbol number (SymbolTable). */
  readonly entries: Array<BoardEntry | undefined> = [];
  readonly list = new RankedList();
  /** Symbols (numbers) whose last day changed since the last refresh: listed once while flagged. */
  private readonly lastMarks = new Marks();
  /** Symbols with a change on an earlier day of the window (a late trade). */
  private readonly earlierMarks = new Marks();
  /** Symbols whose day holds trades stamped after the clock's now (their figures move with it). */
  readonly ahead = new Set<number>();
  ready: Promise<void> | undefined;
  private running: Promise<void> = Promise.resolve();
  refreshScheduled = false;
  /** When the last refresh ran (performance.now()), for spacing the ones trades trigger. */
  refreshedAt = 0;

  constructor(
    readonly market: Market,
    readonly dates: readonly string[],
    readonly measure: RankMeasure,
  ) {}

  get lastDate(): string {
    return this.dates[this.dates.length - 1]!;
  }

  markLast(id: number): void {
    this.lastMarks.mark(id);
  }

  markEarlier(id: number): void {
    this.earlierMarks.mark(id);
  }

  /** The symbols marked for their earlier days, unmarked (for both: their whole window is recomputed). */
  takeEarlier(): number[] {
    const ids = this.earlierMarks.take();
    for (const id of ids) this.lastMarks.unmark(id);
    return ids;
  }

  takeLast(): number[] {
    return this.lastMarks.take();
  }

  /** Runs refreshes one at a time. */
  serial(task: () => Promise<void>): Promise<void> {
    const run = this.running.then(task, task);
    this.running = run.catch(() => undefined);
    return run;
  }
}

/** Numbers marked, each listed once while flagged (no set rebuilt on every refresh). */
class Marks {
  private flags = new Uint8Array(1024);
  private list: number[] = [];

  mark(id: number): void {
    if (id >= this.flags.length) {
      const grown = new Uint8Array(Math.max(id + 1, this.flags.length * 2));
      grown.set(this.flags);
      this.flags = grown;
    }
    if (this.flags[id] === 1) return;
    this.flags[id] = 1;
    this.list.push(id);
  }

  unmark(id: number): void {
    if (id < this.flags.length) this.flags[id] = 0;
  }

  /** The marked numbers, in marking order; none are marked afterwards. */
  take(): number[] {
    const taken: number[] = [];
    for (const id of this.list) {
      // Unmarked since it was listed (or listed again after an unmark): taken once.
      if (this.flags[id] !== 1) continue;
      this.flags[id] = 0;
      taken.push(id);
    }
    this.list = [];
    return taken;
  }
}

/**
 * Rankings of a market's symbols (and sectors) by net inflow or main-force net over 1–10
 * trading days, each value the exact sum of the symbol's `/daily` values in the window.
 */
export class RankingsService {
  private readonly flows: FlowService;
  private readonly store: FlowStore;
  private readonly figures: DayFigures;
  readonly directory: SecurityDirectory;
  private readonly log: Logger;
  private readonly symbols = new SymbolTable();
  private index: Promise<void> | undefined;
  private counting = false;
  private readonly boards = new Map<string, Board>();
  /** The running day's figures per measure and day state, valid while its trade count and the clock's now are unchanged. */
  private readonly liveFigures = new Map<string, WeakMap<DayFlow, LiveMemo>>();
  private readonly detach: () => void;

  constructor(options: RankingsServiceOptions) {
    this.flows = options.flows;
    this.store = options.store;
    this.figures = new DayFigures(options.flows, options.tierFlows);
    this.directory = options.directory ?? new SecurityDirectory();
    this.log = options.logger ?? silentLogger();
    this.detach = this.flows.onTrades((trades) => this.onTrades(trades));
  }

  close(): void {
    this.detach();
  }

  /** The last day of a window: `date` if given (a trading day, not after the served day), else the served day. */
  endDate(market: Market, date: string | undefined): string {
    const served = this.flows.servedSchedule(market).date;
    if (date === undefined) return served;
    try {
      dateToDayNumber(date);
    } catch {
      throw invalidRequest(`date must be YYYY-MM-DD, got ${JSON.stringify(date)}`);
    }
    if (date > served) throw invalidRequest(`${date} is after the current ${market} trading day (${served})`);
    if (!calendarFor(market).schedule(date)) throw invalidRequest(`${date} is not a ${market} trading day (weekend or holiday)`);
    return date;
  }

  async rankings(request: RankingRequest): Promise<RankingAnswer> {
    const board = await this.board(request);
    let keys: string[];
    let total: number;
    if (request.sector === undefined) {
      keys = board.list.page(request.offset, request.limit, request.order);
      total = board.list.size;
    } else {
      const members = new Set(this.directory.membersOf(request.market, request.sector));
      const ranked = board.list.page(0, board.list.size, request.order).filter((symbol) => members.has(symbol));
      keys = ranked.slice(request.offset, request.offset + request.limit);
      total = ranked.length;
    }
    return {
      ...this.header(board),
      total,
      items: keys.map((symbol, index) => {
        const total = totalOf(board.entries[this.symbols.find(symbol)!]!);
        const info = this.directory.infoOf(symbol);
        return {
          rank: request.offset + index + 1,
          symbol,
          ...(info?.name === undefined ? {} : { name: info.name }),
          ...(info?.sector === undefined ? {} : { sector: info.sector }),
          value: thousandthsText(total.value),
          inflow: thousandthsText(total.inflow),
          outflow: thousandthsText(total.outflow),
        };
      }),
    };
  }

  /** Sectors ranked by the sum of their ranked members' values; sectors without such members are left out. */
  async sectors(request: RankingRequest): Promise<SectorRankingAnswer> {
    const board = await this.board(request);
    const sums = new Map<string, { figures: FlowFigures; members: number }>();
    for (const [id, entry] of board.entries.entries()) {
      const symbol = this.symbols.names[id]!;
      if (entry === undefined || !board.list.has(symbol)) continue;
      const sector = this.directory.infoOf(symbol)?.sector;
      if (sector === undefined) continue;
      const sum = sums.get(sector) ?? { figures: ZERO_FIGURES, members: 0 };
      sums.set(sector, { figures: addFigures(sum.figures, totalOf(entry)), members: sum.members + 1 });
    }
    const ranked = new RankedList();
    ranked.setMany(new Map([...sums].map(([sector, sum]) => [sector, sum.figures.value])));
    const page = ranked.page(request.offset, request.limit, request.order);
    return {
      ...this.header(board),
      total: ranked.size,
      items: page.map((sector, index) => {
        const sum = sums.get(sector)!;
        return {
          rank: request.offset + index + 1,
          sector,
          value: thousandthsText(sum.figures.value),
          inflow: thousandthsText(sum.figures.inflow),
          outflow: thousandthsText(sum.figures.outflow),
          members: sum.members,
        };
      }),
    };
  }

  /** A sector's per-minute cumulative lines on a day: its members' lines added minute by minute. */
  async sectorLines(market: Market, sector: string, dateText: string | undefined): Promise<SectorLinesAnswer> {
    const date = this.endDate(market, dateText);
    const members = [...this.directory.membersOf(market, sector)].sort(compareBytes);
    if (members.length === 0) throw unknownSector(sector, market);
    await this.ensureIndex();
    const schedule = calendarFor(market).schedule(date)!;
    const now = this.flows.now(market);
    const visible = schedule.visibleLineCount(now);
    const sums = new Array<bigint>(visible).fill(0n);
    const served = this.flows.servedSchedule(market).date;
    for (const symbol of members) {
      if (this.symbols.tradesOn(symbol, date) === 0) continue;
      const parsed = this.symbols.parsed[this.symbols.numberOf(symbol)]!;
      // As the intraday endpoint: a trimmed past day answers from its archived lines.
      const archived = date < served ? await this.flows.archivedDay(symbol, date) : undefined;
      const lines = archived ? archived.lines : (await this.flows.dayFlow(parsed, date)).lines(now);
      let last = 0n;
      for (let index = 0; index < visible; index++) {
        const line = lines[index];
        if (line) last = thousandths(line.inflow);
        sums[index] = sums[index]! + last;
      }
    }
    return {
      sector,
      market,
      date,
      members,
      lines: sums.map((sum, index) => ({ timestamp: schedule.lineStartMs[index]! / 1000, inflow: thousandthsText(sum) })),
    };
  }

  private header(board: Board): Pick<RankingAnswer, 'market' | 'date' | 'days' | 'dates' | 'by' | 'convention'> {
    return {
      market: board.market,
      date: board.lastDate,
      days: board.dates.length,
      dates: [...board.dates],
      by: board.measure.by,
      ...(board.measure.by === 'main_force' ? { convention: board.measure.convention.name } : {}),
    };
  }

  /** The board of a request, built on first use and brought up to date. */
  private async board(request: RankingRequest): Promise<Board> {
    const end = this.endDate(request.market, request.date);
    await this.ensureIndex();
    const key = `${request.market} ${end} ${request.days} ${measureKey(request.measure)}`;
    let board = this.boards.get(key);
    if (board) {
      this.boards.delete(key);
      this.boards.set(key, board);
    } else {
      board = new Board(request.market, tradingWindow(request.market, end, request.days), request.measure);
      this.boards.set(key, board);
      if (this.boards.size > BOARDS_KEPT) this.boards.delete(this.boards.keys().next().value as string);
      const built = board;
      built.ready = built.serial(() => this.build(built));
      built.ready.catch(() => this.boards.get(key) === built && this.boards.delete(key));
    }
    await board.ready;
    await board.serial(() => this.refresh(board));
    return board;
  }

  /** Reads every symbol's stored days once; from then on arriving trades are counted. */
  private ensureIndex(): Promise<void> {
    this.index ??= (async () => {
      this.counting = true;
      for (const symbol of await this.store.symbols()) {
        // Counted from here on while the read runs, then added to what it read: a trade may be
        // counted twice (harmless: counts only tell traded days and when to recompute), never missed.
        const days = new Map<string, number>();
        this.symbols.days[this.symbols.numberOf(symbol)] = days;
        for (const day of await this.store.daysOf(symbol)) days.set(day.date, (days.get(day.date) ?? 0) + day.trades);
      }
    })();
    this.index.catch(() => {
      this.index = undefined;
      this.counting = false;
    });
    return this.index;
  }

  private onTrades(trades: readonly StoredTrade[]): void {
    if (!this.counting) return;
    const table = this.symbols;
    let symbol = '';
    let id = -1;
    let days: Map<string, number> | undefined;
    let lastDate = '';
    // Each (symbol, date) touched, in parallel arrays (no object per trade); runs of one symbol-day once.
    const ids: number[] = [];
    const dates: string[] = [];
    for (const trade of trades) {
      if (trade.symbol !== symbol) {
        symbol = trade.symbol;
        id = table.numberOf(symbol);
        days = table.days[id]!;
        lastDate = '';
      }
      const date = trade.date;
      days!.set(date, (days!.get(date) ?? 0) + 1);
      if (date === lastDate) continue;
      lastDate = date;
      ids.push(id);
      dates.push(date);
    }
    if (this.boards.size === 0) return;
    for (const board of this.boards.values()) {
      let marked = false;
      const boardDate = board.lastDate;
      for (let index = 0; index < ids.length; index++) {
        const one = ids[index]!;
        if (table.markets[one] !== board.market) continue;
        const date = dates[index]!;
        if (date === boardDate) board.markLast(one);
        else if (board.dates.includes(date)) board.markEarlier(one);
        else continue;
        marked = true;
      }
      // Measures the loaded day states answer are kept current as trades arrive, off the request path.
      if (marked && DayFigures.isLive(board.measure) && !board.refreshScheduled) {
        board.refreshScheduled = true;
        // At most one refresh per board every REFRESH_SPACING_MS while trades pour in; a request refreshes at once.
        const delay = Math.max(0, board.refreshedAt + REFRESH_SPACING_MS - performance.now());
        setTimeout(() => {
          board.refreshScheduled = false;
          if (board.ready) void board.ready.then(() => board.serial(() => this.refresh(board))).catch((error: unknown) => this.log.error({ market: board.market, measure: measureKey(board.measure), date: board.lastDate, err: error }, 'ranking refresh failed'));
        }, delay).unref();
      }
    }
  }

  /** Builds a board: every symbol of the market with trades in the window. */
  private async build(board: Board): Promise<void> {
    const dates = new Set(board.dates);
    const table = this.symbols;
    for (let id = 0; id < table.size; id++) {
      if (table.markets[id] !== board.market) continue;
      for (const date of table.days[id]!.keys()) {
        if (dates.has(date)) {
          board.markEarlier(id);
          break;
        }
      }
    }
    await this.refresh(board);
  }

  /** Recomputes the marked symbols of a board and moves them in its order. */
  private async refresh(board: Board): Promise<void> {
    const served = this.flows.servedSchedule(board.market).date;
    const now = this.flows.now(board.market);
    for (const id of board.ahead) board.markLast(id);
    board.ahead.clear();
    const changes = new Map<string, bigint>();
    const removed: string[] = [];
    for (const id of board.takeEarlier()) {
      const entry = await this.computeEntry(board, id, served, now, true);
      this.place(board, id, entry, changes, removed);
    }
    const live = board.lastDate === served && DayFigures.isLive(board.measure);
    const memos = live ? this.liveMemos(board.measure) : undefined;
    const names = this.symbols.names;
    for (const id of board.takeLast()) {
      const previous = board.entries[id];
      const held = memos && previous ? (previous.day ?? this.flows.loadedDay(names[id]!, board.lastDate)) : undefined;
      // A day state without its log shows no view before its latest trade: then the flow service rebuilds it.
      const day = held && (held.hasLog || held.latestTimestampMs <= now) ? held : undefined;
      if (day && previous) {
        // The usual case while trades arrive: a loaded running day, figures from its own sums, no await.
        if (this.updateLive(board, id, day, now, previous, memos!)) changes.set(names[id]!, previous.value);
        continue;
      }
      this.place(board, id, await this.computeEntry(board, id, served, now, previous === undefined, previous), changes, removed);
    }
    for (const symbol of removed) board.list.delete(symbol);
    board.list.setMany(changes);
    board.refreshedAt = performance.now();
  }

  /** The running day's figures of a measure per day state (shared by every board of the measure). */
  private liveMemos(measure: RankMeasure): WeakMap<DayFlow, LiveMemo> {
    const key = measureKey(measure);
    let memos = this.liveFigures.get(key);
    if (!memos) this.liveFigures.set(key, (memos = new WeakMap()));
    return memos;
  }

  /**
   * Brings a symbol's entry up to date from its loaded running day, in place (no new entry per
   * arriving trade); false when its figures are the ones it already has.
   */
  private updateLive(board: Board, id: number, day: DayFlow, now: number, entry: BoardEntry, memos: WeakMap<DayFlow, LiveMemo>): boolean {
    let memo = memos.get(day);
    if (!memo || memo.trades !== day.tradeCount || memo.now !== now) {
      memo = { trades: day.tradeCount, now, figures: this.figures.fromDay(day, now, board.measure) };
      memos.set(day, memo);
    }
    if (day.latestTimestampMs > now) board.ahead.add(id);
    entry.day = day;
    if (entry.last === memo.figures) return false;
    entry.last = memo.figures;
    // One BigInt addition per update (none over a single day); the inflow and outflow only when shown.
    entry.value = entry.earlier === ZERO_FIGURES ? memo.figures.value : entry.earlier.value + memo.figures.value;
    return true;
  }

  private place(board: Board, id: number, entry: BoardEntry | undefined, changes: Map<string, bigint>, removed: string[]): void {
    const symbol = this.symbols.names[id]!;
    board.entries[id] = entry;
    if (entry) {
      changes.set(symbol, entry.value);
    } else {
      changes.delete(symbol);
      removed.push(symbol);
    }
  }

  /** A symbol's figures over the window; undefined when it has no trades in the window. */
  private async computeEntry(board: Board, id: number, served: string, now: number, withEarlier: boolean, previous?: BoardEntry): Promise<BoardEntry | undefined> {
    const parsed = this.symbols.parsed[id];
    if (!parsed) return undefined;
    const symbol = this.symbols.names[id]!;
    const days = this.symbols.days[id]!;
    const tradesOn = (date: string): number => days.get(date) ?? 0;
    if (!board.dates.some((date) => tradesOn(date) > 0)) return undefined;
    let earlier = previous?.earlier ?? ZERO_FIGURES;
    if (withEarlier) {
      earlier = ZERO_FIGURES;
      for (const date of board.dates.slice(0, -1)) earlier = addFigures(earlier, await this.figures.figures(parsed, date, board.measure, tradesOn(date), served));
    }
    const lastDate = board.lastDate;
    let last: FlowFigures;
    const trades = tradesOn(lastDate);
    if (trades > 0 && lastDate === served && DayFigures.isLive(board.measure)) {
      // The running day: from its loaded state (kept current by the flow service), no store read.
      const day = this.flows.loadedDay(symbol, lastDate) ?? (await this.flows.dayFlow(parsed, lastDate));
      last = this.figures.fromDay(day, now, board.measure);
      if (day.latestTimestampMs > now) board.ahead.add(id);
      return { day, earlier, last, value: earlier.value + last.value };
    }
    last = await this.figures.figures(parsed, lastDate, board.measure, trades, served);
    return { earlier, last, value: earlier.value + last.value };
  }
}
