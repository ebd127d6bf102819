import type { DaySchedule } from '../calendar/day-schedule.js';
import { formatScaled } from '../model/decimal.js';
import { Direction, type Trade } from '../model/trade.js';
import { MethodCode } from './classification/classify.js';
import { TradeTypeTreatment, tradeTypeTreatment } from './classification/trade-type-policy.js';
import { formatUnits3 } from './exact-format.js';
import { compactUnits, type Units } from './exact-units.js';
import { FlowState, TIER_SLOTS, type CountedTradeObserver } from './flow-state.js';
import { DEFAULT_TIER_THRESHOLDS, Tier, TierClassifier, type TierThresholds } from './tier-thresholds.js';
import type { CounterTradeIds } from './counter-trade-ids.js';
import { decodeDaySnapshot, encodeDaySnapshot, scheduleKey, type DayFlowSnapshot } from './day-snapshot.js';
import type { NumberDayFlow } from './number-day-flow.js';
import { TradeIdSet } from './trade-id-set.js';
import { TradeLog } from './trade-log.js';
import { DIRECTION_NOT_GIVEN, QUOTE_ABSENT, TradeFields, type TradeRows } from './trade-fields.js';

/** One element of `capital_flow_lines`: minute start in Unix seconds, cumulative net inflow (3 decimals). */
export interface CapitalFlowLine {
  readonly timestamp: number;
  readonly inflow: string;
}

export interface CapitalAmounts {
  readonly large: string;
  readonly medium: string;
  readonly small: string;
}

/** Command 25's figures (docs/computation.md §6); `timestamp` in Unix seconds. */
export interface CapitalDistribution {
  readonly timestamp: number;
  readonly capitalIn: CapitalAmounts;
  readonly capitalOut: CapitalAmounts;
}

/** Turnover of one direction by trade size, with their sum (3 decimals each). */
export interface TierAmounts extends CapitalAmounts {
  readonly total: string;
}

/** A line with the cumulative inflow (`in`) and outflow (`out`) by size tier behind its net value. */
export interface CapitalFlowDetailLine extends CapitalFlowLine {
  readonly in: TierAmounts;
  readonly out: TierAmounts;
}

/** A day's totals up to some instant: net inflow, inflow and outflow by size tier. */
export interface DayTotals {
  readonly inflow: string;
  readonly in: TierAmounts;
  readonly out: TierAmounts;
}

export interface DayFlowOptions {
  /**
   * Keep the compact log of processed trades (default true). Without it the day answers only
   * views at or after its latest trade (`lines(now)` / `distribution(now)` / `totals(now)` with
   * now >= latestTimestampMs) and no detail lines: for batch callers that can rebuild an earlier
   * view from their own source, at about 45 bytes and one write per trade less.
   */
  readonly keepLog?: boolean;
}

/** What happened to a trade handed to DayFlow. */
export const AddOutcome = {
  /** Processed; its timestamp lies in a line window (it may still be neutral). */
  Counted: 0,
  /** Processed; outside every line (pre-open, lunch, after the grace window): feeds only the tick rule. */
  Outside: 1,
  /** Its trade id was already seen this day: ignored completely. */
  Duplicate: 2,
  /** Its timestamp is not on this trading day (market-local date): ignored. */
  OtherDay: 3,
  /** Non-positive price or volume, non-integer time, unknown direction code, bad scale: ignored. */
  Invalid: 4,
  /** Its trade type is not an order-book execution in this market (trade-type-policy.ts): counts nowhere, feeds nothing. */
  Excluded: 5,
} as const;
export type AddOutcome = (typeof AddOutcome)[keyof typeof AddOutcome];

/** Largest decimal scale accepted for prices and quotes (the decimal reader allows 40 digits). */
export const MAX_PRICE_SCALE = 40;

function validScale(scale: number): boolean {
  return Number.isInteger(scale) && scale >= 0 && scale <= MAX_PRICE_SCALE;
}

/**
 * The checks every add path makes on a trade's own fields: positive exact price and whole volume,
 * exact timestamp, valid scale, known direction and method (quotes are checked when counted).
 */
