import type { Units } from './exact-units.js';
import type { FlowState } from './flow-state.js';
import { TradeFields } from './trade-fields.js';

const INITIAL_CAPACITY = 32; // small: a quiet symbol-day stays small; busy ones double a few times
const PRICE = 0;
const BID = 1;
const ASK = 2;

/**
 * The processed trades of one symbol-day in arrival order, as compact columns (about 45 bytes a
 * trade). Kept so that a clock earlier than some trade's timestamp can rebuild the day exactly
 * as it stood then. Units beyond Number's safe range (never seen in practice) live in a side map.
 */
export class TradeLog {
  length = 0;
  private capacity = INITIAL_CAPACITY;
  private timestamps = new Float64Array(INITIAL_CAPACITY);
  private lineIndexes = new Int16Array(INITIAL_CAPACITY);
  private prices = new Float64Array(INITIAL_CAPACITY);
  private priceScales = new Uint8Array(INITIAL_CAPACITY);
  private volumes = new Float64Array(INITIAL_CAPACITY);
  private directions = new Int8Array(INITIAL_CAPACITY);
  /** Classification method code of each trade (MethodCode; 0 is Lee–Ready). */
  private methods = new Int8Array(INITIAL_CAPACITY);
  private bids = new Float64Array(INITIAL_CAPACITY);
  private bidScales = new Uint8Array(INITIAL_CAPACITY);
  private asks = new Float64Array(INITIAL_CAPACITY);
  private askScales = new Uint8Array(INITIAL_CAPACITY);
  private bigUnits: Map<number, bigint> | undefined;

  /** Appends a processed trade (its quotes valid or QUOTE_ABSENT) and the line it falls in (-1: none). */
  push(trade: TradeFields, lineIndex: number): void {
    if (this.length === this.capacity) this.grow();
    const row = this.length++;
    this.timestamps[row] = trade.timestampMs;
    this.lineIndexes[row] = lineIndex;
    this.prices[row] = this.store(row, PRICE, trade.priceUnits);
    this.priceScales[row] = trade.priceScale;
    this.volumes[row] = trade.volume;
    this.directions[row] = trade.direction;
    this.methods[row] = trade.method;
    this.bids[row] = this.store(row, BID, trade.bidUnits);
    this.bidScales[row] = trade.bidScale;
    this.asks[row] = this.store(row, ASK, trade.askUnits);
    this.askScales[row] = trade.askScale;
  }

  /**
   * Applies, in arrival order, every trade stamped at or before `nowMs` to `state`;
   * `graceStartMs` marks where the closing-auction window begins. `fromRow` lets a state that
   * already holds the first rows catch up with the rest.
   */
  replayInto(state: FlowState, nowMs: number, graceStartMs: number, fromRow = 0): void {
    const trade = new TradeFields(); // one record for the whole replay
    for (let row = fromRow; row < this.length; row++) {
      const timestamp = this.timestamps[row] as number;
      if (!(timestamp <= nowMs)) continue; // also skips everything for a NaN clock
      this.read(row, trade);
      const lineIndex = this.lineIndexes[row] as number;
      state.apply(trade, lineIndex, lineIndex >= 0 && timestamp >= graceStartMs);
    }
  }

  /** Row `row` into `into` (no id: the log keeps none). */
  private read(row: number, into: TradeFields): void {
    into.timestampMs = this.timestamps[row] as number;
    into.priceUnits = this.load(row, PRICE, this.prices[row] as number);
    into.priceScale = this.priceScales[row] as number;
    into.volume = this.volumes[row] as number;
    into.direction = this.directions[row] as number;
    into.method = this.methods[row] as number;
    into.bidUnits = this.load(row, BID, this.bids[row] as number);
    into.bidScale = this.bidScales[row] as number;
    into.askUnits = this.load(row, ASK, this.asks[row] as number);
    into.askScale = this.askScales[row] as number;
  }

  private store(row: number, field: number, units: Units): number {
    if (typeof units === 'number') return units;
    this.bigUnits ??= new Map();
    this.bigUnits.set(row * 3 + field, units);
    return Number.NaN;
  }

  private load(row: number, field: number, stored: number): Units {
    if (stored === stored) return stored; // not NaN
    return this.bigUnits?.get(row * 3 + field) ?? stored;
  }

  private grow(): void {
    this.capacity *= 2;
    const grown = <T extends Float64Array | Int16Array | Uint8Array | Int8Array>(old: T, make: (n: number) => T): T => {
      const next = make(this.capacity);
      next.set(old);
      return next;
    };
    this.timestamps = grown(this.timestamps, (n) => new Float64Array(n));
    this.lineIndexes = grown(this.lineIndexes, (n) => new Int16Array(n));
    this.prices = grown(this.prices, (n) => new Float64Array(n));
    this.priceScales = grown(this.priceScales, (n) => new Uint8Array(n));
    this.volumes = grown(this.volumes, (n) => new Float64Array(n));
    this.directions = grown(this.directions, (n) => new Int8Array(n));
    this.methods = grown(this.methods, (n) => new Int8Array(n));
    this.bids = grown(this.bids, (n) => new Float64Array(n));
    this.bidScales = grown(this.bidScales, (n) => new Uint8Array(n));
    this.asks = grown(this.asks, (n) => new Float64Array(n));
    this.askScales = grown(this.askScales, (n) => new Uint8Array(n));
  }
}
