import type { DaySchedule } from '../calendar/day-schedule.js';
import { exchangeTime } from '../calendar/time-zone.js';
import { ExplainedTradeSides, type SideRule } from '../engine/classification/side-rules.js';
import { MethodCode } from '../engine/classification/classify.js';
import { TradeFields } from '../engine/trade-fields.js';
import { decimalToString, formatScaled, pow10, type Decimal } from '../model/decimal.js';
import { CLASSIFICATION_METHODS, Direction } from '../model/trade.js';
import type { FlowStore } from '../store/flow-store.js';

/**
 * What decided a trade's side: the engine's rules (side-rules.ts), or `order-sequence` for a side
 * a Level-2 adapter derived from the order sequence (the later order is the aggressor).
 */
export type MinuteTradeRule = SideRule | 'order-sequence';

/** How a trade counts in its minute's net inflow. */
export type TradeSide = 'buy' | 'sell' | 'neutral';

export interface MinuteTrade {
  /** Position in the symbol-day's acceptance order, from 1 (as the trade tape numbers it). */
  readonly sequence: number;
  readonly timestampMs: number;
  /** Exchange-local time with milliseconds and offset. */
  readonly time: string;
  readonly price: string;
  readonly volume: number;
  /** price × volume, exact. */
  readonly turnover: string;
  /** The feed's trade type code, '' when none. */
  readonly tradeType: string;
  /** buy: inflow (buyer-initiated), sell: outflow, neutral: neither. */
  readonly side: TradeSide;
  /** Never `excluded`: trades the rules exclude are not among a line's trades. */
  readonly rule: Exclude<MinuteTradeRule, 'excluded'>;
  /** The method that classifies it when the feed gives no side. */
  readonly method: 'lee-ready' | 'tick' | 'emo' | 'clnv';
}

export interface MinuteSums {
  /** Trades counted in the line (every trade of the minute but excluded trade types). */
  readonly trades: number;
  readonly buys: number;
  readonly sells: number;
  readonly neutrals: number;
  /** Turnover of buys, sells and neutral trades, 3 decimals like the lines. */
  readonly inflow: string;
  readonly outflow: string;
  readonly neutral: string;
  /** inflow − outflow: the minute's change of the cumulative line. */
  readonly net: string;
}

export interface MinuteExplanation {
  /** Every trade of the minute's line in acceptance order, at most `limit`. */
  readonly trades: MinuteTrade[];
  /** Trades of the minute's line in all (more than `trades.length` when the list was cut). */
  readonly tradeCount: number;
  readonly sums: MinuteSums;
}

const METHOD_NAMES: Readonly<Record<number, MinuteTrade['method']>> = {
  [MethodCode.LeeReady]: 'lee-ready',
  [MethodCode.Tick]: 'tick',
  [MethodCode.Emo]: 'emo',
  [MethodCode.Clnv]: 'clnv',
};
const ORDER_SEQUENCE = CLASSIFICATION_METHODS.indexOf('order-sequence');
const SIDES: Readonly<Record<number, TradeSide>> = { [Direction.Up]: 'buy', [Direction.Down]: 'sell', [Direction.Neutral]: 'neutral' };

/** An exact sum of decimals of any scale. */
class ExactSum {
  units = 0n;
  scale = 0;

  add(value: Decimal): void {
    if (value.scale > this.scale) {
      this.units *= pow10(value.scale - this.scale);
      this.scale = value.scale;
    }
    this.units += value.units * pow10(this.scale - value.scale);
  }

  minus(other: ExactSum): ExactSum {
    const result = new ExactSum();
    result.add({ units: this.units, scale: this.scale });
    result.add({ units: -other.units, scale: other.scale });
    return result;
  }

  text(): string {
    return formatScaled(this.units, this.scale, 3);
  }
}

/**
 * The trades behind one line of a symbol-day: each with the side the line counts it on and the
 * rule that decided it, and their sums. Every trade of the day is fed through the engine's rules
 * in acceptance order (the tick rule needs the trades before the minute); those whose instant
 * maps to the line (`schedule.lineIndexAt`, grace trades in the last line) are kept. Excluded
 * trade types count in no line and are left out.
 */
export async function explainLine(
  store: Pick<FlowStore, 'readDayColumns'>,
  symbol: string,
  schedule: DaySchedule,
  lineIndex: number,
  limit: number,
): Promise<MinuteExplanation> {
  const columns = await store.readDayColumns(symbol, schedule.date);
  const sides = new ExplainedTradeSides(schedule);
  const fields = new TradeFields();
  const trades: MinuteTrade[] = [];
  const sums = { inflow: new ExactSum(), outflow: new ExactSum(), neutral: new ExactSum() };
  let buys = 0;
  let sells = 0;
  let neutrals = 0;
  for (let row = 0; row < columns.count; row++) {
    const trade = columns.read(row, fields);
    const side = sides.next(trade);
    const timestampMs = trade.timestampMs;
    if (side.rule === 'excluded' || schedule.lineIndexAt(timestampMs) !== lineIndex) continue;
    const volume = trade.volume;
    const price: Decimal = { units: BigInt(trade.priceUnits), scale: trade.priceScale };
    const turnover: Decimal = { units: price.units * BigInt(volume), scale: price.scale };
    if (side.direction === Direction.Up) {
      buys++;
      sums.inflow.add(turnover);
    } else if (side.direction === Direction.Down) {
      sells++;
      sums.outflow.add(turnover);
    } else {
      neutrals++;
      sums.neutral.add(turnover);
    }
    if (trades.length < limit) {
      trades.push({
        sequence: row + 1,
        timestampMs,
        time: exchangeTime(schedule.market, timestampMs, true),
        price: decimalToString(price),
        volume,
        turnover: decimalToString(turnover),
        tradeType: trade.tradeType ?? '',
        side: SIDES[side.direction] ?? 'neutral',
        rule: side.rule === 'feed' && (columns.method[row] as number) === ORDER_SEQUENCE ? 'order-sequence' : side.rule,
        method: METHOD_NAMES[trade.method] ?? 'lee-ready',
      });
    }
  }
  return {
    trades,
    tradeCount: buys + sells + neutrals,
    sums: {
      trades: buys + sells + neutrals,
      buys,
      sells,
      neutrals,
      inflow: sums.inflow.text(),
      outflow: sums.outflow.text(),
      neutral: sums.neutral.text(),
      net: sums.inflow.minus(sums.outflow).text(),
    },
  };
}
