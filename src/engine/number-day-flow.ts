import type { DaySchedule } from '../calendar/day-schedule.js';
import { Direction } from '../model/trade.js';
import { classifyTrade, MethodCode } from './classification/classify.js';
import { COUNTER_ID_DUPLICATE, COUNTER_ID_UNSUPPORTED, CounterTradeIds } from './counter-trade-ids.js';
import { AddOutcome, type CapitalFlowLine } from './day-flow.js';
import { formatUnits3 } from './exact-format.js';
import { compactUnits, compareScaled, type Units } from './exact-units.js';
import { TIER_SLOTS } from './flow-state.js';
import { DIRECTION_NOT_GIVEN, QUOTE_ABSENT, type TradeFields } from './trade-fields.js';
import type { TierClassifier } from './tier-thresholds.js';

/** `NumberDayFlow.addTrade` answer: the trade needs a DayFlow (nothing was changed). */
export const NEEDS_DAY_FLOW = -1;

/** `DaySchedule.lineIndexAt` for an instant in no line. */
const OUTSIDE_LINES = -1;
const INFLOW_SLOTS = 3;
/** 10^0 … 10^15. */
const POW10: readonly number[] = Array.from({ length: 16 }, (_, i) => 10 ** i);
/** Largest price scale taken here (the byte-level readers give at most 15 digits). */
const MAX_SCALE = 15;

/**
 * Room for the sums of many NumberDayFlows in a few large arrays, so that a trade's sums sit
 * next to each other (tier sums, then the lines) behind one array object shared by every day,
 * instead of two arrays per day: fewer memory reads per trade when trades of many symbols mix.
 */
export class NumberSumsArena {
  private chunk = new Float64Array(0);
  private used = 0;

  constructor(private readonly chunkSize = 1 << 20) {}

  /** A zeroed block of `size` numbers: the array holding it and where in it the block starts. */
  allocate(size: number): { readonly array: Float64Array; readonly base: number } {
    if (this.used + size > this.chunk.length) {
      this.chunk = new Float64Array(Math.max(this.chunkSize, size));
      this.used = 0;
    }
    const base = this.used;
    this.used += size;
    return { array: this.chunk, base };
  }
}

/**
 * A day's block of numbers: the tier sums, the day's instants and the instants and price the
 * state moves through (in a Float64Array, not as object fields, where V8 would box each double
 * in an object of its own), then the per-line net sums.
 */
const DAY_START = TIER_SLOTS;
const DAY_END = TIER_SLOTS + 1;
const LAST_SESSION_END = TIER_SLOTS + 2;
const LAST_COUNTED = TIER_SLOTS + 3;
const MAX_TIMESTAMP = TIER_SLOTS + 4;
const PREVIOUS_UNITS = TIER_SLOTS + 5;
const HEAD_SIZE = TIER_SLOTS + 6;

/**
 * One symbol-day's flow for a batch reader (no replay log), held as plain Numbers: the same
 * state as DayFlow's (tick rule, per-line net sums, tier sums at a common scale), updated by
 * the same rules — tick and classification through the shared `classifyTrade`/`compareScaled`,
 * tiers through the shared TierClassifier — but only while every figure is an exact safe
 * integer and trade ids are numbered (CounterTradeIds). A trade that would leave that domain
 * (a sum beyond 2^53, an id of another shape, an odd argument) is answered NEEDS_DAY_FLOW
 * before anything changes; the caller then moves the day into a DayFlow
 * (`DayFlow.fromNumberDayFlow`), which goes on exactly from this state, and hands it the trade.
 */
export class NumberDayFlow {
  /** This day's block is sums[base .. lineBase + lineCount): see HEAD_SIZE. */
  private readonly sums: Float64Array;
  private readonly base: number;
  private readonly lineBase: number;
  readonly ids = new CounterTradeIds();
  scale = 0;
  processed = 0;
  duplicates = 0;
  /** Set once a DayFlow took over this state: from then on every trade is answered NEEDS_DAY_FLOW. */
  moved = false;

  /** The tick state (TickState) but `previousUnits`, as fields: one object less to reach per trade. */
  hasPrevious = false;
  previousScale = 0;
  lastChange: Direction = Direction.Neutral;

