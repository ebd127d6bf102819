import type { DaySchedule } from '../calendar/day-schedule.js';
import {
  longportConvention,
  percentileCutoffs,
  sizeTierFlow,
  type ExactTierSums,
  type PercentileCutoffs,
  type TierConvention,
  type TierFlow,
} from '../engine/tiers/size-tier-flow.js';
import { decimalToString, type Decimal } from '../model/decimal.js';
import { invalidRequest } from '../model/errors.js';
import type { ParsedSymbol } from '../model/symbol.js';
import type { FlowStore } from '../store/flow-store.js';
import type { FlowService } from './flow-service.js';

/**
 * The size-tier conventions callers choose by name (README "Numbers you can check"):
 * `longport` 3 tiers with the server's command-25 thresholds, `eastmoney` 4 fixed tiers,
 * `futu` 4 per-security percentile tiers over the trailing stored days.
 */
export const TIER_CONVENTIONS = ['longport', 'eastmoney', 'futu'] as const;
export type TierConventionName = (typeof TIER_CONVENTIONS)[number];

/** Trailing stored trading days behind the `futu` percentiles, by default and at most. */
export const DEFAULT_PERCENTILE_DAYS = 20;
export const MAX_PERCENTILE_DAYS = 250;

export interface TierChoice {
  readonly name: TierConventionName;
  /** Trailing stored days for `futu` (ignored otherwise). */
  readonly days: number;
}

export function isTierConventionName(text: string): text is TierConventionName {
  return (TIER_CONVENTIONS as readonly string[]).includes(text);
}

/** `convention` and `days` query values → a choice; absent convention → `fallback`. 400 on bad values. */
export function parseTierChoice(convention: string | null, days: string | null, fallback: TierConventionName = 'longport'): TierChoice {
  let name = fallback;
  if (convention !== null) {
    const text = convention.trim().toLowerCase();
    // `percentile` is the engine's name of the Futu-style convention.
    const normalised = text === 'percentile' ? 'futu' : text;
    if (!isTierConventionName(normalised)) throw invalidRequest(`convention must be one of ${TIER_CONVENTIONS.join(', ')}, got ${JSON.stringify(convention)}`);
    name = normalised;
  }
  let count = DEFAULT_PERCENTILE_DAYS;
  if (days !== null) {
    if (!/^[0-9]{1,4}$/.test(days) || Number(days) < 1 || Number(days) > MAX_PERCENTILE_DAYS) {
      throw invalidRequest(`days must be a whole number from 1 to ${MAX_PERCENTILE_DAYS}, got ${JSON.stringify(days)}`);
    }
    count = Number(days);
  }
  return { name, days: count };
}

/** What the `futu` cut-offs of a day were computed from (shown with every futu answer). */
export interface PercentileReference {
  /** The trailing stored trading days used; the day itself when there are none before it. */
  readonly dates: readonly string[];
  readonly trades: number;
  /** Turnovers above these are super-large, large, medium (3 decimals). */
  readonly cutoffs: { readonly superLarge: string; readonly large: string; readonly medium: string };
}

export interface ResolvedConvention {
  readonly name: TierConventionName;
  readonly convention: TierConvention;
  readonly reference?: PercentileReference;
}

/** Bounds of the caches (entries); each is dropped whole when full, which keeps memory bounded. */
const TURNOVER_CACHE_TRADES = 4_000_000;
const FIGURES_CACHE_ENTRIES = 200_000;
const CUTOFF_CACHE_ENTRIES = 50_000;

function turnoverOf(price: Decimal, volume: number): Decimal {
  return { units: price.units * BigInt(volume), scale: price.scale };
}

function cutoffText(value: Decimal): string {
  return decimalToString(value);
}

/**
 * Size-tier views of a symbol's days under a chosen convention, with bounded caches: the `futu`
 * cut-offs per day (from the trailing stored days' trade turnovers) and the exact figures of
 * completed days (valid while the day's stored trade count is unchanged).
 */
export class TierFlows {
  private readonly turnovers = new Map<string, { trades: number; values: Decimal[] }>();
  private turnoverTrades = 0;
  private readonly cutoffs = new Map<string, { signature: string; reference: PercentileReference; cutoffs: PercentileCutoffs }>();
  private readonly figures = new Map<string, { trades: number; sums: ExactTierSums }>();

  constructor(
    private readonly flows: FlowService,
    private readonly store: FlowStore,
  ) {}

