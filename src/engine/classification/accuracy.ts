import type { DaySchedule } from '../../calendar/day-schedule.js';
import { formatScaled } from '../../model/decimal.js';
import { Direction, type ClassificationMethod, type Trade } from '../../model/trade.js';
import { DayFlow } from '../day-flow.js';
import { TradeFields } from '../trade-fields.js';
import { methodCodeOf, SequentialClassifier } from './classify.js';

/** How well one method recovers the true side on one day (trades whose true side is up or down). */
export interface MethodAccuracy {
  readonly method: ClassificationMethod;
  /** Trades compared: the true side is up or down. */
  readonly compared: number;
  /** Of those, classified to the same side (a neutral answer is a miss). */
  readonly agreed: number;
  /** agreed / compared, percent with 2 decimals. */
  readonly byTrades: string;
  /** Turnover of agreeing trades / turnover of compared trades, percent with 2 decimals. */
  readonly byTurnover: string;
  /** The day's net inflow with the method's sides (exact, 3 decimals), and its error against the truth. */
  readonly netInflow: string;
  readonly netError: string;
}

export interface DayAccuracy {
  readonly symbol: string;
  readonly date: string;
  readonly trades: number;
  /** The day's net inflow with the true sides. */
  readonly trueNetInflow: string;
  readonly methods: MethodAccuracy[];
}

/** a/b as a percentage with 2 decimals, rounded half away from zero ('—' when b is 0). */
function percent(a: bigint, b: bigint): string {
  if (b === 0n) return '—';
  return formatScaled((a * 100_000n) / b, 3, 2);
}

function turnoverAt(trade: Trade, scale: number): bigint {
  return trade.price.units * BigInt(trade.volume) * 10n ** BigInt(scale - trade.price.scale);
}

/** The day's net inflow (3 decimals) of `trades` fed as they are. */
function netInflowOf(schedule: DaySchedule, trades: Iterable<Trade>): string {
  const day = new DayFlow(schedule);
  for (const trade of trades) day.add(trade);
  return day.totals(schedule.dayEndMs).inflow;
}

function difference(a: string, b: string): string {
  const units = (text: string): bigint => BigInt(text.replace('.', ''));
  return formatScaled(units(a) - units(b), 3, 3);
}

/**
 * Measures classification on one symbol-day whose trades carry their true side (`direction`).
 * Engine methods classify the trades with every side removed (auction prints keep their trade
 * type, so they stay neutral); `alternatives` are side assignments made elsewhere (e.g. the
 * order-sequence rule by the Level-2 adapter), aligned with `trades` (undefined: no side).
 */
export function measureClassification(
  schedule: DaySchedule,
  trades: readonly Trade[],
  methods: readonly ClassificationMethod[],
  alternatives: ReadonlyMap<ClassificationMethod, ReadonlyArray<Direction | undefined>> = new Map(),
): DayAccuracy {
  const scale = trades.reduce((max, trade) => Math.max(max, trade.price.scale), 0);
  const results: MethodAccuracy[] = [];
  const trueNet = netInflowOf(schedule, trades);
  for (const method of methods) {
    const given = alternatives.get(method);
    const code = methodCodeOf(method);
    const classifier = new SequentialClassifier();
    const record = new TradeFields();
    const sides: Array<Direction | undefined> = given
      ? [...given]
      : trades.map((trade) => {
          record.setTrade(trade).method = code; // the method measured, whatever the trade records
          return classifier.next(record);
        });
    let compared = 0;
    let agreed = 0;
    let comparedTurnover = 0n;
    let agreedTurnover = 0n;
    trades.forEach((trade, index) => {
      if (trade.direction !== Direction.Up && trade.direction !== Direction.Down) return;
      const turnover = turnoverAt(trade, scale);
      compared++;
      comparedTurnover += turnover;
      if (sides[index] === trade.direction) {
        agreed++;
        agreedTurnover += turnover;
      }
    });
    const reclassified = trades.map((trade, index): Trade => {
      const { direction: _truth, classification: _recorded, ...rest } = trade;
      if (given) {
        const side = given[index];
        return side === undefined ? rest : { ...rest, direction: side };
      }
      return { ...rest, classification: method };
    });
    const netInflow = netInflowOf(schedule, reclassified);
    results.push({
      method,
      compared,
      agreed,
      byTrades: percent(BigInt(agreed), BigInt(compared)),
      byTurnover: percent(agreedTurnover, comparedTurnover),
      netInflow,
      netError: difference(netInflow, trueNet),
    });
  }
  return { symbol: trades[0]?.symbol ?? '', date: schedule.date, trades: trades.length, trueNetInflow: trueNet, methods: results };
}