function validTrade(trade: TradeFields): boolean {
  const { priceUnits, direction, method, volume } = trade;
  return (
    priceUnits > 0 &&
    (typeof priceUnits === 'bigint' || Number.isSafeInteger(priceUnits)) &&
    Number.isSafeInteger(trade.timestampMs) &&
    validScale(trade.priceScale) &&
    Number.isSafeInteger(volume) &&
    volume > 0 &&
    (direction === DIRECTION_NOT_GIVEN || direction === 0 || direction === 1 || direction === 2) &&
    (method === MethodCode.LeeReady || method === MethodCode.Tick || method === MethodCode.Emo || method === MethodCode.Clnv)
  );
}

/** A quote given (not QUOTE_ABSENT) that the engine cannot use: not exact non-negative units at a valid scale. */
function oddQuote(units: Units, scale: number): boolean {
  return units !== QUOTE_ABSENT && !((typeof units === 'bigint' || Number.isSafeInteger(units)) && units >= 0 && validScale(scale));
}

interface ReplayCache {
  readonly version: number;
  readonly nowMs: number;
  readonly state: FlowState;
  readonly lines: CapitalFlowLine[];
}

/**
 * The capital flow of one symbol on one trading day (docs/computation.md). Trades are fed
 * in arrival order; each is deduplicated by trade id, classified when its direction is not
 * given (quote rule, then tick rule; neutral in the closing-auction grace window), and counted
 * in the line of its own timestamp's minute.
 *
 * Visibility: `lines(now)` / `distribution(now)` show the day as it stood at `now`. When `now`
 * is at or after every trade's timestamp (the common case) the answer comes from the state
 * maintained trade by trade; otherwise the day is replayed from a compact log of its trades,
 * leaving out the ones stamped after `now` (they neither count nor feed the tick rule).
 */
export class DayFlow {
  readonly schedule: DaySchedule;
  private readonly tiers: TierClassifier;
  private readonly state: FlowState;
  /** The replay log; absent when the owner can rebuild past views from its own source (DayFlowOptions.keepLog). */
  private readonly log: TradeLog | undefined;
  private readonly ids = new TradeIdSet();
  /** The record `add` fills from a Trade object, and where a trade's fields are changed before counting. */
  private readonly scratch = new TradeFields();
  /** Ids taken over from a NumberDayFlow, moved into `ids` when first needed. */
  private counterIds: CounterTradeIds | undefined;
  private processed = 0;
  private maxTimestampMs = Number.NEGATIVE_INFINITY;
  private duplicates = 0;
  private excluded = 0;
  /** Formatted lines and cumulative sums of `state`, valid below `state.dirtyFrom`. */
  private readonly formatted: CapitalFlowLine[] = [];
  /** Cumulative sums per line: a Number while exact, a BigInt beyond. */
  private readonly cumulative: Units[] = [];
  private replay: ReplayCache | undefined;
  /** Detail state (per-line tier sums) kept current lazily, from the first detail request on. */
  private detail: { readonly state: FlowState; rows: number } | undefined;
  private detailReplay: { readonly version: number; readonly nowMs: number; readonly state: FlowState } | undefined;
  private detailFormatted: { readonly state: FlowState; readonly rows: number; readonly visible: number; readonly lines: CapitalFlowDetailLine[] } | undefined;

  constructor(schedule: DaySchedule, thresholds?: TierThresholds | undefined, options?: DayFlowOptions) {
    this.schedule = schedule;
    this.log = options?.keepLog === false ? undefined : new TradeLog();
    this.tiers = new TierClassifier(thresholds ?? DEFAULT_TIER_THRESHOLDS[schedule.market]);
    this.state = new FlowState(schedule.lineCount, this.tiers);
  }

  /**
   * The DayFlow that goes on exactly where a NumberDayFlow stands (same schedule, thresholds,
   * sums, tick state, trade ids and counts), without a replay log (like `keepLog: false`).
   */
  static fromNumberDayFlow(numbers: NumberDayFlow, thresholds?: TierThresholds | undefined): DayFlow {
    if (numbers.moved) throw new Error('this NumberDayFlow already went on in a DayFlow');
    numbers.moved = true;
    const day = new DayFlow(numbers.schedule, thresholds, { keepLog: false });
    day.state.restore(numbers.scale, numbers.lineNet, numbers.tierSums, numbers.lastCountedMs, numbers);
    day.processed = numbers.processed;
    day.duplicates = numbers.duplicates;
    day.maxTimestampMs = numbers.maxTimestampMs;
    if (numbers.ids.size > 0) day.counterIds = numbers.ids;
    return day;
  }

