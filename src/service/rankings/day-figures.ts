import type { DayFlow, DayTotals } from '../../engine/day-flow.js';
import type { TierConvention } from '../../engine/tiers/size-tier-flow.js';
import type { ParsedSymbol } from '../../model/symbol.js';
import type { FlowService } from '../flow-service.js';
import type { TierChoice, TierFlows } from '../tier-flows.js';
import { longportMainFromSums, mainForceFigures, measureKey, netFigures, netFromSums, ZERO_FIGURES, type FlowFigures, type RankMeasure } from './flow-figures.js';

/** Completed symbol-days' figures kept (entries); the cache is dropped whole when full. */
const CACHE_ENTRIES = 500_000;
const NET_KEY = measureKey({ by: 'net', convention: { name: 'longport', days: 0 } });
const LONGPORT_KEY = measureKey({ by: 'main_force', convention: { name: 'longport', days: 0 } });

export function conventionKind(choice: TierChoice): TierConvention['kind'] {
  return choice.name === 'futu' ? 'percentile' : choice.name;
}

/**
 * The figures of one symbol-day exactly as `/daily` (and `/daily?convention=`) answers them: a
 * completed day from a transient build (or the retention archive) and kept while its stored
 * trade count is unchanged; the served day from its loaded, current day state. Net inflow and
 * longport main force come from the engine's own exact tier sums (the same sums `/daily` formats,
 * and the same tiers as the longport convention's), so one read of a day gives both; eastmoney and
 * futu need a pass over the day's trades (TierFlows), as `/daily?convention=` makes.
 */
export class DayFigures {
  private readonly completed = new Map<string, { trades: number; figures: FlowFigures }>();

  constructor(
    private readonly flows: FlowService,
    private readonly tierFlows: TierFlows,
  ) {}

  /** Whether a day state's own sums answer this measure (so a ranking can be kept current as trades arrive). */
  static isLive(measure: RankMeasure): boolean {
    return measure.by === 'net' || measure.convention.name === 'longport';
  }

  /** Figures of a live measure from a day state, without reading anything. */
  fromDay(day: DayFlow, nowMs: number, measure: RankMeasure): FlowFigures {
    const sums = day.exactTierSums(nowMs);
    return measure.by === 'net' ? netFromSums(sums) : longportMainFromSums(sums);
  }

  /** The figures of a symbol-day with `trades` stored trades; `servedDate` tells completed days from the running one. */
  async figures(symbol: ParsedSymbol, date: string, measure: RankMeasure, trades: number, servedDate: string): Promise<FlowFigures> {
    if (trades === 0) return ZERO_FIGURES;
    const complete = date < servedDate;
    const key = measureKey(measure);
    const cached = this.completed.get(`${symbol.symbol} ${date} ${key}`);
    if (complete && cached && cached.trades === trades) return cached.figures;
    const now = this.flows.now(symbol.market);
    const archived = complete ? await this.flows.archivedDay(symbol.symbol, date) : undefined;
    let figures: FlowFigures;
    if (archived && measure.by === 'net') {
      // As FlowQueries.daily: a trimmed completed day answers from its archived summary.
      figures = netFigures((archived.summary as { totals: DayTotals }).totals);
    } else if (DayFigures.isLive(measure) && !archived) {
      const day = complete ? await this.flows.transientDayFlow(symbol, date) : await this.flows.dayFlow(symbol, date);
      const sums = day.exactTierSums(now);
      if (complete) {
        // One read of the day gives both live measures.
        this.keep(`${symbol.symbol} ${date} ${NET_KEY}`, trades, netFromSums(sums));
        this.keep(`${symbol.symbol} ${date} ${LONGPORT_KEY}`, trades, longportMainFromSums(sums));
      }
      return measure.by === 'net' ? netFromSums(sums) : longportMainFromSums(sums);
    } else {
      // As the daily history under a convention: the day's sums by that convention's tiers.
      const sums = await this.tierFlows.daySums(symbol, date, measure.convention, trades, complete);
      figures = mainForceFigures(conventionKind(measure.convention), sums);
    }
    if (complete) this.keep(`${symbol.symbol} ${date} ${key}`, trades, figures);
    return figures;
  }

  private keep(key: string, trades: number, figures: FlowFigures): void {
    if (this.completed.size >= CACHE_ENTRIES) this.completed.clear();
    this.completed.set(key, { trades, figures });
  }
}