  constructor(
    readonly schedule: DaySchedule,
    readonly tiers: TierClassifier,
    arena?: NumberSumsArena,
  ) {
    const size = HEAD_SIZE + schedule.lineCount;
    const block = arena ? arena.allocate(size) : { array: new Float64Array(size), base: 0 };
    this.sums = block.array;
    this.base = block.base;
    this.lineBase = this.base + HEAD_SIZE;
    const head = this.base;
    this.sums[head + DAY_START] = schedule.dayStartMs;
    this.sums[head + DAY_END] = schedule.dayEndMs;
    this.sums[head + LAST_SESSION_END] = schedule.lastSessionEndMs;
    this.sums[head + LAST_COUNTED] = Number.NaN;
    this.sums[head + MAX_TIMESTAMP] = Number.NEGATIVE_INFINITY;
  }

  /** The day's bounds (schedule.dayStartMs, dayEndMs), beside the sums: a caller checks a trade's day without another read. */
  get dayStartMs(): number {
    return this.sums[this.base + DAY_START] as number;
  }

  get dayEndMs(): number {
    return this.sums[this.base + DAY_END] as number;
  }

  /** Latest timestamp of a processed trade (-Infinity when none). */
  get maxTimestampMs(): number {
    return this.sums[this.base + MAX_TIMESTAMP] as number;
  }

  /** Latest timestamp of a trade counted in a line (NaN when none). */
  get lastCountedMs(): number {
    return this.sums[this.base + LAST_COUNTED] as number;
  }

  /** The previous trade's price units (TickState). */
  get previousUnits(): number {
    return this.sums[this.base + PREVIOUS_UNITS] as number;
  }

  /** Per-line net sums (a view). */
  get lineNet(): Float64Array {
    return this.sums.subarray(this.lineBase, this.lineBase + this.schedule.lineCount);
  }

  /**
   * Every line of the day as `DayFlow.lines` gives them at or after the latest trade, formatted
   * straight from these sums: a reader that only wants the finished day's lines need not move the
   * state into a DayFlow first. The running sum stays a Number while exact, a BigInt beyond.
   */
  completeLines(): CapitalFlowLine[] {
    const visible = this.schedule.visibleLineCount(Number.MAX_SAFE_INTEGER);
    const starts = this.schedule.lineStartMs;
    const sums = this.sums;
    const lines = new Array<CapitalFlowLine>(visible); // sized once: no growing copies for the collector
    let running: Units = 0;
    let text = '';
    for (let index = 0; index < visible; index++) {
      const net = sums[this.lineBase + index] as number;
      if (net !== 0 || text === '') {
        const sum: number = typeof running === 'number' ? running + net : Number.NaN;
        running = Number.isSafeInteger(sum) ? sum : compactUnits(BigInt(running) + BigInt(net));
        text = formatUnits3(running, this.scale);
      }
      lines[index] = { timestamp: (starts[index] as number) / 1000, inflow: text };
    }
    return lines;
  }

  /** Inflow large/medium/small, outflow large/medium/small (a view). */
  get tierSums(): Float64Array {
    return this.sums.subarray(this.base, this.base + TIER_SLOTS);
  }

