import type { DaySchedule } from '../../calendar/day-schedule.js';
import type { Direction } from '../../model/trade.js';
import type { TradeFields } from '../trade-fields.js';
import { TradeSides } from './trade-sides.js';

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
 * as the lines count it, and the rule that decided it — TradeSides' own answer and its `lastRule`.
 */
export class ExplainedTradeSides {
  private readonly sides: TradeSides;

  constructor(schedule: DaySchedule) {
    this.sides = new TradeSides(schedule);
  }

  next(trade: TradeFields): ExplainedSide {
    const direction = this.sides.next(trade);
    return { direction, rule: this.sides.lastRule };
  }
}
