import type { DaySchedule } from '../../calendar/day-schedule.js';
import { Direction } from '../../model/trade.js';
import { DIRECTION_NOT_GIVEN, type TradeFields } from '../trade-fields.js';
import { SequentialClassifier } from './classify.js';
import type { SideRule } from './side-rules.js';
import { TradeTypeTreatment, tradeTypeTreatment } from './trade-type-policy.js';

/**
 * The side of each trade of one symbol-day, fed in acceptance order, as the lines count it
 * (DayFlow): the feed's side when given; neutral for an auction print without a side and in the
 * closing-auction grace window; otherwise the trade's classification method over the same tick
 * state the engine keeps (every trade but an excluded one moves it). Two additions for trades
 * the lines leave out, so that every trade has a side to show: a trade outside every line
 * (pre-open, lunch, extended hours) gets the side its method gives, and an excluded trade type
 * (off-exchange and similar reports) is neutral unless the feed gave a side.
 */
export class TradeSides {
  private readonly classifier = new SequentialClassifier();
  /** What decided the side `next` returned last (read right after it; no object per trade). */
  lastRule: SideRule = 'tick';

  constructor(private readonly schedule: DaySchedule) {}

  /** The side of the next trade (its `method` classifies it when it has no direction). */
  next(trade: TradeFields): Direction {
    const given = trade.direction;
    const treatment = tradeTypeTreatment(this.schedule.market, trade.tradeType);
    // An excluded trade does not move the tick state.
    if (treatment === TradeTypeTreatment.Excluded) {
      this.lastRule = given === DIRECTION_NOT_GIVEN ? 'excluded' : 'feed';
      return given === DIRECTION_NOT_GIVEN ? Direction.Neutral : (given as Direction);
    }
    const classified = this.classifier.next(trade);
    if (given !== DIRECTION_NOT_GIVEN) {
      this.lastRule = 'feed';
      return given as Direction;
    }
    if (treatment === TradeTypeTreatment.Auction) {
      this.lastRule = 'auction';
      return Direction.Neutral;
    }
    if (this.schedule.isGraceAt(trade.timestampMs)) {
      this.lastRule = 'neutral-window';
      return Direction.Neutral;
    }
    this.lastRule = this.classifier.decidedByQuotes ? 'quote' : 'tick';
    return classified;
  }
}
