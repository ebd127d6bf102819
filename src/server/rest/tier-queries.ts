import { dateToDayNumber, dayNumberToDate, zonedEpochMs } from '../../calendar/time-zone.js';
import { calendarFor } from '../../calendar/trading-calendar.js';
import { addTierSums, mainForceTiers, tierFigures, tierNames, type ExactTierSums, type TierFlowFigures } from '../../engine/tiers/size-tier-flow.js';
import { formatScaled } from '../../model/decimal.js';
import { invalidRequest } from '../../model/errors.js';
import type { ParsedSymbol } from '../../model/symbol.js';
import {
  DEFAULT_HISTORY_SPAN_DAYS,
  groupByPeriod,
  isHistoryPeriod,
  MAX_HISTORY_RANGE_DAYS,
  periodEnd,
  periodStart,
  type HistoryPeriod,
} from '../../service/flow-history.js';
import type { FlowService } from '../../service/flow-service.js';
import type { PercentileReference, ResolvedConvention, TierChoice, TierFlows } from '../../service/tier-flows.js';
import type { FlowStore } from '../../store/flow-store.js';
import { exchangeTime } from '../../calendar/time-zone.js';
import { symbolDay, type DistributionJson, type SymbolDayJson } from './flow-payloads.js';
import type { FlowQueries } from './flow-queries.js';

/** What every tier answer says about its convention. */
export interface ConventionJson {
  readonly convention: ResolvedConvention['name'];
  /** Tier names, largest first (`superLarge` only in the 4-tier conventions). */
  readonly tiers: readonly string[];
  /** The tiers whose net makes up the main force. */
  readonly mainForce: readonly string[];
  /** futu only: the trailing days behind the cut-offs and the cut-offs themselves. */
  readonly percentiles?: PercentileReference & { readonly days: number };
}

export interface TierLineJson extends TierFlowFigures {
  readonly timestamp: number;
  readonly time: string;
  /** This minute's own net per tier and main-force net (the other figures are cumulative). */
  readonly minute: { readonly inflow: string; readonly net: Record<string, string>; readonly mainForceNet: string };
}

export interface TiersJson extends SymbolDayJson, ConventionJson {
  readonly date: string;
  readonly totalLines: number;
  readonly lines: TierLineJson[];
  readonly day: TierFlowFigures;
}

export interface TierDistributionJson extends SymbolDayJson, ConventionJson {
  readonly date: string;
  readonly timestamp: number;
  readonly time: string;
  readonly capitalIn: Record<string, string>;
  readonly capitalOut: Record<string, string>;
  readonly net: Record<string, string>;
  readonly inflow: string;
  readonly mainForceNet: string;
  readonly mainForceShare: string;
}

export interface HistoryPeriodJson extends TierFlowFigures {
  /** First calendar date of the period (the day, the ISO week's Monday, the month's, quarter's or year's 1st). */
  readonly period: string;
  /** The period start (local midnight) in Unix seconds and as exchange-local ISO 8601. */
  readonly timestamp: number;
  readonly time: string;
  /** Last calendar date of the period. */
  readonly periodEnd: string;
  /** First and last trading day of the period inside the requested range. */
  readonly from: string;
  readonly to: string;
  readonly tradingDays: number;
  /** False while the period holds the served day and that day may still change. */
  readonly complete: boolean;
}

export interface HistoryJson extends SymbolDayJson, ConventionJson {
  readonly period: HistoryPeriod;
  readonly from: string;
  readonly to: string;
  readonly periods: HistoryPeriodJson[];
}

/**
 * The size-tier, main-force and history questions of the REST API (capflow's additions to
 * LongPort's numbers), over FlowQueries' checks and day rules.
 */
export class TierQueries {
  constructor(
    private readonly options: { readonly flows: FlowService; readonly store: FlowStore; readonly queries: FlowQueries; readonly tierFlows: TierFlows },
  ) {}

  /** Per-minute cumulative in/out/net by tier with main-force net and share, and the day's figures. */
  async tiers(symbol: ParsedSymbol, date: string | null, choice: TierChoice): Promise<TiersJson> {
    const schedule = this.options.queries.dayOf(symbol, date);
    const { resolved, flow } = await this.options.tierFlows.dayFlow(symbol, schedule, choice);
    return {
      ...symbolDay(symbol),
      date: schedule.date,
      ...conventionJson(resolved, choice),
      totalLines: schedule.lineCount,
      lines: flow.lines.map((line) => ({
        timestamp: line.timestamp,
        time: exchangeTime(symbol.market, line.timestamp * 1000),
        ...line.cumulative,
        minute: { inflow: line.inflow, net: line.net, mainForceNet: line.mainForceNet },
      })),
      day: flow.day,
    };
  }

  /** The distribution under a chosen convention (every tier of it, with main force). */
  async distribution(symbol: ParsedSymbol, date: string | null, choice: TierChoice): Promise<TierDistributionJson> {
    const { exact: _exact, ...json } = await this.distributionWithSums(symbol, date, choice);
    return json;
  }

  private async distributionWithSums(symbol: ParsedSymbol, date: string | null, choice: TierChoice): Promise<TierDistributionJson & { readonly exact: ExactTierSums }> {
    const schedule = this.options.queries.dayOf(symbol, date);
    const { resolved, flow } = await this.options.tierFlows.dayFlow(symbol, schedule, choice);
    const day = await this.options.flows.dayFlow(symbol, schedule.date);
    const { timestamp } = day.distribution(this.options.flows.now(symbol.market));
    return {
      ...symbolDay(symbol),
      date: schedule.date,
      ...conventionJson(resolved, choice),
      timestamp,
      time: exchangeTime(symbol.market, timestamp * 1000),
      capitalIn: flow.day.in,
      capitalOut: flow.day.out,
      net: flow.day.net,
      inflow: flow.day.inflow,
      mainForceNet: flow.day.mainForceNet,
      mainForceShare: flow.day.mainForceShare,
      exact: flow.exact,
    };
  }

