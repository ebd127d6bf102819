import type { DaySchedule } from '../calendar/day-schedule.js';
import { formatScaled } from '../model/decimal.js';
import type { Trade } from '../model/trade.js';
import { compactUnits, type Units } from './exact-units.js';
import { DIRECTION_NOT_GIVEN, FlowState, QUOTE_ABSENT, TIER_SLOTS } from './flow-state.js';
import { DEFAULT_TIER_THRESHOLDS, Tier, TierClassifier, type TierThresholds } from './tier-thresholds.js';
import { TradeLog } from './trade-log.js';

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

/** Command 25's figures (capital-flow.md §7); `timestamp` in Unix seconds. */
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
} as const;
export type AddOutcome = (typeof AddOutcome)[keyof typeof AddOutcome];

/** Largest decimal scale accepted for prices and quotes (the decimal reader allows 40 digits). */
export const MAX_PRICE_SCALE = 40;

function validScale(scale: number): boolean {
  return Number.isInteger(scale) && scale >= 0 && scale <= MAX_PRICE_SCALE;
}

/** A quote argument: exact non-negative units with a valid scale, else absent. */
function quoteUnits(units: Units, scale: number): Units {
  const exact = typeof units === 'bigint' || Number.isSafeInteger(units);
  return exact && units >= 0 && validScale(scale) ? units : QUOTE_ABSENT;
}

interface ReplayCache {
  readonly version: number;
  readonly nowMs: number;
  readonly state: FlowState;
  readonly lines: CapitalFlowLine[];
}

