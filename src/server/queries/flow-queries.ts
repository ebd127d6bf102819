import type { DaySchedule } from '../../calendar/day-schedule.js';
import { dateToDayNumber, dayNumberToDate } from '../../calendar/time-zone.js';
import { calendarFor } from '../../calendar/trading-calendar.js';
import type { CapitalDistribution, CapitalFlowLine, DayTotals, TierAmounts } from '../../engine/day-flow.js';
import { invalidRequest } from '../../model/errors.js';
import { MARKET_CURRENCY, MARKETS, type Market } from '../../model/market.js';
import { parseSymbol, type ParsedSymbol } from '../../model/symbol.js';
import type { FlowService } from '../../service/flow-service.js';
import type { FlowStore } from '../../store/flow-store.js';
import type { Credential } from '../auth/credential.js';
import { resolveSymbol } from './symbol-access.js';
import { ApiLimits } from '../../contract/limits.js';
import type { Daily, DailyDay, Distribution, Intraday, SymbolEntry, Symbols } from '../../contract/schemas.js';
import { distributionJson, intradayJson, symbolDay } from './flow-payloads.js';

/** Longest range of one daily-history request, in calendar days (inclusive). */
export const MAX_DAILY_RANGE_DAYS = ApiLimits.dailyRangeDays;
/** Range of a daily-history request without `from`: this many calendar days ending at `to`. */
export const DEFAULT_DAILY_RANGE_DAYS = ApiLimits.defaultDailyRangeDays;
/** Completed days' totals kept in memory; the whole cache is dropped beyond this (bounded memory). */
const DAILY_CACHE_LIMIT = 200_000;

const ZERO_TIERS: TierAmounts = { large: '0.000', medium: '0.000', small: '0.000', total: '0.000' };
const ZERO_TOTALS: DayTotals = { inflow: '0.000', in: ZERO_TIERS, out: ZERO_TIERS };

export interface FlowQueriesOptions {
  flows: FlowService;
  store: FlowStore;
}

/**
 * The questions the REST API and the live stream answer, with command 24's checks in its order
 * (after the rate limit, which the router takes): request format, market permission, known
 * symbol, data present. Transport-free:
 * every failure is a CapflowError carrying its HTTP status and code.
 */
export class FlowQueries {
  /** Totals of completed days by `symbol date`, valid while the day's stored trade count is unchanged. */
  private readonly dailyCache = new Map<string, { trades: number; totals: DayTotals }>();

  constructor(private readonly options: FlowQueriesOptions) {}

  /**
   * The symbol a caller asks about: command 24's checks after the rate limit (the router took
   * the route's token): format, market permission, known symbol.
   */
  admit(credential: Credential, symbolText: string): ParsedSymbol {
    if (symbolText.trim() === '') throw invalidRequest('the symbol parameter is required, e.g. symbol=700.HK');
    return resolveSymbol(symbolText, credential, this.options.flows);
  }

  async intraday(symbol: ParsedSymbol, date: string | null, detail: boolean): Promise<Intraday> {
    const schedule = this.dayOf(symbol, date);
    const archived = await this.archivedDay(symbol, schedule.date);
    // A day trimmed by retention answers from its kept lines (the tier detail went with its trades).
    if (archived) return intradayJson(symbol, schedule, archived.lines);
    const day = await this.options.flows.dayFlow(symbol, schedule.date, detail ? 'log' : 'view');
    const now = this.options.flows.now(symbol.market);
    return intradayJson(symbol, schedule, detail ? day.detailLines(now) : day.lines(now));
  }

  async distribution(symbol: ParsedSymbol, date: string | null): Promise<Distribution> {
    const schedule = this.dayOf(symbol, date);
    const archived = await this.archivedDay(symbol, schedule.date);
    if (archived) return distributionJson(symbol, schedule.date, archived.summary.distribution);
    const day = await this.options.flows.dayFlow(symbol, schedule.date);
    return distributionJson(symbol, schedule.date, day.distribution(this.options.flows.now(symbol.market)));
  }

