import type { DayTotals } from '../../engine/day-flow.js';
import type { DayFlow } from '../../engine/day-flow.js';
import type { TierConvention } from '../../engine/tiers/size-tier-flow.js';
import type { ParsedSymbol } from '../../model/symbol.js';
import type { FlowService } from '../flow-service.js';
import type { TierChoice, TierFlows } from '../tier-flows.js';
import { mainForceFigures, measureKey, netFigures, ZERO_FIGURES, type FlowFigures, type RankMeasure } from './flow-figures.js';

/** Completed symbol-days' figures kept (entries); the cache is dropped whole when full. */
const CACHE_ENTRIES = 500_000;

export function conventionKind(choice: TierChoice): TierConvention['kind'] {
  return choice.name === 'futu' ? 'percentile' : choice.name;
}

/**
 * The figures of one symbol-day exactly as `/daily` (and `/daily?convention=`) answers them, by the
 * same paths: a completed day from a transient build (or the retention archive) and kept while
 * its stored trade count is unchanged; the served day from its loaded, current day state.
 */
export class DayFigures {
  private readonly completed = new Map<string, { trades: number; figures: FlowFigures }>();

  constructor(
    private readonly flows: FlowService,
    private readonly tierFlows: TierFlows,
  ) {}

  /**
   * Figures from a loaded day state without reading anything (net, or longport main force, which
   * the engine's own tier sums hold); undefined for conventions that need a pass over the trades.
   */
  fromLoadedDay(day: DayFlow, nowMs: number, measure: RankMeasure): FlowFigures | undefined {
    if (measure.by === 'net') return netFigures(day.totals(nowMs));
    if (measure.convention.name !== 'longport') return undefined;
    return mainForceFigures('longport', day.exactTierSums(nowMs));
  }

  /** Whether `fromLoadedDay` answers this measure (so a ranking can be kept current as trades arrive). */
  static isLive(measure: RankMeasure): boolean {
    return measure.by === 'net' || measure.convention.name === 'longport';
  }

  /** The figures of a symbol-day with `trades` stored trades; `servedDate` tells completed days from the running one. */
  async figures(symbol: ParsedSymbol, date: string, measure: RankMeasure, trades: number, servedDate: string): Promise<FlowFigures> {
    if (trades === 0) return ZERO_FIGURES;
    const complete = date < servedDate;
    const key = `${symbol.symbol} ${date} ${measureKey(measure)}`;
    const cached = this.completed.get(key);
    if (complete && cached && cached.trades === trades) return cached.figures;
    const figures = await this.compute(symbol, date, measure, trades, complete);
    if (complete) {
      if (this.completed.size >= CACHE_ENTRIES) this.completed.clear();
      this.completed.set(key, { trades, figures });
    }
    return figures;
  }

  private async compute(symbol: ParsedSymbol, date: string, measure: RankMeasure, trades: number, complete: boolean): Promise<FlowFigures> {
    const now = this.flows.now(symbol.market);
    if (measure.by === 'net') {
      // As FlowQueries.daily: a trimmed completed day answers from its archived summary.
      const archived = complete ? await this.flows.archivedDay(symbol.symbol, date) : undefined;
      if (archived) return netFigures((archived.summary as { totals: DayTotals }).totals);
      const day = complete ? await this.flows.transientDayFlow(symbol, date) : await this.flows.dayFlow(symbol, date);
      return netFigures(day.totals(now));
    }
    const sums = await this.tierFlows.daySums(symbol, date, measure.convention, trades, complete);
    return mainForceFigures(conventionKind(measure.convention), sums);
  }
}