  /**
   * The day's state as bytes (day-snapshot.ts): what `fromSnapshot` needs to go on exactly as
   * this day would, for trades whose ids it has not seen (the store's deduplication guarantees
   * that for a day fed from the store). Not the replay log: the restored day has none.
   */
  snapshot(): Uint8Array {
    const state = this.state;
    const lines: [number, Units][] = [];
    for (let index = 0; index < this.schedule.lineCount; index++) {
      if (!state.lineNet.isZero(index)) lines.push([index, state.lineNet.smallValue(index) ?? state.lineNet.value(index)]);
    }
    const tierSums: Units[] = [];
    for (let slot = 0; slot < TIER_SLOTS; slot++) tierSums.push(state.tierSums.smallValue(slot) ?? state.tierSums.value(slot));
    const snapshot: DayFlowSnapshot = {
      lineCount: this.schedule.lineCount,
      scheduleKey: scheduleKey(this.schedule),
      thresholdsKey: this.tiers.key,
      scale: state.scale,
      processed: this.processed,
      duplicates: this.duplicates,
      excluded: this.excluded,
      maxTimestampMs: this.maxTimestampMs,
      lastCountedMs: state.lastCountedMs,
      tick: state.tickState(),
      tierSums,
      lines,
    };
    return encodeDaySnapshot(snapshot);
  }

  /**
   * The day a `snapshot()` recorded, going on without a replay log (like `keepLog: false`).
   * Throws when the bytes are not a snapshot or were taken for another schedule or other cut-offs.
   */
  static fromSnapshot(schedule: DaySchedule, thresholds: TierThresholds | undefined, bytes: Uint8Array): DayFlow {
    const snapshot = decodeDaySnapshot(bytes);
    const day = new DayFlow(schedule, thresholds, { keepLog: false });
    if (snapshot.lineCount !== schedule.lineCount || snapshot.scheduleKey !== scheduleKey(schedule)) {
      throw new Error('day snapshot: taken for another day or another schedule of it');
    }
    if (snapshot.thresholdsKey !== day.tiers.key) throw new Error('day snapshot: taken with other size-tier cut-offs');
    const state = day.state;
    state.restoreScalars(snapshot.scale, snapshot.lastCountedMs, snapshot.tick);
    snapshot.tierSums.forEach((sum, slot) => state.tierSums.set(slot, sum));
    for (const [index, value] of snapshot.lines) state.lineNet.set(index, value);
    day.processed = snapshot.processed;
    day.duplicates = snapshot.duplicates;
    day.excluded = snapshot.excluded;
    day.maxTimestampMs = snapshot.maxTimestampMs;
    return day;
  }

  /** Trades processed (duplicates, other-day and invalid trades excluded); grows with every add. */
  get tradeCount(): number {
    return this.processed;
  }

  get duplicateCount(): number {
    return this.duplicates;
  }

  /** Trades left out by the market's trade-type policy (off-exchange and similar reports). */
  get excludedCount(): number {
    return this.excluded;
  }

  /** Whether the day keeps its replay log: views before its latest trade, detail lines and `visitCounted` need it. */
  get hasLog(): boolean {
    return this.log !== undefined;
  }

  /** Latest timestamp (ms) among processed trades; -Infinity when none. */
  get latestTimestampMs(): number {
    return this.maxTimestampMs;
  }

  /** Adds a validated trade (its price, bid and ask are exact decimals). */
  add(trade: Trade): AddOutcome {
    const fields = this.scratch.setTrade(trade);
    if (!validTrade(fields)) return AddOutcome.Invalid;
    if (!this.schedule.containsInstant(fields.timestampMs)) return AddOutcome.OtherDay;
    const tradeId = trade.tradeId;
    if (tradeId !== undefined && tradeId !== '' && !this.tradeIds().add(tradeId)) {
      this.duplicates++;
      return AddOutcome.Duplicate;
    }
    return this.accept(fields);
  }

