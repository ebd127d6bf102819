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
import type { AmountsByTier, Distribution, History, HistoryPeriod as HistoryPeriodJson, TierDaily, TierDistribution, TierFigures, Tiers } from '../../contract/schemas.js';
import { symbolDay } from './flow-payloads.js';
import type { FlowQueries } from './flow-queries.js';

/** What every tier answer says about its convention. */
type ConventionJson = Pick<Tiers, 'convention' | 'tiers' | 'mainForce' | 'percentiles'>;

/**
 * The size-tier, main-force and history questions of the REST API (capflow's additions to
 * LongPort's numbers), over FlowQueries' checks and day rules.
 */
export class TierQueries {
  constructor(
    private readonly options: { readonly flows: FlowService; readonly store: FlowStore; readonly queries: FlowQueries; readonly tierFlows: TierFlows },
  ) {}

  /** Per-minute cumulative in/out/net by tier with main-force net and share, and the day's figures. */
  async tiers(symbol: ParsedSymbol, date: string | null, choice: TierChoice): Promise<Tiers> {
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
        ...figuresJson(line.cumulative),
        minute: { inflow: line.inflow, net: byTier(line.net), mainForceNet: line.mainForceNet },
      })),
      day: figuresJson(flow.day),
    };
  }

  /** The distribution under a chosen convention (every tier of it, with main force). */
  async distribution(symbol: ParsedSymbol, date: string | null, choice: TierChoice): Promise<TierDistribution> {
    const { exact: _exact, ...json } = await this.distributionWithSums(symbol, date, choice);
    return json;
  }

  private async distributionWithSums(symbol: ParsedSymbol, date: string | null, choice: TierChoice): Promise<TierDistribution & { readonly exact: ExactTierSums }> {
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
      capitalIn: byTier(flow.day.in),
      capitalOut: byTier(flow.day.out),
      net: byTier(flow.day.net),
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
  async commandDistribution(symbol: ParsedSymbol, date: string | null, choice: TierChoice): Promise<Distribution> {
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
  ): Promise<History> {
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
        ...figuresJson(figures),
      });
    }
    return { ...symbolDay(symbol), ...conventionJson(resolved, choice), period, from, to, periods };
  }
}

/** `GET …/daily?convention=`: the history by day, in the daily endpoint's shape and range limit. */
export async function tierDaily(
  tierQueries: TierQueries,
  symbol: ParsedSymbol,
  from: string | null,
  to: string | null,
  choice: TierChoice,
  maxDays: number,
): Promise<TierDaily> {
  const history = await tierQueries.history(symbol, 'day', from, to, choice, maxDays);
  const { periods, period: _period, ...rest } = history;
  return {
    ...rest,
    days: periods.map(({ period, periodEnd: _end, from: _from, to: _to, tradingDays: _days, ...figures }) => ({ date: period, ...figures })),
  };
}

/** The engine's amounts by tier name as the contract names them (`superLarge` only in four-tier conventions). */
function byTier(amounts: Readonly<Record<string, string>>): AmountsByTier {
  const { superLarge, large, medium, small } = amounts;
  if (large === undefined || medium === undefined || small === undefined) throw new Error(`tier amounts without large, medium and small: ${Object.keys(amounts).join(', ')}`);
  return superLarge === undefined ? { large, medium, small } : { superLarge, large, medium, small };
}

function figuresJson(figures: TierFlowFigures): TierFigures {
  return { ...figures, in: byTier(figures.in), out: byTier(figures.out), net: byTier(figures.net) };
}

function conventionJson(resolved: ResolvedConvention, choice: TierChoice): ConventionJson {
  const tiers = [...tierNames(resolved.convention)];
  return {
    convention: resolved.name,
    tiers,
    mainForce: tiers.slice(0, mainForceTiers(resolved.convention)),
    ...(resolved.reference ? { percentiles: { ...resolved.reference, dates: [...resolved.reference.dates], days: choice.days } } : {}),
  };
}
