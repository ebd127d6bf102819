import { Direction } from '../model/trade.js';
import { classifyTrade } from './classification/classify.js';
import { ExactSums } from './exact-sums.js';
import { compareScaled, multiplyUnits, negateUnits, scaleUp, type Units } from './exact-units.js';
import type { TierClassifier } from './tier-thresholds.js';
import { DIRECTION_NOT_GIVEN, type TradeFields } from './trade-fields.js';

export { DIRECTION_NOT_GIVEN, QUOTE_ABSENT } from './trade-fields.js';

/** Called with each trade counted up or down: its line, the side it was counted on, and the trade (valid during the call only). */
export type CountedTradeObserver = (lineIndex: number, direction: Direction, trade: TradeFields) => void;

/** The tick rule's memory of a symbol-day: the previous trade's price and the sign of the last price change. */
export interface TickState {
  hasPrevious: boolean;
  previousUnits: Units;
  previousScale: number;
  lastChange: Direction;
}

/** Slots of the distribution sums: inflow large/medium/small, then outflow large/medium/small. */
export const TIER_SLOTS = 6;
const OUTFLOW_SLOT_OFFSET = 3;

/**
 * The running result of one symbol-day over the trades applied so far, in the order applied:
 * the tick-rule state, per-line net inflow (deltas, not yet cumulative) and per-tier inflow and
 * outflow. All sums are exact integers at `scale`, the largest price scale of a counted trade;
 * when a finer price arrives every sum is rescaled, so mixed scales (579.4 and 579.51) add exactly.
 */
export class FlowState {
  scale = 0;
  readonly lineNet: ExactSums;
  readonly tierSums = new ExactSums(TIER_SLOTS);
  /** Latest timestamp (ms) of a trade counted in a line (neutral ones included); NaN when none. */
  lastCountedMs = Number.NaN;
  /** Lowest line index whose value changed since `markClean` (lineCount when none did). */
  dirtyFrom = 0;
  /**
   * Per-line inflow and outflow by tier (slot `line * TIER_SLOTS + tier slot`), kept only by
   * detail states: the state behind `lines()` leaves it undefined so the hot path stays lean.
   */
  readonly lineTierSums: ExactSums | undefined;

  /** Sees every trade counted as up or down (for views such as size-tier conventions); unset on the hot path. */
  observer: CountedTradeObserver | undefined;

  private hasPrevious = false;
  private previousUnits: Units = 0;
  private previousScale = 0;
  /** Direction of the last price change of the day (Neutral until the price first moves). */
  private lastChange: Direction = Direction.Neutral;

  constructor(
    private readonly lineCount: number,
    private readonly tiers: TierClassifier,
    withLineTiers = false,
  ) {
    this.lineNet = new ExactSums(lineCount);
    this.lineTierSums = withLineTiers ? new ExactSums(lineCount * TIER_SLOTS) : undefined;
  }

  /**
   * Takes over a state kept elsewhere in Numbers (NumberDayFlow): the common scale, per-line net
   * sums, tier sums, last counted instant and tick state. Only for a fresh state without
   * per-line tier sums; every line is marked changed.
   */
  restore(scale: number, lineNet: Float64Array, tierSums: Float64Array, lastCountedMs: number, tick: Readonly<TickState>): void {
    this.restoreScalars(scale, lastCountedMs, tick);
    this.lineNet.setNumbers(lineNet);
    this.tierSums.setNumbers(tierSums);
  }

  /** The tick rule's memory (for a snapshot). */
  tickState(): TickState {
    return { hasPrevious: this.hasPrevious, previousUnits: this.previousUnits, previousScale: this.previousScale, lastChange: this.lastChange };
  }

  /** Takes over a snapshot's scale, last counted instant and tick state (sums are set slot by slot). */
  restoreScalars(scale: number, lastCountedMs: number, tick: Readonly<TickState>): void {
    if (this.lineTierSums) throw new Error('unreachable: a detail state is never restored');
    this.scale = scale;
    this.lastCountedMs = lastCountedMs;
    this.hasPrevious = tick.hasPrevious;
    this.previousUnits = tick.previousUnits;
    this.previousScale = tick.previousScale;
    this.lastChange = tick.lastChange;
    this.dirtyFrom = 0;
  }

  markClean(): void {
    this.dirtyFrom = this.lineCount;
  }

  /**
   * Applies one processed trade. `lineIndex` is -1 for a trade in no line (it only feeds the
   * tick rule); `inGrace` marks the closing-auction window, where a trade without a direction is
   * neutral. Its quotes are valid or QUOTE_ABSENT; its `method` classifies it when it has no direction.
   */
  apply(trade: TradeFields, lineIndex: number, inGrace: boolean): void {
    const price = trade.priceUnits;
    const priceScale = trade.priceScale;
    const tick = this.hasPrevious ? compareScaled(price, priceScale, this.previousUnits, this.previousScale) : 0;
    if (lineIndex >= 0) {
      let direction = trade.direction;
      if (direction === DIRECTION_NOT_GIVEN) {
        direction = inGrace ? Direction.Neutral : classifyTrade(trade, tick, this.lastChange);
      }
      if (direction === Direction.Up || direction === Direction.Down) {
        this.count(lineIndex, direction, trade);
      }
      const timestampMs = trade.timestampMs;
      if (!(timestampMs <= this.lastCountedMs)) this.lastCountedMs = timestampMs;
    }
    if (tick !== 0) this.lastChange = tick > 0 ? Direction.Up : Direction.Down;
    this.hasPrevious = true;
    this.previousUnits = price;
    this.previousScale = priceScale;
  }

  private count(lineIndex: number, direction: Direction, trade: TradeFields): void {
    const priceScale = trade.priceScale;
    if (priceScale > this.scale) {
      const digits = priceScale - this.scale;
      this.lineNet.scaleBy(digits);
      this.tierSums.scaleBy(digits);
      this.lineTierSums?.scaleBy(digits);
      this.scale = priceScale;
      this.dirtyFrom = 0;
    }
    this.observer?.(lineIndex, direction, trade);
    const turnover = scaleUp(multiplyUnits(trade.priceUnits, trade.volume), this.scale - priceScale);
    const tier = this.tiers.tierOf(turnover, this.scale);
    const slot = direction === Direction.Up ? tier : OUTFLOW_SLOT_OFFSET + tier;
    this.lineNet.add(lineIndex, direction === Direction.Up ? turnover : negateUnits(turnover));
    this.tierSums.add(slot, turnover);
    this.lineTierSums?.add(lineIndex * TIER_SLOTS + slot, turnover);
    if (lineIndex < this.dirtyFrom) this.dirtyFrom = lineIndex;
  }
}