  /**
   * Command 25's content (three tiers) under the server's convention, for any day: longport as the
   * engine keeps it; for four-tier conventions super-large folded into large (as command 25 does).
   */
  async commandDistribution(symbol: ParsedSymbol, date: string | null, choice: TierChoice): Promise<DistributionJson> {
    if (choice.name === 'longport') return this.options.queries.distribution(symbol, date);
    const full = await this.distributionWithSums(symbol, date, choice);
    const fold = (amounts: Record<string, string>, sums: readonly bigint[], scale: number) => ({
      large: formatScaled((sums[0] ?? 0n) + (sums[1] ?? 0n), scale, 3),
      medium: amounts['medium'] ?? '0.000',
      small: amounts['small'] ?? '0.000',
    });
    const { exact } = full;
    return {
      ...symbolDay(symbol),
      date: full.date,
      timestamp: full.timestamp,
      time: full.time,
      capitalIn: fold(full.capitalIn, exact.in, exact.scale),
      capitalOut: fold(full.capitalOut, exact.out, exact.scale),
    };
  }

  /**
   * Net inflow (total, per tier, main force) per period from the store. Completed days' sums are
   * computed once and kept (TierFlows), so a long range costs one pass over each day, once.
   */
  async history(
    symbol: ParsedSymbol,
    periodText: string | null,
    fromText: string | null,
    toText: string | null,
    choice: TierChoice,
    maxDays = MAX_HISTORY_RANGE_DAYS,
  ): Promise<HistoryJson> {
    const period = periodText ?? 'day';
    if (!isHistoryPeriod(period)) throw invalidRequest(`period must be day, week, month, quarter or year, got ${JSON.stringify(period)}`);
    const flows = this.options.flows;
    const served = flows.servedSchedule(symbol.market);
    const now = flows.now(symbol.market);
    const to = toText === null || toText > served.date ? served.date : toText;
    const from = fromText ?? periodStart(dayNumberToDate(dateToDayNumber(to) - (DEFAULT_HISTORY_SPAN_DAYS[period] - 1)), period);
    if (from > to) throw invalidRequest(`from ${from} is after to ${to}${toText !== null && toText !== to ? ' (the current trading day)' : ''}`);
    const span = dateToDayNumber(to) - dateToDayNumber(from) + 1;
    if (span > maxDays) throw invalidRequest(`date range of ${span} days is longer than ${maxDays} days`);
    const { full, half } = calendarFor(symbol.market).tradingDays(from, to);
    const counts = new Map((await this.options.store.daysOf(symbol.symbol)).map((day) => [day.date, day.trades]));
    // Each day is split by its own convention (futu: its own cut-offs); the reference shown is `to`'s.
    const resolved = await this.options.tierFlows.resolve(symbol, to, choice);
    const names = tierNames(resolved.convention);
    const main = mainForceTiers(resolved.convention);
    const periods: HistoryPeriodJson[] = [];
    for (const [start, dates] of groupByPeriod([...full, ...half], period)) {
      let sums: ExactTierSums = { scale: 0, in: [], out: [] };
      for (const date of dates) {
        const trades = counts.get(date) ?? 0;
        if (trades === 0) continue;
        const completed = date < served.date;
        sums = addTierSums(sums, await this.options.tierFlows.daySums(symbol, date, choice, trades, completed));
      }
      const { mainUnits: _main, ...figures } = tierFigures(names, main, sums);
      const startMs = zonedEpochMs(symbol.market, start, 0);
      const last = dates[dates.length - 1] as string;
      periods.push({
        period: start,
        timestamp: Math.floor(startMs / 1000),
        time: exchangeTime(symbol.market, startMs),
        periodEnd: periodEnd(start, period),
        from: dates[0] as string,
        to: last,
        tradingDays: dates.length,
        complete: last < served.date || now >= served.graceEndMs,
        ...figures,
      });
    }
    return { ...symbolDay(symbol), ...conventionJson(resolved, choice), period, from, to, periods };
  }
}

/** One entry per trading day of the daily endpoint under a chosen convention. */
export interface TierDailyDayJson extends TierFlowFigures {
  readonly date: string;
  readonly timestamp: number;
  readonly time: string;
  readonly complete: boolean;
}

export interface TierDailyJson extends SymbolDayJson, ConventionJson {
  readonly from: string;
  readonly to: string;
  readonly days: TierDailyDayJson[];
}

/** `GET …/daily?convention=`: the history by day, in the daily endpoint's shape and range limit. */
export async function tierDaily(
  tierQueries: TierQueries,
  symbol: ParsedSymbol,
  from: string | null,
  to: string | null,
  choice: TierChoice,
  maxDays: number,
): Promise<TierDailyJson> {
  const history = await tierQueries.history(symbol, 'day', from, to, choice, maxDays);
  const { periods, period: _period, ...rest } = history;
  return {
    ...rest,
    days: periods.map(({ period, periodEnd: _end, from: _from, to: _to, tradingDays: _days, ...figures }) => ({ date: period, ...figures })),
  };
}

function conventionJson(resolved: ResolvedConvention, choice: TierChoice): ConventionJson {
  const tiers = tierNames(resolved.convention);
  return {
    convention: resolved.name,
    tiers,
    mainForce: tiers.slice(0, mainForceTiers(resolved.convention)),
    ...(resolved.reference ? { percentiles: { ...resolved.reference, days: choice.days } } : {}),
  };
}