  /**
   * Adds a trade given by its fields (the fast path: no object, string or BigInt per trade when
   * the caller reuses one TradeFields). Its id is the UTF-8 bytes `idBytes[idStart..idEnd)`
   * (empty: no id); the same id as a string (`add`) or as bytes is the same id. The record is not
   * kept or changed: the caller may refill it for its next trade.
   */
  addTrade(trade: TradeFields): AddOutcome {
    if (!validTrade(trade)) return AddOutcome.Invalid;
    if (!this.schedule.containsInstant(trade.timestampMs)) return AddOutcome.OtherDay;
    if (trade.idEnd > trade.idStart && !this.tradeIds().addBytes(trade.idBytes, trade.idStart, trade.idEnd)) {
      this.duplicates++;
      return AddOutcome.Duplicate;
    }
    return this.accept(trade);
  }

  /**
   * Adds rows `[from, to)` of a batch (those `include` accepts, when given) in order, each read
   * into one record and added by `addTrade`: how a day is rebuilt from the store's columns, with
   * exactly the outcome `add` would have for the same trades, and no object per trade.
   */
  addRows(rows: TradeRows, from: number, to: number, include?: (row: number) => boolean): void {
    const trade = this.scratch; // the day's own record: accept may adjust it in place
    for (let row = from; row < to; row++) {
      if (include === undefined || include(row)) this.addTrade(rows.read(row, trade));
    }
    // The record points into the batch's id bytes: kept, it would hold every id of the day.
    trade.clearReferences();
  }

  /** The day's trade id set, with the ids taken over from a NumberDayFlow moved in. */
  private tradeIds(): TradeIdSet {
    const counterIds = this.counterIds;
    if (counterIds !== undefined) {
      this.counterIds = undefined;
      counterIds.copyInto(this.ids);
    }
    return this.ids;
  }

  /** Counts a valid, new trade of this day (or leaves it out by its trade type). */
  private accept(given: TradeFields): AddOutcome {
    let trade = given;
    if (trade.tradeType !== undefined) {
      const treatment = tradeTypeTreatment(this.schedule.market, trade.tradeType);
      if (treatment === TradeTypeTreatment.Excluded) {
        this.excluded++;
        return AddOutcome.Excluded;
      }
      // An auction print without a side of its own has no aggressor.
      if (treatment === TradeTypeTreatment.Auction && trade.direction === DIRECTION_NOT_GIVEN) {
        trade = this.own(trade);
        trade.direction = Direction.Neutral;
      }
    }
    // A quote given but not exact and non-negative at a valid scale counts as absent (rare: a copy takes the change).
    if (oddQuote(trade.bidUnits, trade.bidScale) || oddQuote(trade.askUnits, trade.askScale)) {
      trade = this.own(trade);
      if (oddQuote(trade.bidUnits, trade.bidScale)) trade.bidUnits = QUOTE_ABSENT;
      if (oddQuote(trade.askUnits, trade.askScale)) trade.askUnits = QUOTE_ABSENT;
    }
    const schedule = this.schedule;
    const timestampMs = trade.timestampMs;
    const lineIndex = schedule.lineIndexAt(timestampMs);
    const inGrace = lineIndex >= 0 && timestampMs >= schedule.lastSessionEndMs;
    this.processed++;
    this.log?.push(trade, lineIndex);
    this.state.apply(trade, lineIndex, inGrace);
    // A copy of a caller's record must not keep the caller's buffers alive.
    if (trade !== given) trade.clearReferences();
    if (timestampMs > this.maxTimestampMs) this.maxTimestampMs = timestampMs;
    return lineIndex >= 0 ? AddOutcome.Counted : AddOutcome.Outside;
  }

  /** The day's own record holding `trade`'s fields, for a change the caller's record must not see. */
  private own(trade: TradeFields): TradeFields {
    if (trade !== this.scratch) this.scratch.copyFrom(trade);
    return this.scratch;
  }

  /** The lines whose minute starts at or before `nowMs`, each the cumulative net inflow at its minute's end. */
  lines(nowMs: number): CapitalFlowLine[] {
    const visible = this.schedule.visibleLineCount(nowMs);
    if (visible === 0) return [];
    if (nowMs >= this.maxTimestampMs) return this.currentLines().slice(0, visible);
    return this.replayAt(nowMs).lines.slice(0, visible);
  }

