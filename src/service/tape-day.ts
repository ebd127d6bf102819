import type { DaySchedule } from '../calendar/day-schedule.js';
import { tradeSessionAt } from '../calendar/trade-session.js';
import type { TradeSession } from '../calendar/session-rules.js';
import { DIRECTION_NOT_GIVEN, MethodCode, methodCodeOf, QUOTE_ABSENT, TradeSides } from '../engine/index.js';
import { compactUnits } from '../engine/exact-units.js';
import { decimalToString } from '../model/decimal.js';
import { CLASSIFICATION_METHODS, type Direction } from '../model/trade.js';
import type { StoredTrade } from '../store/flow-store.js';
import type { TradeColumns } from '../store/trade-columns.js';

/** One accepted trade as the trade tape shows it (what command 17 and push 104 carry). */
export interface TapeTrade {
  /** Position in the symbol-day's acceptance order, from 1 (durable: the store's order). */
  readonly sequence: number;
  readonly timestampMs: number;
  /** The exact decimal text accepted. */
  readonly price: string;
  readonly volume: number;
  /** The feed's trade type code, '' when none. */
  readonly tradeType: string;
  /** 0 neutral, 1 down (seller-initiated), 2 up (buyer-initiated): the side the lines count it on. */
  readonly direction: Direction;
  readonly session: TradeSession;
}

/** Engine method code per stored classification index (+1: index -1, none, is Lee–Ready). */
const METHOD_CODES = [MethodCode.LeeReady, ...CLASSIFICATION_METHODS.map((method) => methodCodeOf(method))];

/**
 * The trades of one symbol-day in acceptance order: how many there are, the side of each (fed
 * through the engine's rules in that order) and the latest `keep` of them. Trades must be added
 * in seq order, each once.
 */
export class TapeDay {
  private readonly sides: TradeSides;
  /** Ring of the latest trades: `recent[(start + i) % keep]`, i < size. */
  private readonly recent: TapeTrade[] = [];
  private start = 0;
  private trades = 0;
  private seq = 0;

  constructor(
    readonly symbol: string,
    readonly schedule: DaySchedule,
    private readonly keep: number,
  ) {
    this.sides = new TradeSides(schedule);
  }

  get date(): string {
    return this.schedule.date;
  }

  /** Trades of the day so far (the sequence of the latest). */
  get count(): number {
    return this.trades;
  }

  /** Store seq of the latest trade added (0 when none). */
  get lastSeq(): number {
    return this.seq;
  }

  /** Adds the day's next stored trade; returns it as the tape shows it. */
  add(trade: StoredTrade): TapeTrade {
    const { bid, ask } = trade;
    const direction = this.sides.next(
      trade.timestamp,
      compactUnits(trade.price.units),
      trade.price.scale,
      trade.direction ?? DIRECTION_NOT_GIVEN,
      bid ? compactUnits(bid.units) : QUOTE_ABSENT,
      bid ? bid.scale : 0,
      ask ? compactUnits(ask.units) : QUOTE_ABSENT,
      ask ? ask.scale : 0,
      methodCodeOf(trade.classification),
      trade.tradeType,
    );
    return this.push(trade.seq, trade.timestamp, decimalToString(trade.price), trade.volume, trade.tradeType ?? '', direction);
  }

  /**
   * Adds rows `[0, columns.count)` of the day's stored columns (a fresh day's history, in seq
   * order) and keeps the latest; `visit.each` gets rows `[visit.from, visit.to)` as tape trades.
   */
  addColumns(columns: TradeColumns, visit?: { from: number; to: number; each: (trade: TapeTrade) => void }): void {
    const keepFrom = Math.min(columns.count - this.keep, visit ? visit.from : Number.POSITIVE_INFINITY);
    for (let row = 0; row < columns.count; row++) {
      const exact = columns.exact.get(row);
      const tradeType = columns.tradeType.get(row);
      const direction = exact
        ? this.sides.next(
            columns.timestamp[row] as number,
            compactUnits(exact.price.units),
            exact.price.scale,
            columns.direction[row] as number,
            exact.bid ? compactUnits(exact.bid.units) : QUOTE_ABSENT,
            exact.bid ? exact.bid.scale : 0,
            exact.ask ? compactUnits(exact.ask.units) : QUOTE_ABSENT,
            exact.ask ? exact.ask.scale : 0,
            METHOD_CODES[(columns.method[row] as number) + 1] as number,
            tradeType,
          )
        : this.sides.next(
            columns.timestamp[row] as number,
            columns.priceUnits[row] as number,
            columns.priceScale[row] as number,
            columns.direction[row] as number,
            columns.bidUnits[row] as number,
            columns.bidScale[row] as number,
            columns.askUnits[row] as number,
            columns.askScale[row] as number,
            METHOD_CODES[(columns.method[row] as number) + 1] as number,
            tradeType,
          );
      const seq = columns.seq[row] as number;
      if (row < keepFrom) {
        // Older than the kept window: only counted (no object per trade).
        this.trades++;
        this.seq = seq;
        continue;
      }
      const price = exact ? decimalToString(exact.price) : decimalToString({ units: BigInt(columns.priceUnits[row] as number), scale: columns.priceScale[row] as number });
      const trade = this.push(seq, columns.timestamp[row] as number, price, columns.volume[row] as number, tradeType ?? '', direction);
      if (visit && row >= visit.from && row < visit.to) visit.each(trade);
    }
  }

  /** The latest `count` trades (or fewer), oldest first. */
  latest(count: number): TapeTrade[] {
    const size = this.recent.length;
    const n = Math.max(0, Math.min(count, size));
    const out: TapeTrade[] = new Array(n);
    for (let i = 0; i < n; i++) out[i] = this.recent[(this.start + size - n + i) % size] as TapeTrade;
    return out;
  }

  /** Trades with a sequence above `after`, at most `count`, when the kept window still holds them all. */
  keptAfter(after: number, count: number): TapeTrade[] | undefined {
    const oldestKept = this.trades - this.recent.length + 1;
    if (after + 1 < oldestKept) return undefined;
    const skip = after + 1 - oldestKept;
    return this.latest(this.recent.length - skip).slice(0, Math.max(0, count));
  }

  private push(seq: number, timestampMs: number, price: string, volume: number, tradeType: string, direction: Direction): TapeTrade {
    this.trades++;
    this.seq = seq;
    const trade: TapeTrade = {
      sequence: this.trades,
      timestampMs,
      price,
      volume,
      tradeType,
      direction,
      session: tradeSessionAt(this.schedule, timestampMs),
    };
    if (this.recent.length < this.keep) this.recent.push(trade);
    else {
      this.recent[this.start] = trade;
      this.start = (this.start + 1) % this.keep;
    }
    return trade;
  }
}