  /** The convention of a day: fixed for longport/eastmoney, the day's percentile cut-offs for futu. */
  async resolve(symbol: ParsedSymbol, date: string, choice: TierChoice): Promise<ResolvedConvention> {
    switch (choice.name) {
      case 'longport':
        return { name: 'longport', convention: longportConvention(symbol.market, this.flows.thresholdsOf(symbol.market)) };
      case 'eastmoney':
        return { name: 'eastmoney', convention: { kind: 'eastmoney', market: symbol.market } };
      case 'futu': {
        const { reference, cutoffs } = await this.percentiles(symbol, date, choice.days);
        return { name: 'futu', convention: { kind: 'percentile', cutoffs }, reference };
      }
    }
  }

  /** The day's per-minute and day figures under the choice, up to the clock's now. */
  async dayFlow(symbol: ParsedSymbol, schedule: DaySchedule, choice: TierChoice): Promise<{ resolved: ResolvedConvention; flow: TierFlow }> {
    const resolved = await this.resolve(symbol, schedule.date, choice);
    // The tier pass replays the day's trades: a day state with its log.
    const day = await this.flows.dayFlow(symbol, schedule.date, 'log');
    return { resolved, flow: sizeTierFlow(day, this.flows.now(symbol.market), resolved.convention) };
  }

  /**
   * Exact day sums under the choice. A completed day (`completed`) is computed once per stored
   * trade count and kept; the running day is computed afresh (up to now).
   */
  async daySums(symbol: ParsedSymbol, date: string, choice: TierChoice, trades: number, completed: boolean): Promise<ExactTierSums> {
    const key = `${symbol.symbol} ${date} ${choice.name} ${choice.name === 'futu' ? choice.days : ''}`;
    const cached = this.figures.get(key);
    if (completed && cached && cached.trades === trades) return cached.sums;
    const resolved = await this.resolve(symbol, date, choice);
    const day = completed ? await this.flows.transientDayFlow(symbol, date, 'log') : await this.flows.dayFlow(symbol, date, 'log');
    const sums = sizeTierFlow(day, this.flows.now(symbol.market), resolved.convention).exact;
    if (completed) {
      if (this.figures.size >= FIGURES_CACHE_ENTRIES) this.figures.clear();
      this.figures.set(key, { trades, sums });
    }
    return sums;
  }

  private async percentiles(symbol: ParsedSymbol, date: string, days: number): Promise<{ reference: PercentileReference; cutoffs: PercentileCutoffs }> {
    const stored = await this.store.daysOf(symbol.symbol);
    let window = stored.filter((day) => day.date < date && day.trades > 0).slice(-days);
    // Without any earlier stored day, the day's own trades are the reference (documented).
    if (window.length === 0) window = stored.filter((day) => day.date === date);
    const signature = window.map((day) => `${day.date}:${day.trades}`).join(',');
    const key = `${symbol.symbol} ${date} ${days}`;
    const cached = this.cutoffs.get(key);
    if (cached && cached.signature === signature) return cached;
    const values: Decimal[] = [];
    for (const day of window) for (const value of await this.dayTurnovers(symbol.symbol, day.date, day.trades)) values.push(value);
    const cutoffs = percentileCutoffs(values) ?? { superLarge: { units: 0n, scale: 0 }, large: { units: 0n, scale: 0 }, medium: { units: 0n, scale: 0 } };
    const reference: PercentileReference = {
      dates: window.map((day) => day.date),
      trades: values.length,
      cutoffs: { superLarge: cutoffText(cutoffs.superLarge), large: cutoffText(cutoffs.large), medium: cutoffText(cutoffs.medium) },
    };
    if (this.cutoffs.size >= CUTOFF_CACHE_ENTRIES) this.cutoffs.clear();
    const entry = { signature, reference, cutoffs };
    this.cutoffs.set(key, entry);
    return entry;
  }

  /** Turnover of every stored trade of a day, cached while the day's count is unchanged. */
  private async dayTurnovers(symbol: string, date: string, trades: number): Promise<Decimal[]> {
    const key = `${symbol} ${date}`;
    const cached = this.turnovers.get(key);
    if (cached && cached.trades === trades) return cached.values;
    const values = (await this.store.tradesOfDay(symbol, date)).map((trade) => turnoverOf(trade.price, trade.volume));
    if (this.turnoverTrades + values.length > TURNOVER_CACHE_TRADES) {
      this.turnovers.clear();
      this.turnoverTrades = 0;
    }
    if (cached) this.turnoverTrades -= cached.values.length;
    this.turnovers.set(key, { trades, values });
    this.turnoverTrades += values.length;
    return values;
  }
}
