import type { DaySchedule } from '../calendar/day-schedule.js';
import { tradeSessionAt } from '../calendar/trade-session.js';
import type { TradeSession } from '../calendar/session-rules.js';
import { TradeFields, TradeSides } from '../engine/index.js';
import { decimalToString } from '../model/decimal.js';
import type { Direction } from '../model/trade.js';
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

/**
 * The trades of one symbol-day in acceptance order: how many there are, the side of each (fed
 * through the engine's rules in that order) and the latest `keep` of them. Trades must be added
 * in seq order, each once.
 */
export class TapeDay {
  private readonly sides: TradeSides;
  /** The record each trade is read into before its side is found. */
  private readonly fields = new TradeFields();
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
    const direction = this.sides.next(this.fields.setTrade(trade));
    return this.push(trade.seq, trade.timestamp, decimalToString(trade.price), trade.volume, trade.tradeType ?? '', direction);
  }

  /**
   * Adds rows `[0, columns.count)` of the day's stored columns (a fresh day's history, in seq
   * order) and keeps the latest; `visit.each` gets rows `[visit.from, visit.to)` as tape trades.
   */
  addColumns(columns: TradeColumns, visit?: { from: number; to: number; each: (trade: TapeTrade) => void }): void {
    const keepFrom = Math.min(columns.count - this.keep, visit ? visit.from : Number.POSITIVE_INFINITY);
    const fields = this.fields;
    for (let row = 0; row < columns.count; row++) {
      const direction = this.sides.next(columns.read(row, fields));
      const seq = columns.seq[row] as number;
      if (row < keepFrom) {
        // Older than the kept window: only counted (no object per trade).
        this.trades++;
        this.seq = seq;
        continue;
      }
      const price = decimalToString({ units: BigInt(fields.priceUnits), scale: fields.priceScale });
      const trade = this.push(seq, fields.timestampMs, price, fields.volume, fields.tradeType ?? '', direction);
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