  /** Inflow and outflow by trade size over the trades counted in lines up to `nowMs`. */
  distribution(nowMs: number): CapitalDistribution {
    const state = nowMs >= this.maxTimestampMs ? this.state : this.replayAt(nowMs).state;
    const sums = state.tierSums;
    const amount = (slot: number): string => formatScaled(sums.value(slot), state.scale, 3);
    const lastMs = Number.isNaN(state.lastCountedMs) ? this.schedule.firstSessionStartMs : state.lastCountedMs;
    return {
      timestamp: Math.floor(lastMs / 1000),
      capitalIn: { large: amount(Tier.Large), medium: amount(Tier.Medium), small: amount(Tier.Small) },
      capitalOut: { large: amount(3 + Tier.Large), medium: amount(3 + Tier.Medium), small: amount(3 + Tier.Small) },
    };
  }

  /**
   * The lines up to `nowMs` with the cumulative inflow and outflow by size tier behind each
   * (`inflow` equals `in.total - out.total` exactly). Costs nothing until first asked for: the
   * per-line tier sums live in a separate state that catches up from the trade log on demand.
   */
  detailLines(nowMs: number): CapitalFlowDetailLine[] {
    const visible = this.schedule.visibleLineCount(nowMs);
    if (visible === 0) return [];
    const state = nowMs >= this.maxTimestampMs ? this.currentDetailState() : this.detailReplayAt(nowMs);
    const rows = this.processed;
    const cached = this.detailFormatted;
    if (cached && cached.state === state && cached.rows === rows && cached.visible === visible) return cached.lines;
    const lines = formatDetailLines(state, this.schedule.lineStartMs, visible);
    this.detailFormatted = { state, rows, visible, lines };
    return lines;
  }

  /** The day's net inflow, inflow and outflow by tier over the trades counted in lines up to `nowMs`. */
  totals(nowMs: number): DayTotals {
    const { scale, in: inSlots, out: outSlots } = this.exactTierSums(nowMs);
    const inTotal = inSlots[0] + inSlots[1] + inSlots[2];
    const outTotal = outSlots[0] + outSlots[1] + outSlots[2];
    return {
      inflow: formatScaled(inTotal - outTotal, scale, 3),
      in: tierAmounts(inSlots, inTotal, scale),
      out: tierAmounts(outSlots, outTotal, scale),
    };
  }

  /**
   * The exact inflow and outflow by tier (large, medium, small; units at `scale`) up to `nowMs`:
   * what `totals` formats, for callers that add days up or derive main-force figures exactly.
   */
  exactTierSums(nowMs: number): { scale: number; in: [bigint, bigint, bigint]; out: [bigint, bigint, bigint] } {
    const state = nowMs >= this.maxTimestampMs ? this.state : this.replayAt(nowMs).state;
    const sums = state.tierSums;
    return {
      scale: state.scale,
      in: [sums.value(Tier.Large), sums.value(Tier.Medium), sums.value(Tier.Small)],
      out: [sums.value(3 + Tier.Large), sums.value(3 + Tier.Medium), sums.value(3 + Tier.Small)],
    };
  }

  /**
   * Replays the trades counted up to `nowMs` (in arrival order, with the sides the engine gave
   * them) to `visit`: the base of views the lines do not keep, such as other size-tier conventions.
   */
  visitCounted(nowMs: number, visit: CountedTradeObserver): void {
    if (!this.log) throw new Error('visitCounted needs the trade log (DayFlowOptions.keepLog)');
    const state = new FlowState(this.schedule.lineCount, this.tiers);
    state.observer = visit;
    this.log.replayInto(state, nowMs, this.schedule.lastSessionEndMs);
  }

  private currentDetailState(): FlowState {
    const detail = (this.detail ??= { state: new FlowState(this.schedule.lineCount, this.tiers, true), rows: 0 });
    if (detail.rows < this.processed) {
      this.replayLog().replayInto(detail.state, Number.POSITIVE_INFINITY, this.schedule.lastSessionEndMs, detail.rows);
      detail.rows = this.processed;
    }
    return detail.state;
  }

  private detailReplayAt(nowMs: number): FlowState {
    const version = this.processed;
    const cached = this.detailReplay;
    if (cached && cached.version === version && cached.nowMs === nowMs) return cached.state;
    const state = new FlowState(this.schedule.lineCount, this.tiers, true);
    this.replayLog().replayInto(state, nowMs, this.schedule.lastSessionEndMs);
    this.detailReplay = { version, nowMs, state };
    return state;
  }

