import type { DaySchedule } from '../../calendar/day-schedule.js';
import { Direction } from '../../model/trade.js';
import { compareScaled, type Units } from '../exact-units.js';
import { DIRECTION_NOT_GIVEN } from '../flow-state.js';
import { clnvRule, emoRule, MethodCode, quoteRule, tickRule } from './classify.js';
import { TradeTypeTreatment, tradeTypeTreatment } from './trade-type-policy.js';

/**
 * What decided a trade's side:
 * - `feed`: the feed's own side;
 * - `auction`: an auction print without a side (no aggressor: neutral);
 * - `neutral-window`: the closing-auction grace window, where trades without a side are neutral;
 * - `quote`: the classification method's quote test (Lee–Ready's quote rule, EMO or CLNV);
 * - `tick`: the tick rule (the price change from the previous trade, else the last change);
 * - `excluded`: a trade type counted in no line (off-exchange and similar reports).
 */
export type SideRule = 'feed' | 'auction' | 'neutral-window' | 'quote' | 'tick' | 'excluded';

export interface ExplainedSide {
  readonly direction: Direction;
  readonly rule: SideRule;
}

/**
 * TradeSides with the reason: the side of each trade of one symbol-day, fed in acceptance order,
 * as the lines count it, and the rule that decided it. The same tick state and order of tests
 * as the engine (flow-state.ts, classify.ts); trade-sides' tests pin both to the same answers.
 */
export class ExplainedTradeSides {
  private hasPrevious = false;
  private previous: Units = 0;
  private previousScale = 0;
  private lastChange: Direction = Direction.Neutral;

  constructor(private readonly schedule: DaySchedule) {}

  next(
    timestampMs: number,
    price: Units,
    priceScale: number,
    given: number,
    bid: Units,
    bidScale: number,
    ask: Units,
    askScale: number,
    method: number,
    tradeType?: string,
  ): ExplainedSide {
    const treatment = tradeTypeTreatment(this.schedule.market, tradeType);
    // An excluded trade does not move the tick state.
    if (treatment === TradeTypeTreatment.Excluded) return given === DIRECTION_NOT_GIVEN ? { direction: Direction.Neutral, rule: 'excluded' } : { direction: given as Direction, rule: 'feed' };
    const classified = this.classify(method, price, priceScale, bid, bidScale, ask, askScale);
    if (given !== DIRECTION_NOT_GIVEN) return { direction: given as Direction, rule: 'feed' };
    if (treatment === TradeTypeTreatment.Auction) return { direction: Direction.Neutral, rule: 'auction' };
    if (this.schedule.isGraceAt(timestampMs)) return { direction: Direction.Neutral, rule: 'neutral-window' };
    return classified;
  }

  private classify(method: number, price: Units, priceScale: number, bid: Units, bidScale: number, ask: Units, askScale: number): ExplainedSide {
    const tick = this.hasPrevious ? compareScaled(price, priceScale, this.previous, this.previousScale) : 0;
    let side: ExplainedSide | undefined;
    if (method !== MethodCode.Tick && bid >= 0 && ask >= 0) {
      const rule = method === MethodCode.Emo ? emoRule : method === MethodCode.Clnv ? clnvRule : quoteRule;
      const byQuotes = rule(price, priceScale, bid, bidScale, ask, askScale);
      if (byQuotes !== undefined) side = { direction: byQuotes, rule: 'quote' };
    }
    side ??= { direction: tickRule(tick, this.lastChange), rule: 'tick' };
    if (tick !== 0) this.lastChange = tick > 0 ? Direction.Up : Direction.Down;
    this.hasPrevious = true;
    this.previous = price;
    this.previousScale = priceScale;
    return side;
  }
}
