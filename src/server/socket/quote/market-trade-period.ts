import { create, toBinary } from '@bufbuild/protobuf';
import { calendarFor } from '../../../calendar/trading-calendar.js';
import { localDate } from '../../../calendar/time-zone.js';
import { MARKETS } from '../../../model/market.js';
import {
  MarketTradePeriodResponseSchema,
  MarketTradePeriodSchema,
  TradePeriodSchema,
} from '../../../protocol/gen/quote_pb.js';
import type { MarketClock } from '../../../service/market-clock.js';
import type { CommandHandler } from './command-handler.js';

/**
 * Command 8: the sessions of each market's current day (the clock's local date when it is a
 * trading day, else the next trading day), half-day aware.
 */
export function marketTradePeriodHandler(clock: MarketClock): CommandHandler {
  return () => {
    const periods = MARKETS.map((market) => {
      const calendar = calendarFor(market);
      const today = localDate(market, clock.now(market));
      const date = calendar.dayKind(today) === 'closed' ? calendar.nextTradingDay(today) : today;
      return create(MarketTradePeriodSchema, {
        market,
        tradeSession: calendar.tradePeriods(date).map((period) =>
          create(TradePeriodSchema, { begTime: period.begTime, endTime: period.endTime, tradeSession: period.session }),
        ),
      });
    });
    return toBinary(MarketTradePeriodResponseSchema, create(MarketTradePeriodResponseSchema, { marketTradeSession: periods }));
  };
}