/**
 * The capital flow of one symbol on one trading day (capital-flow.md §2–§5, §7). Trades are fed
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
  private readonly log = new TradeLog();
  private readonly seenIds = new Set<string>();
  private maxTimestampMs = Number.NEGATIVE_INFINITY;
  private duplicates = 0;
  /** Formatted lines and cumulative sums of `state`, valid below `state.dirtyFrom`. */
  private readonly formatted: CapitalFlowLine[] = [];
  private readonly cumulative: bigint[] = [];
  private replay: ReplayCache | undefined;
  /** Detail state (per-line tier sums) kept current lazily, from the first detail request on. */
  private detail: { readonly state: FlowState; rows: number } | undefined;
  private detailReplay: { readonly version: number; readonly nowMs: number; readonly state: FlowState } | undefined;
  private detailFormatted: { readonly state: FlowState; readonly rows: number; readonly visible: number; readonly lines: CapitalFlowDetailLine[] } | undefined;

  constructor(schedule: DaySchedule, thresholds?: TierThresholds | undefined) {
    this.schedule = schedule;
    this.tiers = new TierClassifier(thresholds ?? DEFAULT_TIER_THRESHOLDS[schedule.market]);
    this.state = new FlowState(schedule.lineCount, this.tiers);
  }

  /** Trades processed (duplicates, other-day and invalid trades excluded); grows with every add. */
  get tradeCount(): number {
    return this.log.length;
  }

  get duplicateCount(): number {
    return this.duplicates;
  }

  /** Latest timestamp (ms) among processed trades; -Infinity when none. */
  get latestTimestampMs(): number {
    return this.maxTimestampMs;
  }

  /** Adds a validated trade (its price, bid and ask are exact decimals). */
  add(trade: Trade): AddOutcome {
    const { bid, ask } = trade;
    return this.process(
      trade.timestamp,
      compactUnits(trade.price.units),
      trade.price.scale,
      trade.volume,
      trade.direction ?? DIRECTION_NOT_GIVEN,
      bid ? compactUnits(bid.units) : QUOTE_ABSENT,
      bid ? bid.scale : 0,
      ask ? compactUnits(ask.units) : QUOTE_ABSENT,
      ask ? ask.scale : 0,
      trade.tradeId,
    );
  }

  /**
   * Adds a trade given as primitives (the fast path: no objects, no BigInt). Prices are scaled
   * integers (`57951, 2` is 579.51); `direction` is 0 neutral, 1 down, 2 up or -1 when not given;
   * a missing bid or ask is passed as units -1.
   */
  addRaw(
    timestampMs: number,
    priceUnits: number,
    priceScale: number,
    volume: number,
    direction: number,
    bidUnits: number,
    bidScale: number,
    askUnits: number,
    askScale: number,
    tradeId?: string,
  ): AddOutcome {
    return this.process(timestampMs, priceUnits, priceScale, volume, direction, bidUnits, bidScale, askUnits, askScale, tradeId);
  }

  private process(
    timestampMs: number,
    price: Units,
    priceScale: number,
    volume: number,
    direction: number,
    bid: Units,
    bidScale: number,
    ask: Units,
    askScale: number,
    tradeId: string | undefined,
  ): AddOutcome {
    if (
      !Number.isSafeInteger(timestampMs) ||
      !(price > 0) ||
      (typeof price === 'number' && !Number.isSafeInteger(price)) ||
      !validScale(priceScale) ||
      !Number.isSafeInteger(volume) ||
      volume <= 0 ||
      !(direction === DIRECTION_NOT_GIVEN || direction === 0 || direction === 1 || direction === 2)
    ) {
      return AddOutcome.Invalid;
    }
    const schedule = this.schedule;
    if (!schedule.containsInstant(timestampMs)) return AddOutcome.OtherDay;
    if (tradeId !== undefined && tradeId !== '') {
      if (this.seenIds.has(tradeId)) {
        this.duplicates++;
        return AddOutcome.Duplicate;
      }
      this.seenIds.add(tradeId);
    }
    const bidUnits = quoteUnits(bid, bidScale);
    const askUnits = quoteUnits(ask, askScale);
    const lineIndex = schedule.lineIndexAt(timestampMs);
    const inGrace = lineIndex >= 0 && timestampMs >= schedule.lastSessionEndMs;
    this.log.push(timestampMs, lineIndex, price, priceScale, volume, direction, bidUnits, bidScale, askUnits, askScale);
    this.state.apply(timestampMs, lineIndex, inGrace, price, priceScale, volume, direction, bidUnits, bidScale, askUnits, askScale);
    if (timestampMs > this.maxTimestampMs) this.maxTimestampMs = timestampMs;
    return lineIndex >= 0 ? AddOutcome.Counted : AddOutcome.Outside;
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
    const rows = this.log.length;
    const cached = this.detailFormatted;
    if (cached && cached.state === state && cached.rows === rows && cached.visible === visible) return cached.lines;
    const lines = formatDetailLines(state, this.schedule.lineStartMs, visible);
    this.detailFormatted = { state, rows, visible, lines };
    return lines;
  }

  /** The day's net inflow, inflow and outflow by tier over the trades counted in lines up to `nowMs`. */
  totals(nowMs: number): DayTotals {
    const state = nowMs >= this.maxTimestampMs ? this.state : this.replayAt(nowMs).state;
    const sums = state.tierSums;
    const inSlots = [sums.value(Tier.Large), sums.value(Tier.Medium), sums.value(Tier.Small)] as const;
    const outSlots = [sums.value(3 + Tier.Large), sums.value(3 + Tier.Medium), sums.value(3 + Tier.Small)] as const;
    const inTotal = inSlots[0] + inSlots[1] + inSlots[2];
    const outTotal = outSlots[0] + outSlots[1] + outSlots[2];
    return {
      inflow: formatScaled(inTotal - outTotal, state.scale, 3),
      in: tierAmounts(inSlots, inTotal, state.scale),
      out: tierAmounts(outSlots, outTotal, state.scale),
    };
  }

  private currentDetailState(): FlowState {
    const detail = (this.detail ??= { state: new FlowState(this.schedule.lineCount, this.tiers, true), rows: 0 });
    if (detail.rows < this.log.length) {
      this.log.replayInto(detail.state, Number.POSITIVE_INFINITY, this.schedule.lastSessionEndMs, detail.rows);
      detail.rows = this.log.length;
    }
    return detail.state;
  }

  private detailReplayAt(nowMs: number): FlowState {
    const version = this.log.length;
    const cached = this.detailReplay;
    if (cached && cached.version === version && cached.nowMs === nowMs) return cached.state;
    const state = new FlowState(this.schedule.lineCount, this.tiers, true);
    this.log.replayInto(state, nowMs, this.schedule.lastSessionEndMs);
    this.detailReplay = { version, nowMs, state };
    return state;
  }

  /** All lines of the incrementally maintained state; re-formats only from the lowest changed line. */
  private currentLines(): CapitalFlowLine[] {
    const state = this.state;
    const count = this.schedule.lineCount;
    if (state.dirtyFrom < count) {
      const from = state.dirtyFrom;
      let running = from === 0 ? 0n : (this.cumulative[from - 1] as bigint);
      const starts = this.schedule.lineStartMs;
      for (let index = from; index < count; index++) {
        if (!state.lineNet.isZero(index)) running += state.lineNet.value(index);
        this.cumulative[index] = running;
        this.formatted[index] = { timestamp: (starts[index] as number) / 1000, inflow: formatScaled(running, state.scale, 3) };
      }
      state.markClean();
    }
    return this.formatted;
  }

  private replayAt(nowMs: number): ReplayCache {
    const version = this.log.length;
    const cached = this.replay;
    if (cached && cached.version === version && cached.nowMs === nowMs) return cached;
    const state = new FlowState(this.schedule.lineCount, this.tiers);
    this.log.replayInto(state, nowMs, this.schedule.lastSessionEndMs);
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
