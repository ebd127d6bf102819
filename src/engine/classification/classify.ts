import { Direction, type ClassificationMethod } from '../../model/trade.js';
import type { TradeFields } from '../trade-fields.js';
import { addUnits, compareScaled, compareToMidpoint, multiplyUnits, negateUnits, scaleUp, type Units } from '../exact-units.js';

/**
 * Trade classification algorithms (docs/computation.md §3 and capflow's additions), pure and exact:
 * prices and quotes are scaled integers (value = units / 10^scale), compared without floats.
 * A quote argument of -1 units means "absent". Every method falls back to the tick rule, whose
 * state (the sign of the last price change) the caller keeps per symbol-day.
 */

/** Small codes of the engine-applied methods, kept per trade in the engine's compact log. */
export const MethodCode = { LeeReady: 0, Tick: 1, Emo: 2, Clnv: 3 } as const;
export type MethodCode = (typeof MethodCode)[keyof typeof MethodCode];

/**
 * The engine method for a trade without a side: its recorded method, Lee–Ready when none (or
 * when the record names a side-giving method but carries no side).
 */
export function methodCodeOf(method: ClassificationMethod | undefined): MethodCode {
  switch (method) {
    case 'tick':
      return MethodCode.Tick;
    case 'emo':
      return MethodCode.Emo;
    case 'clnv':
      return MethodCode.Clnv;
    default:
      return MethodCode.LeeReady;
  }
}

/** Tick rule: up-tick up, down-tick down, zero tick the last change's direction (neutral before any). */
export function tickRule(tick: number, lastChange: Direction): Direction {
  if (tick > 0) return Direction.Up;
  if (tick < 0) return Direction.Down;
  return lastChange;
}

/** Lee–Ready's quote rule: at or above the ask up, at or below the bid down, else by the midpoint; undefined at the midpoint. */
export function quoteRule(trade: TradeFields): Direction | undefined {
  const { priceUnits: price, priceScale, bidUnits: bid, bidScale, askUnits: ask, askScale } = trade;
  if (compareScaled(price, priceScale, ask, askScale) >= 0) return Direction.Up;
  if (compareScaled(price, priceScale, bid, bidScale) <= 0) return Direction.Down;
  const side = compareToMidpoint(price, priceScale, bid, bidScale, ask, askScale);
  return side > 0 ? Direction.Up : side < 0 ? Direction.Down : undefined;
}

/**
 * Ellis–Michaely–O'Hara (2000): exactly at the ask up, exactly at the bid down, anything else
 * (inside the spread, outside the quotes, locked or crossed quotes) by the tick rule.
 */
export function emoRule(trade: TradeFields): Direction | undefined {
  const { priceUnits: price, priceScale, bidUnits: bid, bidScale, askUnits: ask, askScale } = trade;
  if (compareScaled(bid, bidScale, ask, askScale) >= 0) return undefined;
  if (compareScaled(price, priceScale, ask, askScale) === 0) return Direction.Up;
  if (compareScaled(price, priceScale, bid, bidScale) === 0) return Direction.Down;
  return undefined;
}

/**
 * Chakrabarty–Li–Nguyen–Van Ness (2007): the spread in deciles; a trade in the top three
 * (ask − 0.3·spread ≤ price ≤ ask) is up, in the bottom three (bid ≤ price ≤ bid + 0.3·spread)
 * down; the middle four deciles, trades outside the quotes and locked or crossed quotes go to
 * the tick rule. Exact: compares 10·(ask − price) with 3·spread at a common scale.
 */
export function clnvRule(trade: TradeFields): Direction | undefined {
  const { priceUnits: price, priceScale, bidUnits: bid, bidScale, askUnits: ask, askScale } = trade;
  const scale = Math.max(priceScale, bidScale, askScale);
  const p = scaleUp(price, scale - priceScale);
  const b = scaleUp(bid, scale - bidScale);
  const a = scaleUp(ask, scale - askScale);
  if (!(b < a) || p > a || p < b) return undefined;
  const threeSpreads = multiplyUnits(addUnits(a, negateUnits(b)), 3);
  if (multiplyUnits(addUnits(a, negateUnits(p)), 10) <= threeSpreads) return Direction.Up;
  if (multiplyUnits(addUnits(p, negateUnits(b)), 10) <= threeSpreads) return Direction.Down;
  return undefined;
}

/** Direction of a trade without a side of its own by its `method`; quotes are used only when both are present. */
export function classifyTrade(trade: TradeFields, tick: number, lastChange: Direction): Direction {
  return quoteDirection(trade) ?? tickRule(tick, lastChange);
}

/** The side the trade's method's quote test gives, or undefined when it has no quotes or abstains (the tick rule decides then). */
export function quoteDirection(trade: TradeFields): Direction | undefined {
  const method = trade.method;
  if (method === MethodCode.Tick || trade.bidUnits < 0 || trade.askUnits < 0) return undefined;
  return method === MethodCode.Emo ? emoRule(trade) : method === MethodCode.Clnv ? clnvRule(trade) : quoteRule(trade);
}

/**
 * Classifies a stream of one symbol-day's trades in arrival order with the engine's tick state
 * (updated by every trade, whether classified or not). For measuring methods trade by trade.
 */
export class SequentialClassifier {
  private hasPrevious = false;
  private previous: Units = 0;
  private previousScale = 0;
  private lastChange: Direction = Direction.Neutral;
  /** Whether the quote test (rather than the tick rule) decided the last trade's side. */
  decidedByQuotes = false;

  /** The direction the trade's method gives it; then the trade becomes the previous one. */
  next(trade: TradeFields): Direction {
    const price = trade.priceUnits;
    const priceScale = trade.priceScale;
    const tick = this.hasPrevious ? compareScaled(price, priceScale, this.previous, this.previousScale) : 0;
    const byQuotes = quoteDirection(trade);
    this.decidedByQuotes = byQuotes !== undefined;
    const direction = byQuotes ?? tickRule(tick, this.lastChange);
    if (tick !== 0) this.lastChange = tick > 0 ? Direction.Up : Direction.Down;
    this.hasPrevious = true;
    this.previous = price;
    this.previousScale = priceScale;
    return direction;
  }
}
