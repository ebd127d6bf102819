import { create, toBinary } from '@bufbuild/protobuf';
import { calendarFor } from '../../../calendar/trading-calendar.js';
import { compactDate, dateToDayNumber, expandCompactDate } from '../../../calendar/time-zone.js';
import { invalidRequest } from '../../../model/errors.js';
import { isMarket } from '../../../model/market.js';
import { decodeBody } from '../../../protocol/body-codec.js';
import { MarketTradeDayRequestSchema, MarketTradeDayResponseSchema } from '../../../protocol/gen/quote_pb.js';
import type { CommandHandler } from './command-handler.js';

/** Longest range one request may ask for (days); the SDK asks for about a month. */
export const MAX_TRADE_DAY_RANGE = 366;

/** Command 9: trading days of a market in a range; half days only in `half_trade_day`. */
export const handleMarketTradeDay: CommandHandler = (body) => {
  const request = decodeBody(MarketTradeDayRequestSchema, body);
  const market = request.market.toUpperCase();
  if (!isMarket(market)) throw invalidRequest(`unknown market ${JSON.stringify(request.market)} (expected HK, US, CN or SG)`);
  const from = expandCompactDate(request.begDay);
  const to = expandCompactDate(request.endDay);
  if (!from || !to) throw invalidRequest('beg_day and end_day must be dates as YYYYMMDD');
  const span = dateToDayNumber(to) - dateToDayNumber(from);
  if (span < 0) throw invalidRequest('end_day is before beg_day');
  if (span > MAX_TRADE_DAY_RANGE) throw invalidRequest(`a range may cover at most ${MAX_TRADE_DAY_RANGE} days`);
  const days = calendarFor(market).tradingDays(from, to);
  return toBinary(
    MarketTradeDayResponseSchema,
    create(MarketTradeDayResponseSchema, { tradeDay: days.full.map(compactDate), halfTradeDay: days.half.map(compactDate) }),
  );
};