  /**
   * DayFlow.addTrade when Number arithmetic is exact for the trade: an AddOutcome, or
   * NEEDS_DAY_FLOW with the state unchanged (so for a trade type too: its policy lives in
   * DayFlow). A reader that met the id's trailing digits while scanning it gives where they start
   * and their value (`idDigitsStart`, `idCounter`); otherwise they are found here.
   */
  addTrade(trade: TradeFields): number {
    const { timestampMs, priceUnits, priceScale, volume, bidUnits, askUnits } = trade;
    const given = trade.direction;
    const method = trade.method;
    if (
      this.moved ||
      typeof priceUnits !== 'number' ||
      !(priceUnits > 0 && Number.isSafeInteger(priceUnits) && volume > 0 && Number.isSafeInteger(volume)) ||
      !(priceScale >= 0 && priceScale <= MAX_SCALE && (priceScale | 0) === priceScale) ||
      !(given >= DIRECTION_NOT_GIVEN && given <= Direction.Up && (given | 0) === given) ||
      !(method >= MethodCode.LeeReady && method <= MethodCode.Clnv && (method | 0) === method) ||
      !(Number.isSafeInteger(timestampMs) && timestampMs >= (this.sums[this.base + DAY_START] as number) && timestampMs < (this.sums[this.base + DAY_END] as number)) ||
      !(validQuote(bidUnits, trade.bidScale) && validQuote(askUnits, trade.askScale)) ||
      trade.tradeType !== undefined
    ) {
      return NEEDS_DAY_FLOW;
    }
    const price = priceUnits;
    const { idBytes, idStart, idEnd } = trade;
    const schedule = this.schedule;
    let counter = -1;
    if (idEnd > idStart) {
      const idDigitsStart = trade.idDigitsStart;
      counter =
        idDigitsStart >= idStart && idDigitsStart <= idEnd
          ? this.ids.checkScanned(idBytes, idStart, idDigitsStart, idEnd, trade.idCounter)
          : this.ids.check(idBytes, idStart, idEnd);
      if (counter === COUNTER_ID_DUPLICATE) {
        this.duplicates++;
        return AddOutcome.Duplicate;
      }
      if (counter === COUNTER_ID_UNSUPPORTED) return NEEDS_DAY_FLOW;
    }
    const lineIndex = schedule.lineIndexAt(timestampMs);
    const sums = this.sums;
    const head = this.base;
    let change = 0;
    if (this.hasPrevious) {
      const previous = sums[head + PREVIOUS_UNITS] as number;
      change = priceScale === this.previousScale ? (price > previous ? 1 : price < previous ? -1 : 0) : compareScaled(price, priceScale, previous, this.previousScale);
    }
    if (lineIndex !== OUTSIDE_LINES) {
      let direction = given;
      if (direction === DIRECTION_NOT_GIVEN) {
        direction =
          timestampMs >= (sums[head + LAST_SESSION_END] as number)
            ? Direction.Neutral
            : classifyTrade(trade, change, this.lastChange);
      }
      if ((direction === Direction.Up || direction === Direction.Down) && !this.count(lineIndex, direction, price, priceScale, volume)) {
        return NEEDS_DAY_FLOW;
      }
      if (!(timestampMs <= (sums[head + LAST_COUNTED] as number))) sums[head + LAST_COUNTED] = timestampMs;
    }
    if (change !== 0) this.lastChange = change > 0 ? Direction.Up : Direction.Down;
    this.hasPrevious = true;
    sums[head + PREVIOUS_UNITS] = price;
    this.previousScale = priceScale;
    this.processed++;
    if (timestampMs > (sums[head + MAX_TIMESTAMP] as number)) sums[head + MAX_TIMESTAMP] = timestampMs;
    if (counter >= 0) this.ids.add(counter, idBytes, idStart, idEnd);
    return lineIndex === OUTSIDE_LINES ? AddOutcome.Outside : AddOutcome.Counted;
  }

  /** FlowState.count in Numbers; false (nothing changed but possibly an exact rescale) when a figure would leave the safe range. */
  private count(lineIndex: number, direction: number, price: number, priceScale: number, volume: number): boolean {
    if (priceScale > this.scale && !this.rescale(priceScale)) return false;
    let turnover = price * volume;
    if (priceScale < this.scale) turnover *= POW10[this.scale - priceScale] as number;
    if (!Number.isSafeInteger(turnover)) return false;
    const tier = this.tiers.tierOf(turnover, this.scale);
    const up = direction === Direction.Up;
    const sums = this.sums;
    const slot = this.base + (up ? tier : INFLOW_SLOTS + tier);
    const at = this.lineBase + lineIndex;
    const line = (sums[at] as number) + (up ? turnover : -turnover);
    const tierSum = (sums[slot] as number) + turnover;
    if (!Number.isSafeInteger(line) || !Number.isSafeInteger(tierSum)) return false;
    sums[at] = line;
    sums[slot] = tierSum;
    return true;
  }

  /** Moves every sum to a finer scale, exactly (value-preserving); false, changing nothing, when one would leave the safe range. */
  private rescale(scale: number): boolean {
    const factor = POW10[scale - this.scale] as number;
    const sums = this.sums;
    const tiersEnd = this.base + TIER_SLOTS;
    const end = this.lineBase + this.schedule.lineCount;
    for (let i = this.base; i < tiersEnd; i++) if (!Number.isSafeInteger((sums[i] as number) * factor)) return false;
    for (let i = this.lineBase; i < end; i++) if (!Number.isSafeInteger((sums[i] as number) * factor)) return false;
    for (let i = this.base; i < tiersEnd; i++) sums[i] = (sums[i] as number) * factor;
    for (let i = this.lineBase; i < end; i++) sums[i] = (sums[i] as number) * factor;
    this.scale = scale;
    return true;
  }
}

/** A quote the byte-level readers give: positive safe units at a small scale, or absent. */
function validQuote(units: Units, scale: number): boolean {
  return units === QUOTE_ABSENT || (units > 0 && Number.isSafeInteger(units) && scale >= 0 && scale <= MAX_SCALE && (scale | 0) === scale);
}