  /** Net inflow, inflow and outflow of each trading day in [from, to] (to is capped at the served day). */
  async daily(symbol: ParsedSymbol, fromText: string | null, toText: string | null): Promise<Daily> {
    const flows = this.options.flows;
    const served = flows.servedSchedule(symbol.market);
    const now = flows.now(symbol.market);
    const to = toText === null || toText > served.date ? served.date : toText;
    const from = fromText ?? dayNumberToDate(dateToDayNumber(to) - (DEFAULT_DAILY_RANGE_DAYS - 1));
    if (from > to) throw invalidRequest(`from ${from} is after to ${to}${toText !== null && toText !== to ? ` (the current trading day)` : ''}`);
    const span = dateToDayNumber(to) - dateToDayNumber(from) + 1;
    if (span > MAX_DAILY_RANGE_DAYS) throw invalidRequest(`date range of ${span} days is longer than ${MAX_DAILY_RANGE_DAYS} days`);
    const { full, half } = calendarFor(symbol.market).tradingDays(from, to);
    const dates = [...full, ...half].sort();
    const counts = new Map((await this.options.store.daysOf(symbol.symbol)).map((day) => [day.date, day.trades]));
    const days: DailyDay[] = [];
    for (const date of dates) {
      const complete = date < served.date || now >= served.graceEndMs;
      const trades = counts.get(date) ?? 0;
      const totals = trades === 0 ? ZERO_TOTALS : await this.dayTotals(symbol, date, date < served.date, trades, now);
      days.push({ date, ...totals, complete });
    }
    return { ...symbolDay(symbol), from, to, days };
  }

  /** Known symbols in the credential's markets. */
  async symbols(credential: Credential): Promise<Symbols> {
    const lastDates = new Map((await this.options.store.symbolSummaries()).map((summary) => [summary.symbol, summary.lastDate]));
    const flows = this.options.flows;
    const symbols: SymbolEntry[] = [];
    for (const name of flows.knownSymbols()) {
      const parsed = parseSymbol(name);
      if (!parsed || !credential.markets.has(parsed.market)) continue;
      const hasData = flows.hasData(name);
      symbols.push({ symbol: name, market: parsed.market, currency: MARKET_CURRENCY[parsed.market], hasData, lastDate: (hasData && lastDates.get(name)) || null });
    }
    return { markets: MARKETS.filter((market) => credential.markets.has(market)), symbols };
  }

  /** The kept lines and summary of a past day whose raw trades retention deleted. */
  private async archivedDay(symbol: ParsedSymbol, date: string): Promise<ArchivedDayView | undefined> {
    const flows = this.options.flows;
    if (date >= flows.servedSchedule(symbol.market).date) return undefined;
    return (await flows.archivedDay(symbol.symbol, date)) as ArchivedDayView | undefined;
  }

  /** The served day, or a given past trading day (400 for a future or non-trading date). */
  dayOf(symbol: ParsedSymbol, date: string | null): DaySchedule {
    const served = this.options.flows.servedSchedule(symbol.market);
    if (date === null || date === served.date) return served;
    if (date > served.date) throw invalidRequest(`${date} is after the current ${symbol.market} trading day (${served.date})`);
    const schedule = calendarFor(symbol.market).schedule(date);
    if (!schedule) throw invalidRequest(`${date} is not a ${symbol.market} trading day (weekend or holiday)`);
    return schedule;
  }

  private async dayTotals(symbol: ParsedSymbol, date: string, completed: boolean, trades: number, now: number): Promise<DayTotals> {
    const key = `${symbol.symbol} ${date}`;
    const cached = this.dailyCache.get(key);
    if (completed && cached && cached.trades === trades) return cached.totals;
    const archived = completed ? await this.archivedDay(symbol, date) : undefined;
    if (archived) return archived.summary.totals;
    const flows = this.options.flows;
    const day = completed ? await flows.transientDayFlow(symbol, date) : await flows.dayFlow(symbol, date);
    const totals = day.totals(now);
    if (completed) {
      // The count read before the build: trades stored meanwhile make the entry stale, never wrong.
      if (this.dailyCache.size >= DAILY_CACHE_LIMIT) this.dailyCache.clear();
      this.dailyCache.set(key, { trades, totals });
    }
    return totals;
  }
}

/** What retention keeps of a trimmed day: its lines, its totals and its distribution. */
interface ArchivedDayView {
  lines: readonly CapitalFlowLine[];
  summary: { totals: DayTotals; distribution: CapitalDistribution };
}