  /** The replay log, which past views and detail lines need; a DayFlow made without it cannot give them. */
  private replayLog(): TradeLog {
    if (this.log === undefined) {
      throw new Error('DayFlow made with keepLog: false answers only views at or after its latest trade (no detail lines)');
    }
    return this.log;
  }

  /** All lines of the incrementally maintained state; re-formats only from the lowest changed line. */
  private currentLines(): CapitalFlowLine[] {
    const state = this.state;
    const count = this.schedule.lineCount;
    if (state.dirtyFrom < count) {
      const from = state.dirtyFrom;
      // The running sum stays a Number while it is exact (the usual case), a BigInt beyond.
      let running: Units = from === 0 ? 0 : (this.cumulative[from - 1] as Units);
      const starts = this.schedule.lineStartMs;
      const net = state.lineNet;
      let text = '';
      for (let index = from; index < count; index++) {
        if (!net.isZero(index) || text === '') {
          const small = net.smallValue(index);
          const sum = typeof running === 'number' && small !== undefined ? running + small : Number.NaN;
          running = Number.isSafeInteger(sum) ? sum : compactUnits(BigInt(running) + net.value(index));
          text = formatUnits3(running, state.scale);
        }
        this.cumulative[index] = running;
        this.formatted[index] = { timestamp: (starts[index] as number) / 1000, inflow: text };
      }
      state.markClean();
    }
    return this.formatted;
  }

  private replayAt(nowMs: number): ReplayCache {
    const version = this.processed;
    const cached = this.replay;
    if (cached && cached.version === version && cached.nowMs === nowMs) return cached;
    const state = new FlowState(this.schedule.lineCount, this.tiers);
    this.replayLog().replayInto(state, nowMs, this.schedule.lastSessionEndMs);
    const lines: CapitalFlowLine[] = [];
    let running = 0n;
    this.schedule.lineStartMs.forEach((start, index) => {
      if (!state.lineNet.isZero(index)) running += state.lineNet.value(index);
      lines.push({ timestamp: start / 1000, inflow: formatScaled(running, state.scale, 3) });
    });
    this.replay = { version, nowMs, state, lines };
    return this.replay;
  }
}

function tierAmounts(slots: readonly [bigint, bigint, bigint], total: bigint, scale: number): TierAmounts {
  return {
    large: formatScaled(slots[0], scale, 3),
    medium: formatScaled(slots[1], scale, 3),
    small: formatScaled(slots[2], scale, 3),
    total: formatScaled(total, scale, 3),
  };
}

/** Cumulative detail lines of a state that keeps per-line tier sums. */
function formatDetailLines(state: FlowState, lineStartMs: readonly number[], visible: number): CapitalFlowDetailLine[] {
  const perLine = state.lineTierSums;
  if (!perLine) throw new Error('unreachable: a detail state keeps per-line tier sums');
  const running: bigint[] = new Array<bigint>(TIER_SLOTS).fill(0n);
  const lines: CapitalFlowDetailLine[] = [];
  for (let index = 0; index < visible; index++) {
    for (let slot = 0; slot < TIER_SLOTS; slot++) {
      const at = index * TIER_SLOTS + slot;
      if (!perLine.isZero(at)) running[slot] = (running[slot] as bigint) + perLine.value(at);
    }
    const inSlots = [running[0], running[1], running[2]] as [bigint, bigint, bigint];
    const outSlots = [running[3], running[4], running[5]] as [bigint, bigint, bigint];
    const inTotal = inSlots[0] + inSlots[1] + inSlots[2];
    const outTotal = outSlots[0] + outSlots[1] + outSlots[2];
    lines.push({
      timestamp: (lineStartMs[index] as number) / 1000,
      inflow: formatScaled(inTotal - outTotal, state.scale, 3),
      in: tierAmounts(inSlots, inTotal, state.scale),
      out: tierAmounts(outSlots, outTotal, state.scale),
    });
  }
  return lines;
}

/** The lines of one symbol-day from trades in arrival order, as seen at `nowMs` (pure; for tests and benchmarks). */
export function computeDayLines(
  schedule: DaySchedule,
  trades: Iterable<Trade>,
  nowMs: number,
  thresholds?: TierThresholds,
): CapitalFlowLine[] {
  const day = new DayFlow(schedule, thresholds);
  for (const trade of trades) day.add(trade);
  return day.lines(nowMs);
}
